// The drafting cycle as a day's work (issue 13 §1, §2): the officer drafts with two
// appendices and a two-level route (level 1: Lê Thị Phương; level 2: the deputy chairwoman)
// to the chairman; level 1 returns it with a reason, which the officer reads in "Việc của
// tôi" and on the page; the officer revises it (version 2, a new main file) and submits
// again; level 1 approves, level 2 approves by initialling (ký nháy) with the USB token
// through the agent — each seeing the draft in "Việc của tôi" only on their turn; the
// chairman signs with the phone; the clerk issues: the file carries the initial, the
// signature and the seal; the register's row names the chairman — whatever anyone typed.
import {
  bodyText, check, login, minimalPdf, nfc, runScenarios, submit,
} from '../lib.mjs';
import { leaderSignsWithThePhone, reviewerInitialsWithThePhone } from '../phone.mjs';
import { routeToAgent, startAgentWithToken } from '../token.mjs';

const SUBJECT = 'Tờ trình về việc chuyển đổi số năm 2027';
const REVISED = `${SUBJECT} (bổ sung căn cứ)`;
const REASON = 'Bổ sung căn cứ pháp lý ở phần mở đầu';
const LEVEL1 = 'Lê Thị Phương';
const LEVEL2 = 'Trần Thị Thu Hà';
const SIGNER = 'Nguyễn Văn Hùng';

async function as(page, base, username) {
  await page.context().clearCookies();
  await login(page, base, username);
}

/** The text of one part of "Việc của tôi". */
async function myWork(page, base, part) {
  await page.goto(`${base}/my-work`);
  return nfc(await page.locator(`#${part}`).innerText());
}

/** Selects, in a select, the options whose label starts with each of `names`. */
async function choose(page, selector, names) {
  const values = await page.$$eval(`${selector} option`, (opts, want) => opts
    .filter((o) => want.some((n) => o.textContent.normalize('NFC').startsWith(n)))
    .map((o) => o.value), names);
  check(values.length === names.length, `${selector}: ${names.join(', ')} offered`);
  await page.selectOption(selector, values);
}

async function submitAlongTheRoute(page) {
  await choose(page, '#level1', [LEVEL1]);
  await choose(page, '#level2', [LEVEL2]);
  await choose(page, '#signer_id', [SIGNER]);
  await submit(page, '#route-submit');
  check(nfc(await bodyText(page)).includes('Đã trình ký'), 'submitted');
}

async function officerDrafts(page, base) {
  await as(page, base, 'chuyenvien.vp');
  await page.goto(`${base}/outgoing/new`);
  await page.selectOption('#doc_type', 'to-trinh');
  await page.fill('#subject', SUBJECT);
  await page.setInputFiles('#file', { name: 'to-trinh.pdf', mimeType: 'application/pdf', buffer: minimalPdf('To trinh v1') });
  await page.setInputFiles('#appendices', [
    { name: 'phu-luc-1.pdf', mimeType: 'application/pdf', buffer: minimalPdf('Phu luc 1') },
    { name: 'phu-luc-2.pdf', mimeType: 'application/pdf', buffer: minimalPdf('Phu luc 2') },
  ]);
  await submit(page, 'main form[action="/outgoing"] button[type=submit]');
  const url = page.url();
  const text = nfc(await bodyText(page));
  check(text.includes('phu-luc-1.pdf') && text.includes('phu-luc-2.pdf'), 'both appendices kept');
  await submitAlongTheRoute(page);
  return url;
}

async function levelOneReturns(page, base, url) {
  await as(page, base, 'chuyenvien2.th');
  check((await myWork(page, base, 'to-review')).includes(SUBJECT), 'level 1 sees it in my work');
  await page.goto(url);
  await page.fill('#review-reason', REASON);
  await submit(page, '#review-return-button');
  check(nfc(await bodyText(page)).includes('Dự thảo'), 'back to draft');
}

async function officerRevises(page, base, url) {
  await as(page, base, 'chuyenvien.vp');
  check((await myWork(page, base, 'my-drafts')).includes(REASON), 'the reason in my work');
  await page.goto(url);
  check(nfc(await page.locator('#returned-reason').innerText()).includes(REASON), 'the reason on the page');
  await page.click('#revise-link');
  await page.waitForLoadState('load');
  check(await page.inputValue('#subject') === SUBJECT, 'the form keeps the draft as it was');
  await page.fill('#subject', REVISED);
  await page.setInputFiles('#file', { name: 'to-trinh-v2.pdf', mimeType: 'application/pdf', buffer: minimalPdf('To trinh v2') });
  await submit(page, 'main form button[type=submit]');
  const versions = nfc(await page.locator('#versions').innerText());
  check(versions.includes('Phiên bản 2') && versions.includes('to-trinh-v2.pdf') && versions.includes('to-trinh.pdf'), `versions: ${versions}`);
  check(versions.includes('trích yếu'), `what changed is named: ${versions}`);
  await submitAlongTheRoute(page);
}

