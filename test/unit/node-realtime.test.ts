/**
 * The real-time workloads (docs/WORKLOADS.md, "Real-time workloads") on the Node reference servers
 * (servers/node/dist), spawned for real: /stream (server-sent events, timed, chunked) and /chat (WebSocket
 * rooms, fan-out), bad parameters, and a prompt clean exit on SIGTERM with clients still connected.
 * Needs `npx tsc -p servers/node/tsconfig.json` first (npm test does it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { childPids, exited, freePort, isAlive } from '../helpers/subjects.js';
import { twice } from '../helpers/twice.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DIST = join(ROOT, 'servers/node/dist');

interface Running {
  child: ChildProcess;
  port: number;
  base: string;
  stderr: () => string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Spawns a compiled server and waits until its port answers (polling, bounded), not a fixed sleep. */
async function start(file: string, extra: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    ...extra,
  };
  delete env.STACKBENCH_PG;
  delete env.STACKBENCH_DOWNSTREAM;
  const child = spawn(process.execPath, [join(DIST, file)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${file} exited ${child.exitCode}: ${err}`);
    try {
      await fetch(`${base}/nothing-here`);
      return { child, port, base, stderr: () => err };
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${file} did not answer within 10 s: ${err}`);
      }
      await sleep(50);
    }
  }
}

/** Last resort for a test that failed half-way: no server outlives the test run. */
function kill(server: Running | undefined): void {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  for (const pid of childPids(server.child.pid as number)) process.kill(pid, 'SIGKILL');
  server.child.kill('SIGKILL');
}

// ---- stream client: raw node:http so every chunk is seen with its arrival time ----

interface Chunk {
  at: number;
  text: string;
}

interface StreamResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  headersAt: number;
  chunks: Chunk[];
  body: string;
  endAt: number;
}

function readStream(url: string): Promise<StreamResult> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const req = http.get(url, { agent: false }, (r) => {
      const headersAt = performance.now() - t0;
      const chunks: Chunk[] = [];
      r.setEncoding('utf8');
      r.on('data', (text: string) => chunks.push({ at: performance.now() - t0, text }));
      r.on('end', () =>
        res({
          status: r.statusCode ?? 0,
          headers: r.headers,
          headersAt,
          chunks,
          body: chunks.map((c) => c.text).join(''),
          endAt: performance.now() - t0,
        }),
      );
      r.on('error', rej);
    });
    req.on('error', rej);
  });
}

async function getJson(url: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const r = await fetch(url);
  return { status: r.status, headers: r.headers, body: (await r.json()) as unknown };
}

function assertError(r: { status: number; body: unknown }, status: number, what: string): void {
  assert.equal(r.status, status, what);
  const error = (r.body as { error?: unknown }).error;
  assert.ok(typeof error === 'string' && error.length > 0, `${what}: {"error": "..."} body`);
}

// ---- chat client ----

interface Member {
  ws: WebSocket;
  got: string[];
  closeCode?: number;
}

function joinRoom(wsBase: string, query: string): Promise<Member> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(`${wsBase}/chat${query}`, { perMessageDeflate: false });
    const m: Member = { ws, got: [] };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, false, 'relayed as a text message');
      m.got.push(data.toString('utf8'));
    });
    ws.on('close', (code) => (m.closeCode = code));
    ws.once('open', () => res(m));
    ws.once('error', rej);
  });
}

/** The HTTP answer to a refused upgrade. */
function refusedUpgrade(url: string): Promise<{ status: number; body: unknown; server?: string }> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => (text += d));
      r.on('end', () => {
        const server = String(r.headers.server);
        res({ status: r.statusCode ?? 0, body: JSON.parse(text) as unknown, server });
        ws.terminate();
      });
    });
    ws.on('open', () => rej(new Error(`${url}: upgrade accepted`)));
    ws.on('error', () => {}); // terminate() after a refused upgrade reports an error; the status is what counts
  });
}

