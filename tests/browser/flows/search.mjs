// Search in the browser (issue 10 §6): the box in the menu on every page, typing without
// diacritics finds incoming and outgoing documents, the last word is a prefix, the filters
// narrow, a result opens the document; another agency's clerk finds none of them; on a
// 390-pixel phone the page still works.

import {
  bodyText, check, login, newPage, runScenarios,
} from '../lib.mjs';

async function searchFromMenu(page, text) {
  await page.fill('form.top-search input[name=q]', text);
  await Promise.all([
    page.waitForURL(/\/search\?/),
    page.press('form.top-search input[name=q]', 'Enter'),
  ]);
  await page.waitForLoadState('load');
}

async function resultSubjects(page) {
  if ((await page.locator('#search-results').count()) === 0) return [];
  return (await page.locator('#search-results a.doc-link').allInnerTexts()).map((s) => s.normalize('NFC'));
}

await runScenarios([
  ['the menu box finds incoming and outgoing documents without diacritics', async ({ page, demo }) => {
    const { base } = demo;
    await login(page, base, 'vanthu.ubnd');
    await page.goto(`${base}/incoming`);
    await searchFromMenu(page, 'ky so');
    const found = await resultSubjects(page);
    check(found.some((s) => s.startsWith('Về việc triển khai ký số')), `outgoing found: ${found}`);
    check(found.some((s) => s.includes('Thông tư 15/2025')), `incoming found: ${found}`);
    const text = await bodyText(page);
    check(text.includes('Văn bản đến') && text.includes('Văn bản đi'), 'both directions shown');

    // The last word is a prefix: "thong tu 15/20" finds "Thông tư 15/2025/TT-BKHCN".
    await page.fill('#q', 'thong tu 15/20');
    await page.selectOption('#direction', 'incoming');
    await Promise.all([page.waitForURL(/direction=incoming/), page.click('form.filters button[type=submit]')]);
    const prefixed = await resultSubjects(page);
    check(prefixed.length === 1 && prefixed[0].includes('Thông tư 15/2025'), `prefix: ${prefixed}`);
    // The filter narrows: no outgoing document carries these words.
    await page.selectOption('#direction', 'outgoing');
    await Promise.all([page.waitForURL(/direction=outgoing/), page.click('form.filters button[type=submit]')]);
    check((await page.locator('#search-empty').count()) === 1, 'nothing outgoing');

    // A result opens its document.
    await searchFromMenu(page, 'van phong chinh phu');
    await Promise.all([page.waitForURL(/\/documents\//), page.locator('#search-results a.doc-link').first().click()]);
    check((await bodyText(page)).includes('7816/VPCP-KSTT'), 'the document page opened');
  }],
  ['another agency finds nothing of ours; the page works on a phone', async ({ browser, demo }) => {
    const { base } = demo;
    const phone = await newPage(browser, { width: 390, height: 844 });
    await login(phone, base, 'vanthu.snv');
    await phone.goto(`${base}/search?q=${encodeURIComponent('trien khai ky so')}`);
    const theirs = await resultSubjects(phone);
    check(!theirs.some((s) => s.includes('cơ quan nhà nước năm 2026')), `isolation: ${theirs}`);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390 + 1, `no horizontal scrolling on a phone: ${width}px`);
    await phone.goto(`${base}/search?q=ky&from=2026-05-02&to=2026-05-01`);
    check((await bodyText(phone)).includes('422'), 'a reversed date range is refused');
  }],
]);
