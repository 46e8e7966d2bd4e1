// Electronic copies in the browser (issue 13 §7): a paper original without a file asks for
// a scan; the clerk registers an incoming document with its PDF, asks for a trích sao of a page it does not have (refused beside the form, in
// Vietnamese), then makes a sao y: the copy's page names its number from the copies register
// and links the original, its sealed PDF downloads under the notation's name, the original's
// page lists it, and so does the copies register — on a phone too, without sideways scrolling.

import {
  bodyText, check, login, minimalPdf, nfc, runScenarios, submit,
} from '../lib.mjs';

await runScenarios([
  ['the clerk copies an incoming document: refused page range, sao y sealed, register', async ({ page, demo }) => {
    const { base } = demo;
    await login(page, base, 'vanthu.ubnd');
    // A paper original registered without a file: copying it asks for a scan, in words.
    await page.goto(`${base}/incoming`);
    const paper = await page.locator('a.doc-link').first().getAttribute('href');
    await page.goto(`${base}${paper}`);
    if (await page.locator('a[href*="/files/"]').count() === 0) {
      await page.fill('#copy-recipients', 'Sở Nội vụ');
      await submit(page, '#copy-form button[type=submit]');
      const asked = nfc(await bodyText(page));
      check(asked.includes('bản quét văn bản giấy'), `a scan is asked for: ${asked.slice(0, 300)}`);
    }

    // An incoming document registered with its PDF (two pages).
    await page.goto(`${base}/incoming/new`);
    await page.fill('#author_name', 'Sở Tài chính tỉnh Lạc Hồng');
    await page.fill('#notation', '45/STC-NS');
    await page.fill('#subject', 'Công văn về dự toán ngân sách cần sao gửi');
    await page.setInputFiles('#file', { name: 'cv-den.pdf', mimeType: 'application/pdf', buffer: minimalPdf('Cong van den') });
    await submit(page, 'main form button[type=submit]');
    const original = new URL(page.url()).pathname;
    check(/^\/documents\/[0-9a-f]+$/.test(original), `registered: ${original}`);
    check(await page.locator('#copy-form').count() === 1, 'the page offers "Sao văn bản"');

    await page.selectOption('#copy-kind', 'trich_sao');
    await page.fill('#copy-pages', '99');
    await page.fill('#copy-recipients', 'Sở Nội vụ');
    await submit(page, '#copy-form button[type=submit]');
    const refused = nfc(await bodyText(page));
    check(refused.includes('không phải số trang'), `a page it does not have is refused: ${refused.slice(0, 300)}`);

    await page.goto(`${base}${original}`);
    await page.selectOption('#copy-kind', 'sao_y');
    await page.fill('#copy-recipients', 'Sở Nội vụ\nLưu: VT');
    await submit(page, '#copy-form button[type=submit]');
    check(/\/copies\/[0-9a-f]+$/.test(page.url()), `the copy's page: ${page.url()}`);
    const copyUrl = page.url();
    const heading = nfc(await page.locator('h1').innerText());
    const notation = heading.match(/\d+\/SY-[A-Z0-9Đ-]+/u)?.[0];
    check(heading.includes('SAO Y') && notation, `numbered from the copies register: ${heading}`);
    check(await page.locator(`#copy-original[href="${original}"]`).count() === 1, 'it links the original');
    check(nfc(await bodyText(page)).includes('Đã ký số'), 'sealed');

    const file = await page.request.get(`${copyUrl}/file`);
    check(file.status() === 200, `the file: ${file.status()}`);
    check(file.headers()['content-type'] === 'application/pdf', 'a PDF');
    const name = notation.normalize('NFD').replace(/\p{M}/gu, '').replace('Đ', 'D').replaceAll('/', '-');
    check(file.headers()['content-disposition'].includes(`${name}.pdf`), `named ${name}.pdf: ${file.headers()['content-disposition']}`);
    const pdf = await file.body();
    check(pdf.subarray(0, 5).toString() === '%PDF-', 'a PDF body');

    await page.goto(`${base}${original}`);
    check(await page.locator(`a[href="${new URL(copyUrl).pathname}"]`).count() >= 1, 'the original lists the copy');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/copies`);
    check(nfc(await bodyText(page)).includes(notation), `the copies register lists ${notation}`);
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(sideways <= 0, `the register fits a phone (${sideways} px too wide)`);
  }],
]);