/** What a process that is one of several workers, without a broker, answers on /chat. */
const REFUSAL = 'chat across 2 workers needs a broker: set STACKBENCH_REDIS';

function closeAll(members: Member[]): void {
  for (const m of members) m.ws.terminate();
}

// ---- the tests ----

assert.ok(
  existsSync(join(DIST, 'http.js')),
  'servers/node/dist missing: run npx tsc -p servers/node/tsconfig.json',
);

const STACKS: {
  name: string;
  file: string;
  server: string;
  env: Record<string, string>;
  refuses: boolean;
}[] = [
  { name: 'node-http', file: 'http.js', server: 'node-http', env: {}, refuses: false },
  { name: 'fastify', file: 'fastify.js', server: 'fastify', env: {}, refuses: false },
  { name: 'express', file: 'express.js', server: 'express', env: {}, refuses: false },
  {
    name: 'node-cluster WORKERS=1',
    file: 'cluster.js',
    server: 'node-cluster',
    env: { WORKERS: '1' },
    refuses: false,
  },
  // Two workers and no broker: rooms would split between the workers' tables, so /chat refuses with 503
  // (with STACKBENCH_REDIS the workers share rooms: chat-redis.test.ts). Everything else must hold.
  {
    name: 'node-cluster WORKERS=2',
    file: 'cluster.js',
    server: 'node-cluster',
    env: { WORKERS: '2' },
    refuses: true,
  },
];

