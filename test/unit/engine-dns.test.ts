// Loopback means the addresses, not the name: inside a private network namespace whose /etc/hosts maps
// evil.localhost to 10.1.2.3 (an address of that namespace, where a listener counts every connection), `load`
// refuses with exit 2 and never connects — unless --allow-remote names the host, which proves the listener would
// have seen it. The IPv4-mapped loopback form is accepted. Needs root and iproute2 (CI runs as root).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { okServer } from '../fixtures/http-servers.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';

const NS = `sbdns${process.pid}`;
const HOSTS = `/etc/netns/${NS}`;

function sh(cmd: string[]): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

function inNs(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('ip', ['netns', 'exec', NS, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('loopback only, by resolved address', () => {
  let listener: ReturnType<typeof spawn> | undefined;
  let connections = 0;

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (ip netns); CI runs as root');
    if (spawnSync('ip', ['-V']).status !== 0) throw new Error('ip is missing: apt-get install iproute2');
    sh(['ip', 'netns', 'add', NS]);
    mkdirSync(HOSTS, { recursive: true });
    writeFileSync(`${HOSTS}/hosts`, '127.0.0.1 localhost\n10.1.2.3 evil.localhost\n');
    sh(['ip', 'netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);
    sh(['ip', 'netns', 'exec', NS, 'ip', 'addr', 'add', '10.1.2.3/32', 'dev', 'lo']);
    // A listener on 10.1.2.3:8080 in the namespace: one line per connection it accepts.
    // A client's reset (the load ends with connections open) is not the listener's failure: no 'error' unhandled.
    const code = `require('net').createServer((s) => { s.on('error', () => {}); console.log('conn'); s.end('HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n'); }).listen(8080, '10.1.2.3', () => console.log('ready'));`;
    listener = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) =>
      listener!.stdout!.on('data', (d: Buffer) => {
        const text = d.toString();
        connections += (text.match(/conn/g) ?? []).length;
        if (text.includes('ready')) resolve();
      }),
    );
  });

  after(() => {
    listener?.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(HOSTS, { recursive: true, force: true });
  });

  it('refuses a .localhost name that resolves elsewhere, before any connection', async () => {
    for (const url of ['http://evil.localhost:8080/json', 'ws://evil.localhost:8080/chat']) {
      const args = [
        process.execPath,
        BIN,
        'load',
        url,
        '-d',
        '1s',
        ...(url.startsWith('ws') ? ['--ws'] : []),
      ];
      const r = await inNs(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /SB_REMOTE_RESOLVED.*evil\.localhost.*10\.1\.2\.3.*--allow-remote evil\.localhost/,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(connections, 0, 'no connect() reached 10.1.2.3');
  });

  it('goes there only when --allow-remote names the host (so the listener would have counted)', async () => {
    const r = await inNs([
      process.execPath,
      BIN,
      'load',
      'http://evil.localhost:8080/',
      '-c',
      '1',
      '-d',
      '300ms',
      '--allow-remote',
      'evil.localhost',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(connections > 0);
  });

  it('accepts the IPv4-mapped loopback form', async () => {
    const srv = await okServer();
    try {
      const url = srv.url.replace('127.0.0.1', '[::ffff:127.0.0.1]');
      // Not spawnSync: the server answers from this process's event loop.
      const r = await runCli(['load', url, '-c', '2', '-d', '300ms', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok((JSON.parse(r.stdout) as { requests: number }).requests > 0);
    } finally {
      await srv.close();
    }
  });
});
