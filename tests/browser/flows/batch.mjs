// Batch signing (issue 9 §4) on /signing-batch. Server-held key: the administrator allows
// it; the officer submits two drafts; the leader selects both and signs them with one PIN
// (each its own PAdES signature, key in the server's HSM) — a plain form, no script needed.
// USB token: the page's script prepares both, the local agent (SoftHSM2) signs the two
// digests after one PIN, the script completes each. Phone: one request of two hashes that
// the leader's phone (a second browser context) approves once on /sign-requests. Each time
// the clerk selects both and issues them in one action, and each issued PDF passes pdfsig
// (two valid signatures, the seal covering the whole document) and pyHanko (both VALID, the
// changes after the leader's signature form filling).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bodyText, check, DEMO_PASSWORD, login, minimalPdf, newPage, nfc, REPO_ROOT, runScenarios,
  STEP_TIMEOUT_MS, submit,
} from '../lib.mjs';
import { routeToAgent, startAgentWithToken } from '../token.mjs';

const TEMPLATE_DRAFT = 'Tờ trình về việc bố trí kinh phí';

async function adminAllowsServerKeys(page, base) {
  await login(page, base, 'quantri.ubnd');
  await page.goto(`${base}/admin`);
  const box = page.locator('#server-keys-form input[name=enabled]');
  check(await box.count() === 1, 'the administration page offers the server-held key setting');
  await box.check();
  await submit(page, '#server-keys-form button');
  check(await page.locator('#server-keys-form input[name=enabled]').isChecked(), 'the setting is saved');
}

async function officerSubmitsTwo(page, base, tmp) {
  await page.context().clearCookies();
  await login(page, base, 'chuyenvien.vp');
  const subject = nfc(`Công văn ký theo lô ${Date.now()}`);
  const pdfPath = join(tmp, 'lo.pdf');
  writeFileSync(pdfPath, minimalPdf('Signet batch'));
  await page.goto(`${base}/outgoing/new`);
  await page.selectOption('select[name=doc_type]', 'cong-van');
  await page.fill('input[name=subject]', subject);
  await page.setInputFiles('input[name=file]', pdfPath);
  await submit(page, 'main form[action="/outgoing"] button[type=submit]');
  const ids = [new URL(page.url()).pathname.split('/').pop()];
  await submit(page, '#route-submit');
  await page.goto(`${base}/outgoing`);
  await page.click(`a:has-text("${TEMPLATE_DRAFT}")`);
  await page.waitForLoadState('load');
  ids.push(new URL(page.url()).pathname.split('/').pop());
  await submit(page, '#route-submit');
  return ids;
}

/** Checks exactly `ids` among the list's boxes of `prefix` (`s-` to sign, `i-` to issue). */
async function select(page, prefix, ids) {
  for (const box of await page.locator(`input[name=document_ids][id^="${prefix}"]`).all()) {
    await box.setChecked(false);
  }
  for (const id of ids) await page.check(`#${prefix}${id}`);
}

async function leaderSignsTheBatch(page, base, ids) {
  await page.context().clearCookies();
  await login(page, base, 'lanhdao.ubnd');
  await page.goto(`${base}/signing-batch`);
  await select(page, 's-', ids);
  // A wrong PIN first: a clear refusal, nothing signed.
  await page.fill('#batch-pin', 'khong-dung');
  await submit(page, '#batch-sign-server');
  check(/PIN/.test(await bodyText(page)), 'a wrong PIN is explained');
  await page.goto(`${base}/signing-batch`);
  for (const id of ids) check(await page.locator(`#s-${id}`).count() === 1, 'still waiting after a wrong PIN');
  await select(page, 's-', ids);
  await page.fill('#batch-pin', DEMO_PASSWORD);
  await submit(page, '#batch-sign-server');
  check((await bodyText(page)).includes(': 2'), `two signed: ${(await bodyText(page)).slice(0, 300)}`);
  for (const id of ids) check(await page.locator(`#s-${id}`).count() === 0, 'signed documents leave the list');
}

