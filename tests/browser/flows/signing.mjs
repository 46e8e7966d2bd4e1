// Signing from the document page (issue 9): the officer marks the leader's box on the page
// preview and submits; the leader signs with the phone (a second browser context is the
// leader's phone and approves on /sign-requests); the clerk issues ("Ban hành": number
// written on the PDF, sealed with the agency's key); the issued PDF passes pdfsig (two valid
// signatures, the last covering the whole document).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bodyText, check, login, newPage, runScenarios, STEP_TIMEOUT_MS, submit,
} from '../lib.mjs';
import { leaderSignsWithThePhone } from '../phone.mjs';
import { routeToAgent, startAgentWithToken } from '../token.mjs';

// The demo's draft (by chuyenvien.vp) made from the template with the number fields.
const SUBJECT = 'Tờ trình về việc bố trí kinh phí';

async function openDocument(page, base, list) {
  await page.goto(`${base}/${list}`);
  await page.click(`a:has-text("${SUBJECT}")`);
  await page.waitForLoadState('load');
  return page.url();
}

async function officerMarksAndSubmits(page, base) {
  await login(page, base, 'chuyenvien.vp');
  const url = await openDocument(page, base, 'outgoing');
  // Click on the page preview, lower right: the box is marked through the API.
  const preview = page.locator('#page-preview');
  await preview.waitFor({ state: 'visible' });
  // The drafting section comes first on the page: bring the preview into the viewport.
  await preview.scrollIntoViewIfNeeded();
  const box = await preview.boundingBox();
  await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.85);
  await page.waitForFunction(() => !document.getElementById('mark-box').hidden, null, { timeout: STEP_TIMEOUT_MS });
  const markText = await page.locator('#mark-text').innerText();
  check(/Trang 1/.test(markText), `the mark is shown: ${markText}`);
  // The keyboard fallback refuses a page that does not exist, with a clear 4xx.
  await page.fill('#mark-page', '7');
  const refused = await page.evaluate(async () => {
    const f = document.getElementById('mark-form');
    const r = await fetch(f.action, { method: 'POST', body: new URLSearchParams(new FormData(f)) });
    return r.status;
  });
  check(refused >= 400 && refused < 500, `a page outside the document is refused (got ${refused})`);
  await page.goto(url);
  await submit(page, '#route-submit');
  check((await bodyText(page)).includes('Đã trình ký'), 'submitted');
  return url;
}

async function clerkIssuesAndDownloads(page, base, url, dir) {
  await page.context().clearCookies();
  await login(page, base, 'vanthu.ubnd');
  await page.goto(url);
  await submit(page, 'form[action$="/issue"] button');
  const text = await bodyText(page);
  check(text.includes('Đã ban hành'), `issued: ${text.slice(0, 400)}`);
  check(text.includes('ChuKyCoQuan'), 'the panel lists the seal');
  const href = await page.getAttribute('#download-current', 'href');
  const res = await page.request.get(`${base}${href}`);
  check(res.status() === 200, `download: ${res.status()}`);
  const path = join(dir, 'issued.pdf');
  writeFileSync(path, await res.body());
  let out = '';
  try {
    out = execFileSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
  } catch (e) {
    out = `${e.stdout || ''}${e.stderr || ''}`;
  }
  check((out.match(/Signature is Valid/g) || []).length === 2, `pdfsig: two valid signatures:\n${out}`);
  check(out.includes('Total document signed'), `pdfsig: the seal covers the document:\n${out}`);
}

async function leaderSignsWithTheToken(browser, demo, url) {
  const agent = await startAgentWithToken(demo);
  try {
    const desk = await newPage(browser);
    await login(desk, demo.base, 'lanhdao.ubnd');
    await routeToAgent(desk, agent);
    await desk.goto(url);
    await desk.selectOption('#sign-device', 'agent');
    await desk.fill('#agent-code', agent.code);
    await desk.fill('#sign-pin', '1234');
    await desk.click('#sign-button');
    await desk.waitForSelector('#signature-panel', { timeout: 60_000 });
    const text = await bodyText(desk);
    check(text.includes('Đã ký') && text.includes('ChuKyLanhDao'), `signed: ${text.slice(0, 400)}`);
    await desk.context().close();
  } finally {
    agent.stop();
  }
}

await runScenarios([
  [
    'officer marks, leader signs with the USB token through the agent, clerk issues with the seal',
    async ({ browser, page, demo }) => {
      const url = await officerMarksAndSubmits(page, demo.base);
      await leaderSignsWithTheToken(browser, demo, url);
      await clerkIssuesAndDownloads(page, demo.base, url, demo.tmp);
    },
  ],
  [
    'officer marks, leader signs on the phone, clerk issues with the seal',
    async ({ browser, page, demo }) => {
      const url = await officerMarksAndSubmits(page, demo.base);
      await leaderSignsWithThePhone(browser, demo.base, url, SUBJECT);
      await clerkIssuesAndDownloads(page, demo.base, url, demo.tmp);
    },
  ],
]);
