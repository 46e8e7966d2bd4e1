// End-to-end browser test: a clerk logs in, registers an outgoing document
// with a PDF attached, finds it in the outgoing list and opens it again; the
// list must also fit a phone screen. Then a PDF signed by `signet sign` is
// verified on the public /verify page (green verdict, signer shown).
//
// Runs the real `signet demo` server on a free loopback port with a fresh data
// dir, and drives Debian's Chromium through playwright-core (which, unlike the
// `playwright` package, never tries to download a browser).
//
//   SIGNET_BIN=/path/to/signet node tests/browser/run.mjs
//
// Prints "1 passed, 0 failed" or "0 passed, 1 failed" as its last line.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_TIMEOUT_MS, bodyText, check, login, minimalPdf, nfc, runScenarios, submit } from './lib.mjs';

// Demo account seeded by `signet demo`.
const USERNAME = 'chuyenvien.vp';

async function flow(page, base, tmp) {
  const subject = nfc(`Về việc thử nghiệm trình duyệt ${Date.now()}`);
  const pdfPath = join(tmp, 'cong-van-thu-nghiem.pdf');
  writeFileSync(pdfPath, minimalPdf('Signet browser test'));

  // 1. Log in as the demo clerk.
  await login(page, base, USERNAME);

  // 2. Register an outgoing official letter (công văn) with a PDF.
  await page.goto(`${base}/outgoing/new`);
  await page.selectOption('select[name=doc_type]', 'cong-van');
  await page.fill('input[name=subject]', subject);
  await page.setInputFiles('input[name=file]', pdfPath);
  await submit(page, 'main form[action="/outgoing"] button[type=submit]');
  const detailUrl = new URL(page.url());
  check(
    detailUrl.pathname.includes('/documents/'),
    `after creating, expected a /documents/ page, got ${page.url()}: ` +
      (await bodyText(page)).slice(0, 300),
  );
  check(
    (await bodyText(page)).includes(subject),
    `document page ${page.url()} does not show the subject "${subject}"`,
  );

  // 3. Find it in the outgoing list and open it from there.
  await page.goto(`${base}/outgoing`);
  const link = page.locator('a.doc-link', { hasText: subject });
  check((await link.count()) >= 1, `no a.doc-link containing "${subject}" on /outgoing`);
  await Promise.all([
    page.waitForURL((u) => u.pathname === detailUrl.pathname, { timeout: STEP_TIMEOUT_MS }),
    link.first().click(),
  ]);
  const h1 = nfc(await page.locator('h1').first().innerText());
  check(h1.includes(subject), `h1 on ${page.url()} is "${h1}", expected it to contain "${subject}"`);
  const shot = join(tmp, 'detail.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);

  // 4. Phone layout: the outgoing list must not scroll sideways at 390px.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/outgoing`);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  const phoneShot = join(tmp, 'outgoing-phone.png');
  await page.screenshot({ path: phoneShot, fullPage: true });
  console.log(`screenshot: ${phoneShot}`);
  check(scrollWidth <= 400, `/outgoing overflows a 390px phone screen: scrollWidth ${scrollWidth}`);
}

// 5. Anyone verifies a signed PDF at /verify: the document is signed by `signet sign` with a
// certificate from the demo CA (which the demo server trusts and answers OCSP for).
async function verifyFlow(page, base, tmp, bin, dataDir) {
  const run = (args) => execFileSync(bin, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  const pdfPath = join(tmp, 'to-sign.pdf');
  writeFileSync(pdfPath, minimalPdf('Quyet dinh ky so'));
  run(['ca', 'issue', '--dir', join(dataDir, 'ca'), '--kind', 'person', '--name', 'Nguyễn Văn Lãnh Đạo',
    '--agency', '000.00.00.H99', '--password', 'browser-test', '--out', join(tmp, 'leader')]);
  const signed = join(tmp, 'signed.pdf');
  run(['sign', pdfPath, '--out', signed, '--p12', join(tmp, 'leader.p12'), '--password', 'browser-test',
    '--page', '1', '--rect', '330,80,530,160']);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/verify`);
  await page.setInputFiles('input[name=file]', signed);
  await submit(page, 'form[action="/verify"] button[type=submit]');
  const verdict = page.locator('#verdict');
  check((await verdict.count()) === 1, `no verdict on ${page.url()}: ${await bodyText(page)}`);
  const cls = await verdict.getAttribute('class');
  const text = await bodyText(page);
  check(cls.includes('ok'), `verdict is not green (${cls}): ${text}`);
  check(text.includes('Nguyễn Văn Lãnh Đạo'), `the signer's name is not shown: ${text}`);
  const shot = join(tmp, 'verify.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
}

await runScenarios([
  [
    'login, register outgoing document, list, detail, phone layout, verify a signed PDF',
    async ({ page, demo }) => {
      await flow(page, demo.base, demo.tmp);
      await verifyFlow(page, demo.base, demo.tmp, demo.bin, demo.dataDir);
    },
  ],
]);
