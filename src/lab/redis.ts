// A private Redis for chat fan-out across replicas and workers: its own port and folder, reachable only on
// 127.0.0.1 and only with a password made for this run, nothing written to disk, removed after. The password
// lives in a 0600 config file inside a 0700 folder, never on a command line (which `ps` would show).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { StackbenchError } from '../errors.js';
import { start, type Managed } from '../machine/process.js';
import { makeScratch } from '../machine/scratch.js';

export interface RedisFound {
  ok: boolean;
  bin?: string;
  version?: string;
  missing?: string;
  fix?: string;
}

/** What is missing and the command that fixes it, in the shape `doctor` and `setup` list gaps. */
export interface RedisGap {
  what: string;
  fix: string;
}

const isDebian = () => existsSync('/etc/debian_version');
const FIX = () =>
  isDebian() ? 'apt-get install redis-server' : 'install Redis 6+ (the redis-server binary)';

/** Thrown when no private Redis can be had; `fix` names the command (the lab reports it as "not available"). */
export class RedisUnavailable extends Error {
  readonly fix: string;
  constructor(message: string, fix = FIX()) {
    super(`Redis unavailable: ${message}`);
    this.name = 'RedisUnavailable';
    this.fix = fix;
  }
}

/** STACKBENCH_REDIS_SERVER alone when set; else redis-server on PATH or in the usual system folders. */
function candidates(): string[] {
  if (process.env.STACKBENCH_REDIS_SERVER) return [process.env.STACKBENCH_REDIS_SERVER];
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  return [...new Set(dirs.filter(Boolean))].map((d) => join(d, 'redis-server'));
}

export function findRedis(): RedisFound {
  for (const bin of candidates()) {
    if (!existsSync(bin)) continue;
    const v = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 5000 });
    // "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=..."
    const m = /v=(\d+\.\d+\.\d+)/.exec(v.stdout ?? '');
    if (v.status === 0 && m) return { ok: true, bin, version: m[1]! };
  }
  return { ok: false, missing: 'no redis-server binary found', fix: FIX() };
}

export function redisGap(): RedisGap[] {
  const found = findRedis();
  return found.ok ? [] : [{ what: found.missing!, fix: found.fix! }];
}

export interface RedisInstance {
  /** redis://:PASSWORD@127.0.0.1:PORT/0: what the stacks get as STACKBENCH_REDIS. */
  url: string;
  port: number;
  version: string;
  /** The redis-server process (its CPU belongs to the lab, not to the stack). */
  pid: number;
  /** The same process, for the lab to watch. */
  proc: Managed;
  /** The private folder (config file); gone after stop(). */
  dir: string;
  stop(): Promise<void>;
}

/**
 * Everything stated, nothing left to the binary's defaults that matters here: loopback only with
 * protected-mode, a password, no unix socket or TLS listener, no RDB snapshots, no AOF, logs to stdout
 * (kept by the process plumbing for error messages). `bind`: loopback here; in a cluster (src/kube/) the pod's
 * own address, which the namespace's NetworkPolicy closes to everyone outside it.
 */
export function redisConfig(port: number, password: string, dir: string, bind = '127.0.0.1'): string {
  return [
    '# stackbench: a private, throwaway Redis for chat fan-out (removed when the run ends)',
    `bind ${bind}`,
    `port ${port}`,
    'protected-mode yes',
    `requirepass ${password}`,
    'unixsocket ""',
    'tls-port 0',
    'save ""',
    'appendonly no',
    `dir ${dir}`,
    'daemonize no',
    'supervised no',
    'logfile ""',
    'loglevel warning',
    'databases 1',
    '',
  ].join('\n');
}

export async function startRedis(
  port: number,
  cpus: number[] | undefined,
  signal?: AbortSignal,
): Promise<RedisInstance> {
  const found = findRedis();
  if (!found.ok) throw new RedisUnavailable(found.missing!, found.fix);
  // hex: nothing in it needs escaping in a URL or a config file.
  const password = randomBytes(24).toString('hex');
  const scratch = makeScratch('redis'); // 0700, swept by a later run if this one is killed
  const dir = scratch.dir;
  const removeDir = scratch.remove;
  const file = join(dir, 'redis.conf');
  writeFileSync(file, redisConfig(port, password, dir), { mode: 0o600 });
  let server: Managed | undefined;
  try {
    server = start({ name: 'redis-server', cmd: found.bin!, args: [file], cwd: dir, cpus });
    await waitPong(server, port, password, signal);
  } catch (e) {
    await server?.stop(2000);
    removeDir();
    if (e instanceof StackbenchError) throw e;
    throw new RedisUnavailable(`could not start a private redis-server: ${(e as Error).message}`);
  }
  const srv = server;
  return {
    url: `redis://:${password}@127.0.0.1:${port}/0`,
    port,
    version: found.version!,
    pid: srv.pid,
    proc: srv,
    dir,
    stop: async () => {
      await srv.stop(5000); // SIGTERM: with no save points Redis exits at once
      removeDir();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ready when an AUTH'd PING answers PONG (a started process is not yet a listening one). */
async function waitPong(
  server: Managed,
  port: number,
  password: string,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = '';
  for (;;) {
    if (signal?.aborted) throw new StackbenchError('SB_INTERRUPTED');
    if (server.exited) throw new Error(`redis-server exited: ${server.log().slice(-5).join(' / ')}`);
    try {
      const replies = await redisExchange(port, [['AUTH', password], ['PING']], 1000);
      if (replies[1] === '+PONG') return;
      last = replies.join(' ');
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`no PONG on 127.0.0.1:${port} within 10 s (${last})`);
    await sleep(50);
  }
}

/**
 * Sends commands on a fresh connection and returns the first line of each reply ("+PONG", "-NOAUTH ...",
 * ":1"): enough for readiness and for tests; not a client.
 */
export function redisExchange(port: number, commands: string[][], timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffered = '';
    const timer = setTimeout(() => finish(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error, replies?: string[]) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(replies!);
    };
    socket.setEncoding('utf8');
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error('connection closed before every reply')));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\r\n').filter((l) => /^[+\-:$*]/.test(l));
      if (lines.length >= commands.length) finish(undefined, lines.slice(0, commands.length));
    });
    socket.on('connect', () => {
      let out = '';
      for (const args of commands) {
        out += `*${args.length}\r\n`;
        for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
      }
      socket.write(out);
    });
  });
}
