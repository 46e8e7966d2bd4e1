// The exchange in the browser: the clerk addresses a draft to another agency of the directory
// (an unknown code is refused with the reason), sees the recipients kept on the page, and finds
// the "Liên thông" page with its received documents and the send log filter; the draft's
// replace / update link refuses a document that was never sent.

import {
  bodyText, check, login, runScenarios, submit,
} from '../lib.mjs';

await runScenarios([
  ['a clerk addresses a draft and opens the exchange page', async ({ page, demo }) => {
    const { base } = demo;
    await login(page, base, 'vanthu.ubnd');
    await page.goto(`${base}/outgoing`);
    const links = await page.locator('a.doc-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    let doc = null;
    for (const href of links) {
      await page.goto(`${base}${href}`);
      if ((await page.locator('#recipients-form').count()) === 1) { doc = href; break; }
    }
    check(doc, `no outgoing document can be addressed among ${links.length}`);
    await page.fill('#recipients', '000.00.99.H99');
    await submit(page, '#recipients-form button[type=submit]');
    const refused = await bodyText(page);
    check(refused.includes('000.00.99.H99') && refused.includes('danh bạ'), `unknown code refused: ${refused.slice(0, 400)}`);
    await page.goto(`${base}${doc}`);
    await page.fill('#recipients', '000.00.02.H99');
    await submit(page, '#recipients-form button[type=submit]');
    check(page.url().includes(doc), `back on the document: ${page.url()}`);
    check(await page.inputValue('#recipients') === '000.00.02.H99', 'the recipient is kept');

    // The same draft may replace (or update) a document sent earlier: a number that was
    // never sent through the exchange is refused, and the draft keeps no link.
    check(await page.locator('#supersedes-form').count() === 1, 'the replace / update form is offered');
    await page.selectOption('#supersedes-kind', 'replace');
    await page.fill('#supersedes-original', '999/UBND-VP');
    await submit(page, '#supersedes-form button[type=submit]');
    const linkRefused = await bodyText(page);
    check(linkRefused.includes('liên thông'), `unknown original refused: ${linkRefused.slice(0, 400)}`);
    await page.goto(`${base}${doc}`);
    check(await page.locator('#supersedes').count() === 0, 'no link kept after a refusal');
    check(await page.locator('#recall-form').count() === 0, 'a draft cannot be recalled');

    await page.goto(`${base}/exchange?state=undeliverable`);
    const text = await bodyText(page);
    check(text.includes('Liên thông văn bản') && text.includes('Nhật ký gửi'), `exchange page: ${text.slice(0, 400)}`);
    check(await page.locator('select[name=state]').inputValue() === 'undeliverable', 'the filter is kept');
  }],
]);