for (const stack of STACKS) {
  describe(`${stack.name}: stream and chat`, { timeout: 60_000 }, () => {
    let s: Running;
    let wsBase: string;
    before(async () => {
      s = await start(stack.file, stack.env);
      wsBase = `ws://127.0.0.1:${s.port}`;
    });
    after(() => kill(s));

    it('stream: 5 events, one per chunk, timed from the request, chunked SSE headers', async () => {
      const expected = [1, 2, 3, 4, 5].map((i) => `data: {"seq":${i},"n":5}\n\n`);
      // Upper time bounds on a machine CI loads with two test lanes: a second read from scratch (helpers/twice.ts);
      // a server that buffers its events fails both.
      await twice(`${stack.name} /stream timing`, async () => {
        const r = await readStream(`${s.base}/stream?n=5&interval=50`);
        assert.equal(r.status, 200);
        assert.match(r.headers['content-type'] ?? '', /^text\/event-stream(;\s*charset=utf-8)?$/i);
        assert.equal(r.headers['cache-control'], 'no-cache');
        assert.equal(r.headers['transfer-encoding'], 'chunked');
        assert.equal(r.headers['content-length'], undefined, 'no Content-Length');
        assert.equal(r.headers.server, stack.server);
        assert.ok(!Number.isNaN(Date.parse(r.headers.date ?? '')), 'Date header');
        assert.equal(r.body, expected.join(''));
        // Flushed per event: each event arrives on its own, no earlier than its due time.
        assert.deepEqual(
          r.chunks.map((c) => c.text),
          expected,
        );
        r.chunks.forEach((c, k) => assert.ok(c.at >= (k + 1) * 50 - 1, `event ${k + 1} at ${c.at} ms`));
        const first = r.chunks[0]?.at ?? NaN;
        assert.ok(first < 90, `first event ~50 ms after the request (${first.toFixed(1)} ms)`);
        assert.ok(r.headersAt < 40, `headers sent at once (${r.headersAt.toFixed(1)} ms)`);
        assert.ok(r.endAt >= 250 && r.endAt < 400, `whole stream in [250, 400) ms: ${r.endAt.toFixed(1)}`);
      });
    });

    it('stream: defaults n=5 interval=50', async () => {
      const r = await readStream(`${s.base}/stream`);
      assert.equal(r.status, 200);
      assert.equal(r.chunks.length, 5);
      assert.equal(r.chunks[4]?.text, 'data: {"seq":5,"n":5}\n\n');
    });

    it('stream: bad parameters are a 400 JSON answer before any event', async () => {
      for (const q of [
        'n=0',
        'n=1001',
        'interval=foo',
        'interval=0',
        'interval=10001',
        'n=1000&interval=100',
        'n=-1',
        'n=2&n=3',
      ]) {
        const r = await getJson(`${s.base}/stream?${q}`);
        assertError(r, 400, q);
        assert.match(r.headers.get('content-type') ?? '', /^application\/json/, q);
        assert.equal(r.headers.get('server'), stack.server, q);
      }
      // The product bound is inclusive: 1000 x 60 ms = 60 s is allowed (headers checked, then dropped).
      await new Promise<void>((res, rej) => {
        const req = http.get(`${s.base}/stream?n=1000&interval=60`, { agent: false }, (r) => {
          assert.equal(r.statusCode, 200);
          req.destroy();
          res();
        });
        req.on('error', rej);
      });
    });

    it('chat: /chat without an upgrade is 426 (503 if refused); a bad room or path refuses the upgrade', async () => {
      const plain = await getJson(`${s.base}/chat`);
      if (stack.refuses) {
        assert.equal(plain.status, 503);
        assert.deepEqual(plain.body, { error: REFUSAL });
      } else {
        assert.equal(plain.status, 426);
        assert.deepEqual(plain.body, { error: 'WebSocket upgrade required' });
      }
      assert.equal(plain.headers.get('server'), stack.server);
      for (const room of ['a%20b', 'x'.repeat(65), '', 'caf%C3%A9', 'a.b']) {
        const r = await refusedUpgrade(`${wsBase}/chat?room=${room}`);
        assertError(r, 400, `room=${room}`);
        assert.equal(r.server, stack.server);
      }
      assert.equal((await refusedUpgrade(`${wsBase}/not-chat`)).status, 404);
    });

    it('chat: a message reaches every member of its room, the sender included, and nobody else', async () => {
      const room = `A-${stack.server}_${process.pid}`;
      if (stack.refuses) {
        const r = await refusedUpgrade(`${wsBase}/chat?room=${room}`);
        assert.equal(r.status, 503);
        assert.deepEqual(r.body, { error: REFUSAL });
        assert.equal(r.server, stack.server);
        return;
      }
      const members: Member[] = [];
      try {
        const a1 = await joinRoom(wsBase, `?room=${room}`);
        members.push(a1);
        const a2 = await joinRoom(wsBase, `?room=${room}`);
        const a3 = await joinRoom(wsBase, `?room=${room}`);
        const b1 = await joinRoom(wsBase, `?room=B${process.pid}`);
        members.push(a2, a3, b1);
        const text = `héllo {"seq":1} ${'x'.repeat(1000)}`;
        a1.ws.send(text);
        await sleep(200);
        assert.deepEqual(a1.got, [text], 'sender');
        assert.deepEqual(a2.got, [text], 'A2');
        assert.deepEqual(a3.got, [text], 'A3');
        assert.deepEqual(b1.got, [], 'B1 is in another room');
        // A member that left gets nothing and does not break the room.
        a3.ws.close();
        await sleep(50);
        b1.ws.send('to B');
        a2.ws.send('second');
        await sleep(200);
        assert.deepEqual(a1.got, [text, 'second']);
        assert.deepEqual(a2.got, [text, 'second']);
        assert.deepEqual(a3.got, [text]);
        assert.deepEqual(b1.got, ['to B']);
      } finally {
        closeAll(members);
      }
    });

    it('chat: no room means the lobby', async () => {
      if (stack.refuses) return;
      const members = [await joinRoom(wsBase, ''), await joinRoom(wsBase, '?room=lobby')];
      try {
        members[0]?.ws.send('hi lobby');
        await sleep(200);
        assert.deepEqual(
          members.map((m) => m.got),
          [['hi lobby'], ['hi lobby']],
        );
      } finally {
        closeAll(members);
      }
    });

    it('SIGTERM with clients connected and a stream open: clean exit within 3 s', async () => {
      const members = stack.refuses
        ? []
        : [await joinRoom(wsBase, '?room=stop'), await joinRoom(wsBase, '?room=stop')];
      const stream = readStream(`${s.base}/stream?n=1000&interval=50`);
      await sleep(120); // the stream is running
      const pid = s.child.pid as number;
      const children = childPids(pid);
      const t0 = performance.now();
      s.child.kill('SIGTERM');
      const code = await exited(s.child, 5000);
      const took = performance.now() - t0;
      assert.equal(code, 0, `exit code (stderr: ${s.stderr()})`);
      // The servers' fallbacks (cut connections, terminate sockets) fire at 1 s and the hard exit at 3 s:
      // a graceful stop that really ends streams and closes clients is done well before either.
      assert.ok(took < 900, `exited in ${took.toFixed(0)} ms`);
      assert.equal(s.stderr(), '', 'nothing on stderr');
      const r = await stream;
      assert.ok(r.chunks.length >= 1 && r.chunks.length < 1000, `stream ended early (${r.chunks.length})`);
      await sleep(100);
      for (const m of members) assert.equal(m.closeCode, 1001, 'WebSocket closed with 1001');
      const deadline = Date.now() + 3000;
      while (children.some(isAlive) && Date.now() < deadline) await sleep(50);
      assert.deepEqual(children.filter(isAlive), [], 'no leftover worker');
    });
  });
}

