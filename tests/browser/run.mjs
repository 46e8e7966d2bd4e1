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

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.SIGNET_CHROMIUM || '/usr/bin/chromium';
const STARTUP_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 30_000;

// Demo account seeded by `signet demo`.
const USERNAME = 'chuyenvien.vp';
const PASSWORD = 'Signet@2026';

// Default binary: <target dir>/debug/signet. A relative CARGO_TARGET_DIR is
// relative to where cargo ran, i.e. the current directory.
function signetBin() {
  if (process.env.SIGNET_BIN) return resolve(process.env.SIGNET_BIN);
  const target = process.env.CARGO_TARGET_DIR
    ? resolve(process.env.CARGO_TARGET_DIR)
    : join(REPO_ROOT, 'target');
  return join(target, 'debug', 'signet');
}

// Ask the kernel for a free port, then release it for the server to take.
function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

// Smallest well-formed one-page PDF, with a correct xref table so strict
// parsers (and later signing code) accept it.
function minimalPdf(text) {
  const content = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] ' +
      '/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The server may hand back decomposed Vietnamese; compare in one form.
const nfc = (s) => (s ?? '').normalize('NFC');

function check(cond, message) {
  if (!cond) throw new Error(message);
}

// Poll /healthz until it answers 200; give up early if the server died.
async function waitHealthy(base, server) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`signet exited early (code ${server.exitCode}, signal ${server.signalCode})`);
    }
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause?.code || e.message;
    }
    await sleep(250);
  }
  throw new Error(`GET /healthz not 200 within ${STARTUP_TIMEOUT_MS / 1000}s (last: ${last})`);
}

// Click a submit button and wait for the page it leads to (after any
// redirect) to finish loading.
async function submit(page, selector) {
  const navigated = page.waitForEvent('framenavigated', {
    predicate: (f) => f === page.mainFrame(),
    timeout: STEP_TIMEOUT_MS,
  });
  await page.click(selector);
  await navigated;
  await page.waitForLoadState('load');
}

async function bodyText(page) {
  return nfc(await page.locator('body').innerText());
}

async function flow(page, base, tmp) {
  const subject = nfc(`Về việc thử nghiệm trình duyệt ${Date.now()}`);
  const pdfPath = join(tmp, 'cong-van-thu-nghiem.pdf');
  writeFileSync(pdfPath, minimalPdf('Signet browser test'));

  // 1. Log in as the demo clerk.
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', USERNAME);
  await page.fill('input[name=password]', PASSWORD);
  await submit(page, 'button[type=submit]');
  const afterLogin = new URL(page.url());
  check(
    !afterLogin.pathname.startsWith('/login'),
    `login did not leave /login (now at ${page.url()}): ${(await bodyText(page)).slice(0, 300)}`,
  );

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

async function main() {
  const bin = signetBin();
  check(existsSync(bin), `signet binary not found at ${bin} (set SIGNET_BIN or build it)`);
  check(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);

  const tmp = mkdtempSync(join(tmpdir(), 'signet-browser-'));
  const dataDir = join(tmp, 'data');
  mkdirSync(dataDir);
  const logPath = join(tmp, 'signet.log');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  console.log(`signet: ${bin}\ndata:   ${dataDir}\nlog:    ${logPath}\nurl:    ${base}`);

  const logFd = openSync(logPath, 'a');
  const server = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data', dataDir], {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, RUST_BACKTRACE: process.env.RUST_BACKTRACE ?? '1' },
  });
  // Never leave the server behind, whatever happens to us.
  const killServer = () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  };
  process.on('exit', killServer);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      killServer();
      process.exit(1);
    });
  }

  let browser;
  let page;
  try {
    await waitHealthy(base, server);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Containers often have a tiny /dev/shm; Chromium crashes on it.
        '--disable-dev-shm-usage',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    await flow(page, base, tmp);
    await verifyFlow(page, base, tmp, bin, dataDir);
    console.log('ok: login, register outgoing document, list, detail, phone layout, verify a signed PDF');
    return 0;
  } catch (err) {
    console.error(`FAILED: ${err.stack || err}`);
    if (page) {
      console.error(`  page url: ${page.url()}`);
      const shot = join(tmp, 'failure.png');
      await page.screenshot({ path: shot, fullPage: true }).then(
        () => console.error(`  screenshot: ${shot}`),
        () => {},
      );
    }
    // The end of the server log usually says why.
    try {
      const log = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-30).join('\n');
      if (log) console.error(`  last lines of ${logPath}:\n${log.replace(/^/gm, '    ')}`);
    } catch {}
    return 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    // Ask the server to stop, then make sure it did.
    const alive = () => server.exitCode === null && server.signalCode === null;
    if (alive()) server.kill('SIGTERM');
    for (let i = 0; i < 30 && alive(); i++) await sleep(100);
    killServer();
  }
}

const code = await main().catch((err) => {
  console.error(`FAILED: ${err.stack || err}`);
  return 1;
});
console.log(code === 0 ? '1 passed, 0 failed' : '0 passed, 1 failed');
process.exit(code);
