// Services the compare tests run: a wait server by command (Node.js or Python), or one of our own reached by URL.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/machine/net.js';
import { ROOT } from './cli.js';

export const NODE_WAIT = (ms: number, status = 200) =>
  `${process.execPath} ${join(ROOT, 'test/fixtures/wait-server.mjs')} {port} ${ms} ${status}`;
export const PY_WAIT = (ms: number) =>
  `/usr/bin/python3 ${join(ROOT, 'test/fixtures/wait_server.py')} {port} ${ms}`;
/** A service the test runs itself, reached by URL; stopped by the returned function. */
export async function urlService(ms: number, status = 200): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'test/fixtures/wait-server.mjs'), String(port), String(ms), String(status)],
    {
      stdio: 'ignore',
    },
  );
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGKILL') };
}