describe('stream schedule (servers/node/dist/workloads/stream.js)', () => {
  interface StreamModule {
    scheduleEvents(
      p: { n: number; interval: number },
      start: number,
      emit: (seq: number) => void,
      end: () => void,
    ): () => void;
    openStreams(): number;
    endStreams(): void;
  }
  const load = async (): Promise<StreamModule> =>
    (await import(pathToFileURL(join(DIST, 'workloads/stream.js')).href)) as StreamModule;

  it('a stopped stream (client gone) emits nothing more and ends once', async () => {
    const mod = await load();
    const seen: number[] = [];
    let ends = 0;
    const stop = mod.scheduleEvents(
      { n: 100, interval: 10 },
      performance.now(),
      (i) => seen.push(i),
      () => ends++,
    );
    assert.equal(mod.openStreams(), 1);
    await sleep(35);
    stop();
    stop();
    const at = seen.length;
    assert.ok(at >= 2 && at <= 4, `${at} events before the stop`);
    await sleep(60);
    assert.equal(seen.length, at, 'no event after stop');
    assert.equal(ends, 1);
    assert.equal(mod.openStreams(), 0);
  });

  it('events are due from the start time: a late start catches up, the total does not drift', async () => {
    const mod = await load();
    const seen: { seq: number; at: number }[] = [];
    const start = performance.now() - 35; // as if the request arrived 35 ms ago
    await new Promise<void>((res) => {
      mod.scheduleEvents(
        { n: 4, interval: 20 },
        start,
        (seq) => seen.push({ seq, at: performance.now() - start }),
        res,
      );
    });
    assert.deepEqual(
      seen.map((e) => e.seq),
      [1, 2, 3, 4],
    );
    seen.forEach((e) =>
      assert.ok(e.at >= e.seq * 20, `event ${e.seq} at ${e.at.toFixed(1)} >= ${e.seq * 20}`),
    );
    const last = seen[3]?.at ?? NaN;
    assert.ok(last < 80 + 25, `last event at ${last.toFixed(1)} ms, not drifting`);
    // 35 ms late: event 1 is overdue and goes out at once, event 2 is only 5 ms away.
    assert.ok((seen[1]?.at ?? NaN) < 40 + 15);
  });

  it('endStreams ends every open stream', async () => {
    const mod = await load();
    let ends = 0;
    for (let i = 0; i < 3; i++)
      mod.scheduleEvents(
        { n: 10, interval: 1000 },
        performance.now(),
        () => {},
        () => ends++,
      );
    assert.equal(mod.openStreams(), 3);
    mod.endStreams();
    assert.equal(ends, 3);
    assert.equal(mod.openStreams(), 0);
  });
});
