/**
 * The replicas' balancer (src/lab/balancer.ts), for real: HAProxy and nginx from the system in front of two
 * counting node:http servers (the share each gets, HAProxy's per-upstream counters against the servers' own
 * counts) and two node-http reference servers (servers/node/dist/http.js: a WebSocket chat passed through, a
 * server-sent event stream not buffered); listening on 127.0.0.1 only; nothing left after stop.
 * Needs haproxy and nginx (apt-get install haproxy nginx) and `npm run build`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { findBalancer, startBalancer, type Balancer, type BalancerKind } from '../../src/lab/balancer.js';
import { NODE_SERVERS, ROOT } from '../../src/paths.js';
import { liveMembers } from '../../src/probes/proc.js';
import { freePort, waitReady } from '../../src/machine/net.js';
import { start, type Managed } from '../../src/machine/process.js';
import { okServer, type TestServer } from '../fixtures/http-servers.js';

const KINDS: BalancerKind[] = ['haproxy', 'nginx'];
const CPUS = [1];

for (const kind of KINDS) {
  const found = findBalancer(kind);
  assert.ok(found.ok, `${found.missing} — install it: ${found.fix}`);
}
assert.ok(existsSync(join(NODE_SERVERS, 'http.js')), 'servers/node/dist/http.js missing: run npm run build');

/** TCP sockets the process group listens on, as "address:port" (IPv4 from /proc/net/tcp, IPv6 from tcp6). */
function listening(pgid: number): string[] {
  const inodes = new Set<string>();
  for (const p of liveMembers(pgid)) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${p.pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${p.pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        /* closed meanwhile */
      }
    }
  }
  const out = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A' || !inodes.has(f[9] ?? '')) continue; // 0A: LISTEN
      const [hex, portHex] = f[1]!.split(':');
      const port = parseInt(portHex!, 16);
      // IPv4 is stored as one little-endian word on x86; anything from tcp6 is shown raw.
      const addr = file.endsWith('6')
        ? `[${hex}]`
        : hex!
            .match(/../g)!
            .reverse()
            .map((b) => parseInt(b, 16))
            .join('.');
      out.add(`${addr}:${port}`);
    }
  }
  return [...out];
}

/** Balancer processes whose private folder is gone: what a failed start or stop would leak. */
function orphans(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    const m = /(\/\S*stackbench-lb-[^/\s]+)/.exec(cmd);
    if (m && !existsSync(m[1]!) && !isZombie(pid)) out.push(`${pid}: ${cmd}`);
  }
  return out;
}

function isZombie(pid: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

async function getMany(url: string, total: number, parallel: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  const statuses: number[] = [];
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            statuses.push(res.statusCode ?? 0);
            resolve();
          });
        })
        .on('error', reject);
    });
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next++ < total) await one();
    }),
  );
  agent.destroy();
  return statuses;
}

interface Event {
  at: number;
  seq: number;
}

/** GET an SSE stream; each event's arrival time (ms after the request) as seen by the client. */
function readEvents(url: string, timeoutMs: number): Promise<{ status: number; events: Event[] }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(url, { agent: false }, (res) => {
      const events: Event[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) !== -1) {
          const m = /"seq":(\d+)/.exec(buf.slice(0, cut));
          if (m) events.push({ at: performance.now() - t0, seq: Number(m[1]) });
          buf = buf.slice(cut + 2);
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, events }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no end of stream within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

interface Member {
  ws: WebSocket;
  got: string[];
}

function join_(url: string): Promise<Member> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const m: Member = { ws, got: [] };
    ws.on('message', (d: Buffer) => m.got.push(d.toString('utf8')));
    ws.once('open', () => resolve(m));
    ws.once('error', reject);
  });
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

async function startReplica(): Promise<{ proc: Managed; port: number }> {
  const port = await freePort();
  const proc = start({
    name: `node-http:${port}`,
    cmd: process.execPath,
    args: [join(NODE_SERVERS, 'http.js')],
    cwd: ROOT,
    env: { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port) },
    cpus: CPUS,
  });
  await waitReady(proc, port, '/json', { timeoutMs: 15_000 });
  return { proc, port };
}

