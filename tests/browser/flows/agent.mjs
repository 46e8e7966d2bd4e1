// The signing agent seen from a Signet page in Chromium: the page's client (/static/agent.js)
// against a real `signet agent` on a SoftHSM2 token — unpaired refusal readable by the page,
// pairing with a wrong then the right code, then info, certificates and a refused signature,
// through real CORS preflights.
//
// The context bypasses the page's CSP: allowing the agent's origin in connect-src is the
// signing page's business (script-src 'self'; connect-src 'self' http://127.0.0.1:8765).

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, freePort, runScenarios, sleep } from '../lib.mjs';

const MODULE = process.env.SIGNET_PKCS11_MODULE || '/usr/lib/softhsm/libsofthsm2.so';

async function startAgent(demo) {
  const dir = join(demo.tmp, 'agent');
  mkdirSync(join(dir, 'tokens'), { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const init = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', 'browser-agent',
    '--so-pin', '12345678', '--pin', '1234'], { env, encoding: 'utf8' });
  check(init.status === 0, `softhsm2-util: ${init.stdout}${init.stderr}`);
  const port = await freePort();
  const agent = spawn(demo.bin, ['agent', '--listen', `127.0.0.1:${port}`, '--module', MODULE,
    '--data', join(dir, 'data')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  process.on('exit', () => agent.kill('SIGKILL'));
  let out = '';
  agent.stdout.on('data', (d) => { out += d; });
  agent.stderr.on('data', (d) => { out += d; });
  for (let i = 0; i < 100 && !/Pairing code: /.test(out); i++) await sleep(100);
  const code = /Pairing code: ([A-Z0-9-]+)/.exec(out)?.[1];
  check(code, `the agent printed no pairing code:\n${out}`);
  return { base: `http://127.0.0.1:${port}`, code, output: () => out, stop: () => agent.kill('SIGTERM') };
}

await runScenarios([
  ['a Signet page pairs with the agent and lists the token', async ({ browser, demo }) => {
    const agent = await startAgent(demo);
    try {
      const context = await browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      await page.goto(`${demo.base}/login`);
      const result = await page.evaluate(async ({ base, code }) => {
        const m = await import('/static/agent.js');
        const attempt = async (f) => {
          try { return { ok: await f() }; } catch (e) { return { status: e.status, code: e.code }; }
        };
        return {
          before: await attempt(() => m.agentInfo(base)),
          wrong: await attempt(() => m.pair(base, 'ZZZZ-ZZZZ')),
          paired: await attempt(() => m.pair(base, code.toLowerCase())),
          reused: await attempt(() => m.pair(base, code)),
          info: await attempt(() => m.agentInfo(base)),
          certificates: await attempt(() => m.listCertificates(base)),
          sign: await attempt(() => m.signDigests(base, {
            certificateId: 'nope/00', pin: '1234', digests: [new Uint8Array(32)],
            context: { documents: [{ notation: '1/UBND-VP', subject: 'Thử' }] },
          })),
        };
      }, { base: agent.base, code: agent.code });
      const show = JSON.stringify(result);
      check(result.before.status === 403 && result.before.code === 'unpaired_origin', `before pairing: ${show}`);
      check(result.wrong.code === 'pairing_refused', `wrong code: ${show}`);
      check(result.paired.ok?.origin === demo.base, `pairing: ${show}`);
      check(result.reused.code === 'pairing_refused', `code used twice: ${show}`);
      check(result.info.ok?.tokens?.some((t) => t.label === 'browser-agent'), `info: ${show}`);
      check(Array.isArray(result.certificates.ok), `certificates: ${show}`);
      check(result.sign.status === 404 && result.sign.code === 'unknown_certificate', `sign: ${show}`);
      check(agent.output().includes(`Paired with ${demo.base}`), agent.output());
      await context.close();
    } finally {
      agent.stop();
    }
  }],
]);