/** pyHanko from the workspace's venv or PATH, if installed. */
function pyhanko() {
  const venv = join(REPO_ROOT, '.venv', 'bin', 'pyhanko');
  if (existsSync(venv)) return venv;
  const found = spawnSync('pyhanko', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? 'pyhanko' : null;
}

function checkIssuedPdf(path, demo) {
  let out = '';
  try {
    out = execFileSync('pdfsig', ['-nocert', path], { encoding: 'utf8' });
  } catch (e) {
    out = `${e.stdout || ''}${e.stderr || ''}`;
  }
  check((out.match(/Signature is Valid/g) || []).length === 2, `pdfsig: two valid signatures:\n${out}`);
  check(out.includes('Total document signed'), `pdfsig: the seal covers the document:\n${out}`);
  const tool = pyhanko();
  if (!tool) {
    console.log('pyHanko missing: its check is skipped');
    return;
  }
  const root = join(demo.dataDir, 'ca', 'root.pem');
  check(existsSync(root), `the demo CA's root certificate is at ${root}`);
  const r = spawnSync(tool, ['sign', 'validate', '--pretty-print', '--no-revocation-check',
    '--trust', root, path], { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  check((text.match(/judged VALID/g) || []).length === 2, `pyHanko: two VALID signatures:\n${text}`);
  check(text.includes('All modifications relate to signing and form filling operations'),
    `pyHanko: the leader's signature is followed by form filling only:\n${text}`);
}

async function clerkIssuesTheBatch(page, base, ids, demo) {
  await page.context().clearCookies();
  await login(page, base, 'vanthu.ubnd');
  await page.goto(`${base}/signing-batch`);
  await select(page, 'i-', ids);
  await submit(page, '#batch-issue-button');
  for (const id of ids) {
    await page.goto(`${base}/documents/${id}`);
    const text = await bodyText(page);
    check(text.includes('Đã ban hành'), `issued: ${text.slice(0, 300)}`);
    const href = await page.getAttribute('#download-current', 'href');
    const res = await page.request.get(`${base}${href}`);
    check(res.status() === 200, `download: ${res.status()}`);
    const path = join(demo.tmp, `${id}.pdf`);
    writeFileSync(path, await res.body());
    checkIssuedPdf(path, demo);
  }
}

/** Without script the page offers the PIN form only; the device controls stay hidden. */
async function withoutScript(browser, base) {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'vi-VN' });
  const page = await context.newPage();
  await login(page, base, 'lanhdao.ubnd');
  await page.goto(`${base}/signing-batch`);
  check(await page.locator('#batch-pin').isVisible(), 'without script: the PIN path is offered');
  check(!(await page.locator('#batch-sign-device').isVisible()), 'without script: no device button');
  await context.close();
}

/** The leader sets a JPEG signature image on their page: a damaged one is refused saying
 * so, the good one shows in the preview (and is drawn in the signatures that follow). */
async function leaderSetsAJpegImage(browser, demo) {
  const page = await newPage(browser);
  await login(page, demo.base, 'lanhdao.ubnd');
  await page.click('#profile-link');
  await page.waitForSelector('#signature-image-form');
  const jpeg = readFileSync(join(REPO_ROOT, 'crates', 'signet-testkit', 'fixtures', 'signature.jpg'));
  const damaged = join(demo.tmp, 'hong.jpg');
  writeFileSync(damaged, jpeg.subarray(0, jpeg.length >> 1)); // an upload cut short
  await page.setInputFiles('#signature-image-form input[name=image]', damaged);
  await submit(page, '#signature-image-form button[type=submit]');
  const refused = await bodyText(page);
  check(/Tệp ảnh chữ ký bị hỏng/.test(refused), `a damaged JPEG is refused clearly: ${refused.slice(0, 300)}`);
  await page.goto(`${demo.base}/profile`);
  check(await page.locator('#signature-none').count() === 1, 'nothing stored after the refusal');
  const good = join(demo.tmp, 'chu-ky.jpg');
  writeFileSync(good, jpeg);
  await page.setInputFiles('#signature-image-form input[name=image]', good);
  await submit(page, '#signature-image-form button[type=submit]');
  check(await page.locator('#image-done').count() === 1, 'saved');
  const width = await page.locator('#signature-preview').evaluate((img) => img.complete && img.naturalWidth);
  check(width === 300, `the preview shows the uploaded JPEG (natural width ${width})`);
  await page.context().close();
}

async function leaderSignsWithTheToken(browser, demo, ids) {
  const agent = await startAgentWithToken(demo);
  try {
    const desk = await newPage(browser);
    await login(desk, demo.base, 'lanhdao.ubnd');
    await routeToAgent(desk, agent);
    await desk.goto(`${demo.base}/signing-batch`);
    await select(desk, 's-', ids);
    await desk.selectOption('#batch-device', 'agent');
    // A wrong token PIN first: the agent refuses, the page says so, nothing is signed.
    await desk.fill('#batch-agent-code', agent.code);
    await desk.fill('#batch-agent-pin', '9999');
    await desk.click('#batch-sign-device');
    await desk.waitForFunction(() => /PIN|pin/.test(document.getElementById('batch-status').textContent)
      && !document.getElementById('batch-sign-device').disabled, null, { timeout: STEP_TIMEOUT_MS });
    await desk.goto(`${demo.base}/signing-batch`);
    for (const id of ids) check(await desk.locator(`#s-${id}`).count() === 1, 'still waiting after a wrong token PIN');
    await select(desk, 's-', ids);
    await desk.selectOption('#batch-device', 'agent');
    await desk.fill('#batch-agent-pin', '1234');
    await desk.click('#batch-sign-device');
    await desk.waitForSelector('#batch-done', { timeout: 60_000 });
    check((await desk.locator('#batch-done').innerText()).includes(': 2'), 'two signed with the token');
    for (const id of ids) check(await desk.locator(`#s-${id}`).count() === 0, 'signed documents leave the list');
    // One confirmation for the batch: the agent saw one request of two digests that
    // succeeded (after the refused one).
    const out = agent.output();
    check((out.match(/: 2 signature\(s\)/g) || []).length === 2, `the agent saw two requests of two digests:\n${out}`);
    check((out.match(/→ ok/g) || []).length === 1, `one confirmation signed the batch:\n${out}`);
    await desk.context().close();
  } finally {
    agent.stop();
  }
}

async function leaderSignsWithThePhone(browser, base, ids) {
  const desk = await newPage(browser);
  await login(desk, base, 'lanhdao.ubnd');
  await desk.goto(`${base}/signing-batch`);
  await select(desk, 's-', ids);
  await desk.selectOption('#batch-device', 'phone');
  check(!(await desk.locator('#batch-agent-pin').isVisible()), 'the phone needs no PIN on the desk');
  await desk.click('#batch-sign-device');
  const phone = await newPage(browser, { width: 390, height: 844 });
  await login(phone, base, 'lanhdao.ubnd');
  await phone.goto(`${base}/sign-requests`);
  await phone.waitForSelector('.sign-request', { timeout: STEP_TIMEOUT_MS });
  check(await phone.locator('.sign-request').count() === 1, 'one request for the whole batch');
  const request = await phone.locator('.sign-request').innerText();
  check(/\b2\b/.test(request), `the request is for two hashes: ${request}`);
  await phone.fill('.sign-request input[name=pin]', DEMO_PASSWORD);
  await submit(phone, '.sign-request button[name=approve]');
  await desk.waitForSelector('#batch-done', { timeout: 60_000 });
  check((await desk.locator('#batch-done').innerText()).includes(': 2'), 'two signed from the phone');
  for (const id of ids) check(await desk.locator(`#s-${id}`).count() === 0, 'signed documents leave the list');
  await phone.context().close();
  await desk.context().close();
}

const softhsm = spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' });
if (softhsm.status !== 0) {
  console.log('SoftHSM2 missing: the server-held key needs an HSM; skipped');
  console.log('0 passed, 0 failed');
  process.exit(0);
}

await runScenarios([
  [
    'the leader signs two documents with one PIN (server-held key), the clerk issues both',
    async ({ browser, page, demo }) => {
      await adminAllowsServerKeys(page, demo.base);
      const ids = await officerSubmitsTwo(page, demo.base, demo.tmp);
      await withoutScript(browser, demo.base);
      await leaderSignsTheBatch(page, demo.base, ids);
      await clerkIssuesTheBatch(page, demo.base, ids, demo);
    },
  ],
  [
    'the leader sets a JPEG signature image, signs two documents with the USB token (one PIN on the agent), the clerk issues both',
    async ({ browser, page, demo }) => {
      const ids = await officerSubmitsTwo(page, demo.base, demo.tmp);
      await leaderSetsAJpegImage(browser, demo);
      await leaderSignsWithTheToken(browser, demo, ids);
      await clerkIssuesTheBatch(page, demo.base, ids, demo);
    },
  ],
  [
    'the leader signs two documents from the phone (one request, approved once), the clerk issues both',
    async ({ browser, page, demo }) => {
      const ids = await officerSubmitsTwo(page, demo.base, demo.tmp);
      await leaderSignsWithThePhone(browser, demo.base, ids);
      await clerkIssuesTheBatch(page, demo.base, ids, demo);
    },
  ],
]);
