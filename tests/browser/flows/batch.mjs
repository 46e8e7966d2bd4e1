// Batch signing (issue 9 §4): the administrator allows the server-held key; the officer
// submits two drafts; the leader selects both on /signing-batch and signs them with one PIN
// (each its own PAdES signature, key in the server's HSM); the clerk selects both and issues
// them in one action; each issued PDF passes pdfsig (two valid signatures, the seal covering
// the whole document). Works without script: plain forms.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bodyText, check, DEMO_PASSWORD, login, minimalPdf, nfc, runScenarios, submit,
} from '../lib.mjs';

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
  await submit(page, 'form[action$="/submit"] button');
  await page.goto(`${base}/outgoing`);
  await page.click(`a:has-text("${TEMPLATE_DRAFT}")`);
  await page.waitForLoadState('load');
  ids.push(new URL(page.url()).pathname.split('/').pop());
  await submit(page, 'form[action$="/submit"] button');
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

async function clerkIssuesTheBatch(page, base, ids, tmp) {
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
    const path = join(tmp, `${id}.pdf`);
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
    async ({ page, demo }) => {
      await adminAllowsServerKeys(page, demo.base);
      const ids = await officerSubmitsTwo(page, demo.base, demo.tmp);
      await leaderSignsTheBatch(page, demo.base, ids);
      await clerkIssuesTheBatch(page, demo.base, ids, demo.tmp);
    },
  ],
]);
