// Processing an incoming document in the browser: the clerk presents it, the leader's bad
// direction is refused and a good one assigns it, the officer finds it in "Việc cần xử lý",
// writes a note and completes it; then the statistics page on a 390-pixel phone: the table,
// the SVG charts, sorting by a column and the CSV export.

import {
  bodyText, check, login, newPage, runScenarios, submit,
} from '../lib.mjs';

async function firstIncoming(page, base) {
  await page.goto(`${base}/incoming`);
  const href = await page.locator('a.doc-link').first().getAttribute('href');
  check(href && href.startsWith('/documents/'), `no incoming document listed: ${href}`);
  return href;
}

await runScenarios([
  ['present, direct, process and complete an incoming document', async ({ browser, page, demo }) => {
    const { base } = demo;
    await login(page, base, 'vanthu.ubnd');
    const doc = await firstIncoming(page, base);
    await page.goto(`${base}${doc}`);
    await submit(page, `form[action="${doc}/present"] button`);
    check((await bodyText(page)).includes('Đã trình'), 'presented');

    const leader = await newPage(browser);
    await login(leader, base, 'lanhdao.ubnd');
    await leader.goto(`${base}${doc}`);
    // A deadline in the past is refused with the reason.
    await leader.fill('#instruction-in', 'Giao Văn phòng chủ trì tham mưu trả lời.');
    await leader.selectOption('#lead', { label: 'Trần Văn Nam' });
    await leader.fill('#deadline-in', '2020-01-01');
    await submit(leader, '#assign-form button[type=submit]');
    const refused = await bodyText(leader);
    check(refused.includes('đã qua'), `past deadline refused: ${refused.slice(0, 400)}`);
    await leader.goto(`${base}${doc}`);
    await leader.fill('#instruction-in', 'Giao Văn phòng chủ trì tham mưu trả lời.');
    await leader.selectOption('#lead', { label: 'Trần Văn Nam' });
    await leader.fill('#working-days', '5');
    await submit(leader, '#assign-form button[type=submit]');
    const directed = await bodyText(leader);
    check(directed.includes('Đã phân công'), `assigned: ${directed.slice(0, 400)}`);
    check(
      (await leader.locator('#instruction').innerText()).includes('Giao Văn phòng chủ trì'),
      'the direction is shown',
    );

    const officer = await newPage(browser);
    await login(officer, base, 'chuyenvien.vp');
    await officer.goto(`${base}/queue`);
    const link = officer.locator(`#queue a[href="${doc}"]`);
    check((await link.count()) === 1, 'the document is in the officer\'s queue');
    await link.click();
    await officer.waitForLoadState('load');
    await officer.fill('#note', 'Đã dự thảo văn bản trả lời, trình lãnh đạo xem xét.');
    await submit(officer, '#note-form button[type=submit]');
    check((await bodyText(officer)).includes('Đã dự thảo văn bản trả lời'), 'the note is shown');
    await submit(officer, '#complete-form button[type=submit]');
    const done = await bodyText(officer);
    check(done.includes('Đã giải quyết'), `completed: ${done.slice(0, 400)}`);
    check((await officer.locator('#result').innerText()).includes('Lưu hồ sơ'), 'the outcome');
    await officer.goto(`${base}/queue`);
    check((await officer.locator(`#queue a[href="${doc}"]`).count()) === 0, 'gone from the queue');
  }],
  ['statistics on a phone: table, charts, sorting and CSV', async ({ browser, demo }) => {
    const { base } = demo;
    const phone = await newPage(browser, { width: 390, height: 844 });
    await login(phone, base, 'lanhdao.ubnd');
    await phone.goto(`${base}/statistics`);
    const rows = await phone.locator('#statistics tbody tr').count();
    check(rows === 10, `one row per agency of the province: ${rows}`);
    check((await phone.locator('svg.chart').count()) === 2, 'bar chart and trend line');
    check((await phone.locator('svg.chart rect.bar').count()) === 10, 'a bar per agency');
    const box = await phone.locator('svg.chart').first().boundingBox();
    check(box && box.width <= 390, `the chart fits the phone: ${JSON.stringify(box)}`);
    // Sorting by the issued count, then the other way round.
    await phone.click('#statistics thead a[href*="sort=issued"]');
    await phone.waitForLoadState('load');
    const issued = async () => (await phone.locator('#statistics tbody tr td:nth-child(2)').allInnerTexts()).map(Number);
    const desc = await issued();
    check(desc.every((v, i) => i === 0 || desc[i - 1] >= v), `descending: ${desc}`);
    await phone.click('#statistics thead a[href*="sort=issued"]');
    await phone.waitForLoadState('load');
    const asc = await issued();
    check(asc.every((v, i) => i === 0 || asc[i - 1] <= v), `ascending: ${asc}`);
    const csv = await phone.request.get(`${base}${await phone.locator('#stat-csv').getAttribute('href')}`);
    check(csv.status() === 200, `CSV: ${csv.status()}`);
    const text = await csv.text();
    check(text.split('\r\n').filter(Boolean).length === 11, 'a header and ten lines');
    const xlsx = await phone.request.get(`${base}${await phone.locator('#stat-xlsx').getAttribute('href')}`);
    check(xlsx.status() === 200, `XLSX: ${xlsx.status()}`);
    check((await xlsx.body()).subarray(0, 2).toString() === 'PK', 'an XLSX (zip) workbook');
    await phone.screenshot({ path: `${demo.tmp}/statistics-phone.png`, fullPage: true });
    console.log(`screenshot: ${demo.tmp}/statistics-phone.png`);
  }],
]);
