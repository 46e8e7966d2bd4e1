// Shared harness of the browser tests: a real `signet demo` server on a free loopback
// port with a fresh data dir, Debian's Chromium through playwright-core (which never
// downloads a browser), and the small helpers every flow uses.
//
// A flow file (tests/browser/flows/NAME.mjs) calls `runScenarios` and nothing else at
// top level; scripts/test runs run.mjs and every flow, each alone.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.SIGNET_CHROMIUM || '/usr/bin/chromium';
export const STARTUP_TIMEOUT_MS = 60_000;
export const STEP_TIMEOUT_MS = 30_000;
/** The password of every demo account. */
export const DEMO_PASSWORD = 'Signet@2026';

// Default binary: <target dir>/debug/signet. A relative CARGO_TARGET_DIR is
// relative to where cargo ran, i.e. the current directory.
export function signetBin() {
  if (process.env.SIGNET_BIN) return resolve(process.env.SIGNET_BIN);
  const target = process.env.CARGO_TARGET_DIR
    ? resolve(process.env.CARGO_TARGET_DIR)
    : join(REPO_ROOT, 'target');
  return join(target, 'debug', 'signet');
}

// Ask the kernel for a free port, then release it for the server to take.
export function freePort() {
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
// parsers (and the signing code) accept it.
/** `padding` bytes of comment after the header make a file as big as a test needs. */
export function minimalPdf(text, padding = 0) {
  const content = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] ' +
      '/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  if (padding > 0) out += `%${'x'.repeat(padding)}\n`;
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

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The server may hand back decomposed Vietnamese; compare in one form.
export const nfc = (s) => (s ?? '').normalize('NFC');

export function check(cond, message) {
  if (!cond) throw new Error(message);
}

// Poll /healthz until it answers 200; give up early if the server died.
export async function waitHealthy(base, server) {
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
export async function submit(page, selector) {
  const navigated = page.waitForEvent('framenavigated', {
    predicate: (f) => f === page.mainFrame(),
    timeout: STEP_TIMEOUT_MS,
  });
  await page.click(selector);
  await navigated;
  await page.waitForLoadState('load');
}

export async function bodyText(page) {
  return nfc(await page.locator('body').innerText());
}

// Sign in as a demo account; fails with the page's text if it stays on /login.
export async function login(page, base, username, password = DEMO_PASSWORD) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await submit(page, 'button[type=submit]');
  const after = new URL(page.url());
  check(
    !after.pathname.startsWith('/login'),
    `login as ${username} did not leave /login (now at ${page.url()}): ${(await bodyText(page)).slice(0, 300)}`,
  );
}

/** Start `signet demo` on a free port with a fresh data dir; `extraArgs` go after `demo`. */
export async function startDemo({ extraArgs = [], env = {} } = {}) {
  const bin = signetBin();
  check(existsSync(bin), `signet binary not found at ${bin} (set SIGNET_BIN or build it)`);
  const tmp = mkdtempSync(join(tmpdir(), 'signet-browser-'));
  const dataDir = join(tmp, 'data');
  mkdirSync(dataDir);
  const logPath = join(tmp, 'signet.log');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  console.log(`signet: ${bin}\ndata:   ${dataDir}\nlog:    ${logPath}\nurl:    ${base}`);
  const logFd = openSync(logPath, 'a');
  const server = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data', dataDir, ...extraArgs], {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, RUST_BACKTRACE: process.env.RUST_BACKTRACE ?? '1', ...env },
  });
  // Never leave the server behind, whatever happens to us.
  const kill = () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  };
  process.on('exit', kill);
  await waitHealthy(base, server);
  const stop = async () => {
    const alive = () => server.exitCode === null && server.signalCode === null;
    if (alive()) server.kill('SIGTERM');
    for (let i = 0; i < 30 && alive(); i++) await sleep(100);
    kill();
  };
  return { bin, tmp, dataDir, logPath, port, base, server, stop };
}

export async function launchBrowser() {
  check(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({
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
}

export async function newPage(browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'vi-VN' });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  return context.newPage();
}

/**
 * Run named scenarios, each against its own fresh demo server and browser, print
 * "N passed, N failed" as the last line and exit with 0 only when all passed.
 * A scenario is `async ({ browser, page, demo }) => {}`; `startOptions` go to startDemo.
 */
export async function runScenarios(scenarios, startOptions = {}) {
  let passed = 0;
  let failed = 0;
  for (const [name, scenario] of scenarios) {
    let demo;
    let browser;
    let page;
    try {
      demo = await startDemo(startOptions);
      browser = await launchBrowser();
      page = await newPage(browser);
      await scenario({ browser, page, demo });
      console.log(`ok: ${name}`);
      passed++;
    } catch (err) {
      failed++;
      console.error(`FAILED: ${name}: ${err.stack || err}`);
      if (page) {
        console.error(`  page url: ${page.url()}`);
        const shot = join(demo?.tmp ?? tmpdir(), 'failure.png');
        await page.screenshot({ path: shot, fullPage: true }).then(
          () => console.error(`  screenshot: ${shot}`),
          () => {},
        );
      }
      // The end of the server log usually says why.
      try {
        const log = readFileSync(demo.logPath, 'utf8').trimEnd().split('\n').slice(-30).join('\n');
        if (log) console.error(`  last lines of ${demo.logPath}:\n${log.replace(/^/gm, '    ')}`);
      } catch {}
    } finally {
      if (browser) await browser.close().catch(() => {});
      if (demo) await demo.stop();
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
