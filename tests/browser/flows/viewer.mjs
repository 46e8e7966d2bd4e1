// Reading a PDF on the page (issue 13 §5): the clerk registers an incoming document whose
// PDF carries a leader's visible signature (made with `signet sign` and a certificate from
// the demo CA); its page offers "Xem"; pdf.js renders the page under Signet's CSP (no
// console error, nothing blocked), the signature box is drawn with its verdict, a search
// typed without Vietnamese marks finds the marked word, zoom changes the page's size, and
// on a 390-pixel phone nothing scrolls sideways.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bodyText, check, login, minimalPdf, newPage, runScenarios, STEP_TIMEOUT_MS, submit,
} from '../lib.mjs';

function signedPdf(demo) {
  const run = (args) => {
    const r = spawnSync(demo.bin, args, { encoding: 'utf8', env: { ...process.env, SIGNET_KEY_PASSWORD: 'mat-khau-p12' } });
    check(r.status === 0, `signet ${args[0]} ${args[1] ?? ''}: ${r.stdout}${r.stderr}`);
  };
  const dir = demo.tmp;
  run(['ca', 'issue', '--dir', join(demo.dataDir, 'ca'), '--kind', 'person', '--name', 'Nguyễn Văn Hùng',
    '--agency', '000.00.00.H99', '--agency-name', 'Ủy ban nhân dân tỉnh Lạc Hồng', '--out', join(dir, 'hung')]);
  // "Ký xác nhận" in WinAnsi: ý and á are Latin-1; the search below types it without marks.
  writeFileSync(join(dir, 'plain.pdf'), minimalPdf('Van ban K\xfd x\xe1c nhan so 7'));
  run(['sign', join(dir, 'plain.pdf'), '--out', join(dir, 'signed.pdf'), '--p12', join(dir, 'hung.p12'),
    '--role', 'personal', '--level', 'B-B']);
  return readFileSync(join(dir, 'signed.pdf'));
}

async function registerIncoming(page, base, pdf) {
  await login(page, base, 'vanthu.ubnd');
  await page.goto(`${base}/incoming/new`);
  await page.fill('#subject', 'Văn bản có chữ ký để xem trên trang');
  await page.fill('#author_name', 'Sở Nội vụ');
  await page.fill('#notation', '7/SNV-VP');
  await page.setInputFiles('input[type=file]', { name: 'ky-xac-nhan.pdf', mimeType: 'application/pdf', buffer: pdf });
  await submit(page, 'form[enctype="multipart/form-data"] button[type=submit]');
  check(/\/documents\//.test(page.url()), `registered: ${page.url()} ${(await bodyText(page)).slice(0, 300)}`);
  return page.url();
}

function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  // pdf.js may cancel its own fetch of the file once it has what it needs (ERR_ABORTED):
  // that is the client's choice, not a failure.
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (!why.includes('ERR_ABORTED')) errors.push(`failed: ${r.url()} ${why}`);
  });
  return errors;
}

await runScenarios([
  ['read a signed PDF on the page: pages, signature verdict, search, zoom, phone', async ({ browser, page, demo }) => {
    const { base } = demo;
    await registerIncoming(page, base, signedPdf(demo));
    const view = page.locator('a.view-link').first();
    check((await view.count()) === 1, 'the document page offers "Xem" for the PDF');
    const href = await view.getAttribute('href');

    const errors = watchErrors(page);
    await page.goto(`${base}${href}`);
    await page.waitForSelector('#pdf-viewer[data-ready="1"]', { timeout: STEP_TIMEOUT_MS });
    await page.waitForSelector('.pdf-page canvas[data-rendered="1"]', { timeout: STEP_TIMEOUT_MS });
    const inked = await page.evaluate(() => {
      const c = document.querySelector('.pdf-page canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 128 && d[i + 3] > 0) dark++;
      return dark;
    });
    check(inked > 50, `the page is drawn, not blank (${inked} dark pixels)`);
    check((await page.locator('#viewer-pages').innerText()) === '1', 'one page');

    await page.waitForSelector('.sig-box', { timeout: STEP_TIMEOUT_MS });
    const box = page.locator('.sig-box').first();
    const cls = await box.getAttribute('class');
    const label = await box.innerText();
    check(/sig-valid/.test(cls), `the signature box shows it valid: ${cls} ${label}`);
    check(label.includes('Nguyễn Văn Hùng'), `the box names the signer: ${label}`);
    const size = await box.boundingBox();
    check(size.width > 20 && size.height > 10, `the box has the field's size: ${JSON.stringify(size)}`);

    await page.fill('#viewer-query', 'ky xac');
    await page.press('#viewer-query', 'Enter');
    await page.waitForSelector('.pdf-hit', { timeout: STEP_TIMEOUT_MS });
    check((await page.locator('#viewer-found').innerText()).startsWith('1 '), 'one result for "ky xac"');
    await page.fill('#viewer-query', 'khong co chu nay');
    await page.press('#viewer-query', 'Enter');
    await page.waitForFunction(() => document.getElementById('viewer-found').textContent.includes('Không tìm thấy'));
    check((await page.locator('.pdf-hit').count()) === 0, 'no highlight for a word that is not there');

    const before = (await page.locator('.pdf-page').first().boundingBox()).width;
    await page.click('#viewer-zoom-in');
    await page.waitForFunction((w) => document.querySelector('.pdf-page').getBoundingClientRect().width > w * 1.2, before);
    check(errors.length === 0, `no console error or failed request: ${errors.join(' | ')}`);

    const phone = await newPage(browser, { width: 390, height: 844 });
    const phoneErrors = watchErrors(phone);
    await login(phone, base, 'vanthu.ubnd');
    await phone.goto(`${base}${href}`);
    await phone.waitForSelector('.pdf-page canvas[data-rendered="1"]', { timeout: STEP_TIMEOUT_MS });
    const sideways = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(sideways <= 0, `no sideways scrolling at 390 px (${sideways} px)`);
    const pageWidth = (await phone.locator('.pdf-page').first().boundingBox()).width;
    check(pageWidth <= 390 && pageWidth > 250, `the page fits the phone's width (${pageWidth} px)`);
    check(phoneErrors.length === 0, `no console error on the phone: ${phoneErrors.join(' | ')}`);
  }],
  ['without scripts the viewer still offers the file', async ({ browser, demo }) => {
    const { base } = demo;
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'vi-VN' });
    const page = await context.newPage();
    const href = await registerIncoming(page, base, minimalPdf('Khong can JavaScript'));
    await page.goto(href);
    const view = await page.locator('a.view-link').first().getAttribute('href');
    await page.goto(`${base}${view}`);
    const text = await bodyText(page);
    check(text.includes('Cần bật JavaScript'), `the page says why nothing is drawn: ${text.slice(0, 300)}`);
    const dl = await page.locator('#viewer-download').getAttribute('href');
    const r = await page.request.get(`${base}${dl}`);
    check(r.status() === 200 && (await r.body()).subarray(0, 5).toString() === '%PDF-', 'the download link serves the PDF');
  }],
]);
