// The leader's USB token for the browser flows (issue 9): a SoftHSM2 token with a key pair
// made inside it and a person certificate from the demo CA, `signet agent` on it, and its
// pairing code. Shared by flows/signing.mjs and flows/batch.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { check, freePort, sleep } from './lib.mjs';

export const MODULE = process.env.SIGNET_PKCS11_MODULE || '/usr/lib/softhsm/libsofthsm2.so';
/** The address the pages' CSP allows for the agent. */
export const AGENT_ORIGIN = 'http://127.0.0.1:8765';

function portFree(port) {
  return new Promise((ok) => {
    const srv = createServer();
    srv.once('error', () => ok(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => ok(true)));
  });
}

/** The token, its certificate and a running agent: {base, port, code, output(), stop()}. */
export async function startAgentWithToken(demo) {
  const dir = join(demo.tmp, 'agent');
  mkdirSync(join(dir, 'tokens'), { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const init = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', 'lanhdao-token',
    '--so-pin', '12345678', '--pin', '1234'], { env, encoding: 'utf8' });
  check(init.status === 0, `softhsm2-util: ${init.stdout}${init.stderr}`);
  const issue = spawnSync(demo.bin, ['ca', 'issue', '--dir', join(demo.dataDir, 'ca'), '--kind', 'person',
    '--name', 'Nguyễn Văn Hùng', '--agency', '000.00.00.H99', '--agency-name', 'Ủy ban nhân dân tỉnh Lạc Hồng',
    '--pkcs11-module', MODULE, '--token', 'lanhdao-token', '--pin', '1234', '--key-label', 'lanhdao',
    '--out', join(dir, 'lanhdao')], { env, encoding: 'utf8' });
  check(issue.status === 0, `signet ca issue: ${issue.stdout}${issue.stderr}`);
  // The agent's usual address, which the page's CSP allows, when it is free here.
  const port = (await portFree(8765)) ? 8765 : await freePort();
  const agent = spawn(demo.bin, ['agent', '--listen', `127.0.0.1:${port}`, '--module', MODULE,
    '--data', join(dir, 'data')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  process.on('exit', () => agent.kill('SIGKILL'));
  let out = '';
  agent.stdout.on('data', (d) => { out += d; });
  agent.stderr.on('data', (d) => { out += d; });
  for (let i = 0; i < 100 && !/Pairing code: /.test(out); i++) await sleep(100);
  const code = /Pairing code: ([A-Z0-9-]+)/.exec(out)?.[1];
  check(code, `the agent printed no pairing code:\n${out}`);
  return { base: `http://127.0.0.1:${port}`, port, code, output: () => out, stop: () => agent.kill('SIGTERM') };
}

/** The page talks to the agent at its usual address; when the test's agent had to listen
 * elsewhere, the browser is pointed at it. */
export async function routeToAgent(page, agent) {
  if (agent.port === 8765) return;
  await page.route(`${AGENT_ORIGIN}/**`, (route) => route.continue({
    url: route.request().url().replace(AGENT_ORIGIN, agent.base),
  }));
}