describe('balancer in front of replicas', { timeout: 120_000 }, () => {
  let counting: TestServer[] = [];
  let replicas: Array<{ proc: Managed; port: number }> = [];
  before(async () => {
    // HAProxy's health checks (GET /json) are not requests it balanced: the servers do not count them.
    counting = [await okServer({ uncounted: '/json' }), await okServer({ uncounted: '/json' })];
    replicas = [await startReplica(), await startReplica()];
  });
  after(async () => {
    for (const s of counting) await s.close();
    for (const r of replicas) await r.proc.stop();
  });

  for (const kind of KINDS) {
    describe(kind, () => {
      let lb: Balancer | undefined;
      let rt: Balancer | undefined;
      after(async () => {
        await lb?.stop();
        await rt?.stop();
      });

      it('starts, pinned, listening on 127.0.0.1 only', async () => {
        const port = await freePort();
        lb = await startBalancer({ kind, port, upstreams: counting.map((s) => s.port), cpus: CPUS });
        assert.equal(lb.kind, kind);
        assert.match(lb.version, /^\d+\.\d+\.\d+$/);
        assert.deepEqual(listening(lb.proc.pid), [`127.0.0.1:${port}`]);
      });

      it('gives each of 2 upstreams a fair share of 400 requests', async () => {
        const before = counting.map((s) => s.seen());
        const statuses = await getMany(`${lb!.url}/share`, 400, 4);
        assert.equal(statuses.length, 400);
        assert.ok(
          statuses.every((s) => s === 200),
          'every request answered 200',
        );
        const got = counting.map((s, i) => s.seen() - before[i]!);
        assert.equal(got[0]! + got[1]!, 400, 'every request reached exactly one upstream');
        for (const n of got)
          assert.ok(n >= 160 && n <= 240, `shares ${got.join(' / ')}: each within 40..60 %`);
      });

      it(
        kind === 'haproxy'
          ? 'counts per upstream exactly what each upstream served'
          : 'says it cannot count per upstream',
        async () => {
          const stats = await lb!.stats();
          if (kind === 'nginx') {
            assert.equal(stats.perUpstream, null);
            assert.match((stats as { reason: string }).reason, /nginx OSS/);
            return;
          }
          assert.ok(stats.perUpstream);
          assert.deepEqual(
            stats.perUpstream.map((u) => [u.port, u.requests]),
            counting.map((s) => [s.port, s.seen()]),
          );
          for (const u of stats.perUpstream) {
            assert.equal(u.current, 0, 'nothing in flight');
            assert.ok(
              u.reused > u.requests / 2,
              `keep-alive reuse toward ${u.port}: ${u.reused} of ${u.requests}`,
            );
          }
        },
      );

      it('passes WebSocket upgrades through (chat), to the replica with the fewest connections', async () => {
        rt = await startBalancer({
          kind,
          port: await freePort(),
          upstreams: replicas.map((r) => r.port),
          cpus: CPUS,
          readyPath: '/json',
        });
        const b = rt;
        const wsUrl = `ws://127.0.0.1:${b.port}/chat?room=lb`;
        const open: Member[] = [];
        // The sender is a member of its own room, whichever replica holds it: its message comes back to it.
        const echoes = async (m: Member, text: string) => {
          m.ws.send(text);
          assert.ok(
            await until(() => m.got.includes(text), 5000),
            `echo of "${text}": got ${JSON.stringify(m.got)}`,
          );
        };
        const inFlight = async () => {
          const s = await b.stats();
          return s.perUpstream ? s.perUpstream.map((u) => u.current) : null;
        };
        try {
          open.push(await join_(wsUrl), await join_(wsUrl));
          await echoes(open[0]!, 'from a');
          await echoes(open[1]!, 'from b');
          if (kind === 'haproxy') assert.deepEqual(await inFlight(), [1, 1]);
          // B leaves; C must go where B was (fewest connections), which round robin would not do: it would
          // put C beside A (the readiness probe moved the rotation by one).
          open.pop()!.ws.close();
          if (kind === 'haproxy') {
            let now: number[] | null = null;
            const gone = await until(async () => {
              now = await inFlight();
              return now !== null && now[0]! + now[1]! === 1;
            }, 5000);
            assert.ok(gone, `B's tunnel closed: ${JSON.stringify(now)}`);
          }
          open.push(await join_(wsUrl));
          await echoes(open[1]!, 'from c');
          if (kind === 'haproxy') assert.deepEqual(await inFlight(), [1, 1]);
        } finally {
          for (const m of open) m.ws.terminate();
        }
      });

      it('streams server-sent events unbuffered', async () => {
        const { status, events } = await readEvents(`${rt!.url}/stream?n=3&interval=200`, 10_000);
        assert.equal(status, 200);
        assert.deepEqual(
          events.map((e) => e.seq),
          [1, 2, 3],
        );
        // Event i is due i x 200 ms after the request. Held back (buffered, or corked by the kernel), an event
        // arrives with the next one, 200 ms late, or all at the end.
        for (const e of events) {
          const due = e.seq * 200;
          assert.ok(
            e.at > due - 30 && e.at < due + 150,
            `event ${e.seq} due at ${due} ms arrived at ${e.at.toFixed(0)} ms (all: ${events.map((x) => x.at.toFixed(0)).join(', ')})`,
          );
        }
      });

      it('leaves no process and no folder after stop', async () => {
        for (const b of [lb!, rt!]) {
          const { dir } = b;
          const pgid = b.proc.pid;
          assert.ok(existsSync(dir));
          await b.stop();
          assert.deepEqual(liveMembers(pgid), [], 'no process of its group is left');
          assert.equal(existsSync(dir), false, `${dir} removed`);
        }
        lb = rt = undefined;
      });

      it('fails clearly, and cleans up, when no upstream answers', async () => {
        const dead = await freePort();
        // Only folders made during this start count: other test files, run alongside, make balancers too.
        const lbDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('stackbench-lb-'));
        const earlier = new Set(lbDirs());
        const err = await startBalancer({
          kind,
          port: await freePort(),
          upstreams: [dead],
          cpus: CPUS,
          timeoutMs: 1500,
        }).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        assert.ok(err, 'start must fail');
        assert.match(err.message, new RegExp(`no upstream answered / through it .*upstreams ${dead}`));
        assert.deepEqual(orphans(), [], 'no balancer left running on a removed folder');
        const left = lbDirs().filter((n) => !earlier.has(n));
        for (const n of left) {
          const conf = join(tmpdir(), n, `${kind}.conf`);
          assert.ok(
            !existsSync(conf) || !readFileSync(conf, 'utf8').includes(`:${dead}`),
            `${n} left behind`,
          );
        }
      });
    });
  }
});