async function bothLevelsApprove(page, demo, url) {
  const base = demo.base;
  await as(page, base, 'pholanhdao.ubnd');
  check(!(await myWork(page, base, 'to-review')).includes(REVISED), 'level 2 waits for level 1');
  await as(page, base, 'chuyenvien2.th');
  await page.goto(url);
  await submit(page, '#approve-button');
  await as(page, base, 'pholanhdao.ubnd');
  check((await myWork(page, base, 'to-review')).includes(REVISED), 'now level 2 sees it');
  // Level 2 approves by initialling with the USB token.
  const agent = await startAgentWithToken(demo);
  try {
    await routeToAgent(page, agent);
    await page.goto(url);
    await page.fill('#initial-agent-code', agent.code);
    await page.fill('#initial-pin', '1234');
    await page.click('#initial-button');
    await page.waitForSelector('#signature-panel', { timeout: 60_000 });
    const panel = await page.locator('#signature-panel').innerText();
    check(panel.includes('KyNhay_'), `the initial is on the draft: ${panel}`);
  } finally {
    agent.stop();
  }
  await as(page, base, 'lanhdao.ubnd');
  check((await myWork(page, base, 'to-sign')).includes(REVISED), 'the chairman sees it to sign');
}

async function clerkIssuesAndTheRegisterNamesTheSigner(page, base, url) {
  await as(page, base, 'vanthu.ubnd');
  check((await myWork(page, base, 'to-issue')).includes(REVISED), 'the clerk sees it to issue');
  await page.goto(url);
  await submit(page, 'form[action$="/issue"] button');
  check(nfc(await bodyText(page)).includes('Đã ban hành'), 'issued');
  const panel = await page.locator('#signature-panel').innerText();
  for (const field of ['KyNhay_', 'ChuKyLanhDao', 'ChuKyCoQuan']) {
    check(panel.includes(field), `the issued file carries ${field}: ${panel}`);
  }
  await page.goto(`${base}/registers?book=di`);
  const row = nfc(await page.locator(`tr:has-text("${REVISED.slice(0, 30)}")`).first().innerText());
  check(row.includes(SIGNER), `the register names the chairman: ${row}`);
}

/** One level (the deputy chairwoman), who initials from her phone; the chairman signs. */
async function initialledFromThePhone(browser, page, base) {
  const subject = 'Công văn về việc ký nháy từ điện thoại';
  await as(page, base, 'chuyenvien.vp');
  await page.goto(`${base}/outgoing/new`);
  await page.fill('#subject', subject);
  await page.setInputFiles('#file', { name: 'cong-van.pdf', mimeType: 'application/pdf', buffer: minimalPdf('Cong van') });
  await submit(page, 'main form[action="/outgoing"] button[type=submit]');
  const url = page.url();
  await choose(page, '#level1', [LEVEL2]);
  await choose(page, '#signer_id', [SIGNER]);
  await submit(page, '#route-submit');
  await reviewerInitialsWithThePhone(browser, base, url, subject, 'pholanhdao.ubnd');
  await as(page, base, 'lanhdao.ubnd');
  check((await myWork(page, base, 'to-sign')).includes(subject), 'the chairman sees it to sign');
  await leaderSignsWithThePhone(browser, base, url, subject);
  await page.goto(url);
  const panel = await page.locator('#signature-panel').innerText();
  check(panel.includes('KyNhay_') && panel.includes('ChuKyLanhDao'), `both on the file: ${panel}`);
}

await runScenarios([
  [
    'two-level route, returned with a reason, version 2, approved and initialled, signed on the phone, issued',
    async ({ browser, page, demo }) => {
      const url = await officerDrafts(page, demo.base);
      await levelOneReturns(page, demo.base, url);
      await officerRevises(page, demo.base, url);
      await bothLevelsApprove(page, demo, url);
      await leaderSignsWithThePhone(browser, demo.base, url, REVISED);
      await clerkIssuesAndTheRegisterNamesTheSigner(page, demo.base, url);
    },
  ],
  [
    'a reviewer initials from the phone, the chairman signs on top',
    async ({ browser, page, demo }) => initialledFromThePhone(browser, page, demo.base),
  ],
]);
