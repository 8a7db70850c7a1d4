// The lab's private Redis (src/lab/redis.ts), started for real: it answers only with this run's password,
// listens on 127.0.0.1 alone (no other TCP or unix listener), keeps nothing on disk, hides the password from
// the process list, and leaves no process and no folder after stop().
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { findRedis, redisExchange, redisGap, startRedis, type RedisInstance } from '../../src/lab/redis.js';
import { freePort } from '../helpers/subjects.js';

const found = findRedis();
const INSTALL = 'apt-get install redis-server';

/** Running (a zombie waiting to be reaped counts as gone). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Inodes of the sockets a process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** "127.0.0.1:PORT" for every listening TCP socket (IPv4 and IPv6) among `inodes`. */
function tcpListeners(inodes: Set<string>): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue; // 0A: LISTEN
      const [hex, port] = f[1]!.split(':') as [string, string];
      const addr =
        hex.length === 8
          ? (hex.match(/../g) ?? [])
              .reverse()
              .map((b) => parseInt(b, 16))
              .join('.')
          : `[${hex}]`;
      out.push(`${addr}:${parseInt(port, 16)}`);
    }
  }
  return out;
}

/** Listening unix sockets among `inodes` (flag __SO_ACCEPTCON, 0x10000). */
function unixListeners(inodes: Set<string>): string[] {
  return readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 7 && inodes.has(f[6]!) && (parseInt(f[3]!, 16) & 0x10000) !== 0)
    .map((f) => f[7] ?? '(anonymous)');
}

describe('lab: private Redis', { timeout: 60_000 }, () => {
  let redis: RedisInstance | undefined;
  let password = '';

  before(async () => {
    assert.ok(found.ok, `redis-server is needed for this test: ${found.missing} — ${INSTALL}`);
    redis = await startRedis(await freePort(), undefined);
    password = decodeURIComponent(new URL(redis.url).password);
  });

  after(async () => {
    await redis?.stop(); // idempotent: the last test stops it already
  });

  it('finds redis-server and its version, and reports no gap', () => {
    assert.equal(found.ok, true);
    assert.match(found.version ?? '', /^\d+\.\d+\.\d+$/);
    assert.deepEqual(redisGap(), []);
  });

  it('gives a URL with a fresh random password, on 127.0.0.1, database 0', () => {
    const r = redis!;
    assert.match(r.url, /^redis:\/\/:[0-9a-f]{48}@127\.0\.0\.1:\d+\/0$/);
    assert.equal(new URL(r.url).port, String(r.port));
    assert.equal(r.version, found.version);
  });

  it('answers with the password, and only with it (NOAUTH, WRONGPASS)', async () => {
    const r = redis!;
    assert.deepEqual(await redisExchange(r.port, [['AUTH', password], ['PING']], 2000), ['+OK', '+PONG']);
    const [noAuth] = await redisExchange(r.port, [['PING']], 2000);
    assert.match(noAuth ?? '', /^-NOAUTH/);
    const [published] = await redisExchange(r.port, [['PUBLISH', 'stackbench:chat:x', 'hi']], 2000);
    assert.match(published ?? '', /^-NOAUTH/, 'no command without AUTH, PUBLISH included');
    const [wrong] = await redisExchange(r.port, [['AUTH', 'not-the-password']], 2000);
    assert.match(wrong ?? '', /^-WRONGPASS/);
  });

  it('works with the URL as the servers use it (node-redis), with persistence off', async () => {
    const client = createClient({ url: redis!.url, socket: { reconnectStrategy: false } });
    client.on('error', () => {}); // reported by the awaited calls instead
    await client.connect();
    try {
      assert.equal(await client.ping(), 'PONG');
      assert.deepEqual(await client.configGet('save'), { save: '' });
      assert.deepEqual(await client.configGet('appendonly'), { appendonly: 'no' });
      assert.deepEqual(await client.configGet('protected-mode'), { 'protected-mode': 'yes' });
      assert.deepEqual(await client.configGet('bind'), { bind: '127.0.0.1' });
    } finally {
      client.destroy();
    }
  });

  it('listens on 127.0.0.1:PORT and nowhere else (no IPv6, no other port, no unix socket)', () => {
    const r = redis!;
    const inodes = socketInodes(r.pid);
    assert.deepEqual(tcpListeners(inodes), [`127.0.0.1:${r.port}`]);
    assert.deepEqual(unixListeners(inodes), []);
  });

  it('keeps the password off the command line, in a 0600 file of a 0700 folder', () => {
    const r = redis!;
    const cmdline = readFileSync(`/proc/${r.pid}/cmdline`, 'utf8');
    assert.ok(!cmdline.includes(password), 'the password is not in the process arguments');
    assert.match(r.dir, /\/stackbench-redis-[^/]+$/);
    assert.equal(statSync(r.dir).mode & 0o777, 0o700);
    assert.equal(statSync(`${r.dir}/redis.conf`).mode & 0o777, 0o600);
  });

  it('stop() ends the process and removes the folder', async () => {
    const r = redis!;
    assert.ok(running(r.pid));
    await r.stop();
    assert.equal(running(r.pid), false, 'redis-server still running after stop()');
    assert.equal(existsSync(r.dir), false, `${r.dir} still there after stop()`);
    await assert.rejects(redisExchange(r.port, [['PING']], 1000), 'nothing answers on the port any more');
  });

  it('two instances get different passwords and ports', async () => {
    const ports = [await freePort(), await freePort()];
    assert.notEqual(ports[0], ports[1]);
    const [a, b] = (await Promise.all(ports.map((port) => startRedis(port, undefined)))) as [
      RedisInstance,
      RedisInstance,
    ];
    try {
      assert.notEqual(new URL(a.url).password, new URL(b.url).password);
      const [cross] = await redisExchange(b.port, [['AUTH', new URL(a.url).password]], 2000);
      assert.match(cross ?? '', /^-WRONGPASS/, "one run's password does not open another's Redis");
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
