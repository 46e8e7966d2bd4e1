// Work dossiers in the browser (issue 10 §2): the officer opens a dossier from the menu,
// files a document into it from the document's page, sees it listed in the dossier and
// closes it; the clerk hands it to the agency's archive. Pages without scripts, forms only.

import {
  bodyText, check, login, newPage, runScenarios, submit,
} from '../lib.mjs';

await runScenarios([
  ['open a dossier, file a document, close it, hand it to the archive', async ({ browser, page, demo }) => {
    const { base } = demo;
    await login(page, base, 'chuyenvien.vp');
    await page.goto(`${base}/outgoing`);
    await Promise.all([page.waitForURL(/\/dossiers$/), page.click('header.top nav a[href="/dossiers"]')]);
    await page.fill('#d-code', 'HS.12');
    await page.fill('#d-title', 'Hồ sơ triển khai chữ ký số năm 2026');
    await page.selectOption('#d-retention', '20');
    await submit(page, '#open-dossier button[type=submit]');
    const dossierUrl = page.url();
    check(/\/dossiers\/[0-9a-f]+$/.test(dossierUrl), `the dossier page: ${dossierUrl}`);
    check((await page.locator('#dossier-code').innerText()) === 'HS.12', 'the code is shown');

    await page.goto(`${base}/outgoing`);
    const doc = await page.locator('a.doc-link').first().getAttribute('href');
    const subject = (await page.locator('a.doc-link').first().innerText()).normalize('NFC');
    await page.goto(`${base}${doc}`);
    await page.selectOption('#file-dossier', { label: 'HS.12 · Hồ sơ triển khai chữ ký số năm 2026' });
    await submit(page, '#file-form button[type=submit]');
    check((await page.locator('#dossier-box').innerText()).includes('HS.12'), 'the document says where it is filed');

    await page.goto(dossierUrl);
    const listed = (await page.locator('#dossier-documents a.doc-link').allInnerTexts()).map((s) => s.normalize('NFC'));
    check(listed.includes(subject), `the dossier lists the document: ${listed}`);
    await submit(page, '#close-dossier button[type=submit]');
    check((await bodyText(page)).includes('Đã kết thúc'), 'closed');
    check((await page.locator('#archive-dossier').count()) === 0, 'only the clerk hands over');

    const clerk = await newPage(browser);
    await login(clerk, base, 'vanthu.ubnd');
    await clerk.goto(dossierUrl);
    await submit(clerk, '#archive-dossier button[type=submit]');
    check((await clerk.locator('#dossier-state').innerText()).normalize('NFC') === 'Đã nộp lưu', 'archived');
    await clerk.goto(`${base}/dossiers?state=archived`);
    check((await clerk.locator('#dossiers a.dossier-link').allInnerTexts()).some((t) => t.normalize('NFC').includes('chữ ký số năm 2026')),
      'the archived list holds it');
  }],
]);
