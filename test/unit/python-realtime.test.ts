// The real-time workloads of docs/WORKLOADS.md on the Python reference servers (servers/python): /stream
// (server-sent events, timed chunk by chunk on the wire) and its 501 on django-asgi with Django < 4.2, /chat
// (WebSocket rooms) on fastapi-uvicorn, flask-gevent and django-asgi (Channels) and its 501 on the two sync WSGI
// stacks, and chat across worker processes: refused without a broker, fanned out through a private Redis.
// Each stack is started exactly as the lab starts it.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createClient } from 'redis';
import WebSocket from 'ws';
import { assertPythonStack, freePort, pythonArgv, type PythonStackId } from '../helpers/subjects.js';
import { twice } from '../helpers/twice.js';

const root = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/unit -> repo root
const pythonDir = join(root, 'servers', 'python');
const python = '/usr/bin/python3';

type StackId = PythonStackId;
// Django >= 4.2 streams from an async iterator; before, django-asgi answers /stream with 501 (tested below).
const djangoStreams =
  spawnSync(python, ['-c', 'import django, sys; sys.exit(0 if django.VERSION >= (4, 2) else 1)']).status ===
  0;
const stackIds: StackId[] = [
  'flask-gunicorn',
  'flask-gevent',
  'django-gunicorn',
  ...(djangoStreams ? (['django-asgi'] as const) : []),
  'fastapi-uvicorn',
];
// Every stack fails its tests with the install command when a package is missing (launchStack), never skips.

// The lab's argv (the stack registry, src/stacks/registry.ts), cwd servers/python.

// ---------------------------------------------------------------- processes

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  child: ChildProcess;
  port: number;
  base: string;
  output: () => string;
}

const started: ChildProcess[] = [];

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function stopStack(stack: Running | undefined): Promise<void> {
  if (!stack || stack.child.exitCode !== null || stack.child.signalCode !== null) return;
  const exited = new Promise((resolve) => stack.child.once('exit', resolve));
  stack.child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  killGroup(stack.child); // workers a graceful stop may have left (normally none)
}

/**
 * Stops under way: a graceful stop takes a gunicorn master up to seconds (gevent's workers close their
 * sockets first), so each group's stop runs behind the tests that follow and the last hook waits for them all.
 */
const stopping: Array<Promise<void>> = [];
const stopLater = (stack: Running | undefined) => void stopping.push(stopStack(stack));

after(async () => {
  await Promise.all(stopping);
  for (const child of started) killGroup(child); // whatever a failed assertion left running
});

// Stacks started before any test, a few at a time (a Python start is mostly imports on one core; the machine
// has two), each handed to the first startStack() asking for the same stack, workers and environment. Sixteen
// starts one after another were most of this file's time. All are up before the first test, so none competes
// with a test's timing.
const prestarted = new Map<string, Array<Promise<Running>>>();
const keyOf = (id: StackId, workers: number, env: Record<string, string>) =>
  JSON.stringify([id, workers, env]);

before(async () => {
  const wanted: Array<[StackId, number]> = [];
  for (const id of stackIds) wanted.push([id, 2]); // /stream
  wanted.push(['flask-gunicorn', 3], ['fastapi-uvicorn', 1], ['flask-gunicorn', 1], ['django-gunicorn', 1]);
  if (!djangoStreams) wanted.push(['django-asgi', 1]);
  // gevent and Channels chat on one worker; chat refused across 2 workers without a broker.
  wanted.push(['flask-gevent', 1], ['django-asgi', 1], ['flask-gevent', 2], ['django-asgi', 2]);
  const all: Array<Promise<Running>> = [];
  let next = 0;
  const lane = async () => {
    while (next < wanted.length) {
      const [id, workers] = wanted[next++]!;
      const p = launchStack(id, workers, {});
      p.catch(() => undefined); // a failed start fails the test that asks for it
      all.push(p);
      const key = keyOf(id, workers, {});
      prestarted.set(key, [...(prestarted.get(key) ?? []), p]);
      await p.catch(() => undefined);
    }
  };
  await Promise.all([lane(), lane(), lane()]);
  await Promise.allSettled(all);
});

function startStack(id: StackId, workers: number, extraEnv: Record<string, string> = {}): Promise<Running> {
  const ready = prestarted.get(keyOf(id, workers, extraEnv))?.shift();
  return ready ?? launchStack(id, workers, extraEnv);
}

async function launchStack(
  id: StackId,
  workers: number,
  extraEnv: Record<string, string> = {},
): Promise<Running> {
  assertPythonStack(id);
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env, HOST: '127.0.0.1', PORT: String(port) };
  delete env.STACKBENCH_PG;
  delete env.STACKBENCH_DOWNSTREAM;
  delete env.STACKBENCH_REDIS;
  Object.assign(env, { WORKERS: String(workers), PYTHONDONTWRITEBYTECODE: '1' }, extraEnv);
  // detached: own process group, so every worker can be killed if a test fails half-way.
  const child = spawn(python, pythonArgv(id, port, workers), {
    cwd: pythonDir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stack: Running = { child, port, base: `http://127.0.0.1:${port}`, output: () => log };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${id} exited early:\n${log}`);
    try {
      const res = await fetch(`${stack.base}/json`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return stack;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${id} not ready after 30 s:\n${log}`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------- an SSE client that times every event

interface TimedStream {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** ms from sending the request to the arrival of each complete event (in order). */
  eventAt: number[];
  /** ms from sending the request to the end of the response. */
  endAt: number;
}

function timedGet(url: string): Promise<TimedStream> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = '';
      const eventAt: number[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        const complete = body.split('\n\n').length - 1;
        while (eventAt.length < complete) eventAt.push(performance.now() - t0);
      });
      res.on('end', () => {
        const endAt = performance.now() - t0;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, eventAt, endAt });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const events = (n: number) =>
  Array.from({ length: n }, (_, k) => `data: {"seq":${k + 1},"n":${n}}\n\n`).join('');

// ---------------------------------------------------------------- WebSocket clients

interface Client {
  ws: WebSocket;
  got: string[];
}

function connect(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const client: Client = { ws, got: [] };
    ws.on('message', (data, isBinary) => {
      client.got.push(isBinary ? `<binary ${String(data)}>` : String(data));
    });
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => reject(new RefusedError(res.statusCode ?? 0, text)));
    });
    ws.once('error', reject);
  });
}

class RefusedError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`handshake refused with ${status}: ${body}`);
  }
}

async function refusal(url: string): Promise<RefusedError> {
  try {
    const client = await connect(url);
    client.ws.terminate();
  } catch (error) {
    if (error instanceof RefusedError) return error;
    throw error;
  }
  throw new Error(`${url}: the handshake succeeded`);
}

async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

// ---------------------------------------------------------------- /stream, per stack

for (const id of stackIds) {
  describe(`${id} /stream`, { timeout: 120_000 }, () => {
    let stack: Running;

    before(async () => {
      stack = await startStack(id, 2);
    });

    after(() => stopLater(stack));

    it('sends the 5 events one by one, 50 ms apart, chunked, with the SSE headers', async () => {
      // Time bounds on a machine CI loads with two test lanes: a second read from scratch (helpers/twice.ts). A
      // first request beside two other test files once came 132 ms late, two events together; a server that
      // sends every event at the end fails both.
      await twice(`${id} /stream timing`, async () => {
        const s = await timedGet(`${stack.base}/stream?n=5&interval=50`);
        assert.equal(s.status, 200);
        assert.equal(s.body, events(5));
        assert.match(s.headers['content-type'] ?? '', /^text\/event-stream(; ?charset=utf-8)?$/i);
        assert.equal(s.headers['cache-control'], 'no-cache');
        assert.equal(s.headers['transfer-encoding'], 'chunked');
        assert.equal(s.headers['content-length'], undefined);
        assert.ok(s.headers.server, 'Server header');
        assert.ok(!Number.isNaN(Date.parse(s.headers.date ?? '')), 'Date header');
        // Each event on its own schedule, not all at the end: event i arrives about i * 50 ms after the request.
        assert.equal(s.eventAt.length, 5);
        s.eventAt.forEach((at, k) => {
          assert.ok(at >= (k + 1) * 50 - 5, `event ${k + 1} at ${at.toFixed(1)} ms is early`);
        });
        // Spread over the stream, not sent at its end: the first event at least 3 intervals before the last.
        const spread = (s.eventAt[4] ?? 0) - (s.eventAt[0] ?? 0);
        assert.ok(
          spread >= 150,
          `events ${s.eventAt.map((t) => t.toFixed(0)).join(', ')} ms: not spread out`,
        );
        assert.ok(s.endAt >= 250 && s.endAt < 500, `stream took ${s.endAt.toFixed(1)} ms`);
      });
    });

    it('uses the defaults (n=5, interval=50) without parameters', async () => {
      const s = await timedGet(`${stack.base}/stream`);
      assert.equal(s.body, events(5));
      assert.ok(s.endAt >= 245, `stream took ${s.endAt.toFixed(1)} ms`);
    });

    it('answers 400 JSON before any event for bad parameters', async () => {
      for (const query of [
        'n=0',
        'n=1001',
        'interval=foo',
        'interval=0',
        'interval=10001',
        'n=1000&interval=100',
      ]) {
        const s = await timedGet(`${stack.base}/stream?${query}`);
        assert.equal(s.status, 400, query);
        assert.match(s.headers['content-type'] ?? '', /^application\/json/, query);
        assert.equal(typeof (JSON.parse(s.body) as { error?: unknown }).error, 'string', query);
      }
      // The limit itself is allowed: 1000 * 60 = 60000 ms (only the first event is awaited here).
      const ok = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${stack.base}/stream?n=1000&interval=60`, { agent: false }, (res) => {
          res.once('data', () => {
            resolve(res.statusCode ?? 0);
            req.destroy();
          });
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(ok, 200);
    });

    it('survives a client that leaves mid-stream, without logging a traceback', async () => {
      const controller = new AbortController();
      const res = await fetch(`${stack.base}/stream?n=10&interval=40`, { signal: controller.signal });
      const reader = res.body?.getReader();
      await reader?.read(); // the first event
      controller.abort();
      await sleep(500); // past the stream's end: the server has tried (and failed) to write the rest
      const again = await timedGet(`${stack.base}/stream?n=2&interval=10`);
      assert.equal(again.body, events(2));
      assert.doesNotMatch(stack.output(), /Traceback|Error handling request|Exception/);
    });
  });
}

// ---------------------------------------------------------------- the sync model holds a worker per stream

describe('flask-gunicorn /stream with WORKERS=3', { timeout: 60_000 }, () => {
  let stack: Running;

  before(async () => {
    stack = await startStack('flask-gunicorn', 3);
    // /json answered by one worker says nothing of the other two: wait until three /io requests overlap.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const t0 = performance.now();
      await Promise.all([1, 2, 3].map(() => fetch(`${stack.base}/io?ms=200`).then((r) => r.arrayBuffer())));
      if (performance.now() - t0 < 350) break;
      if (Date.now() > deadline) throw new Error(`three workers never served at once:\n${stack.output()}`);
    }
  });

  after(() => stopLater(stack));

  it('runs 3 streams in parallel while a 4th waits for a free worker', async () => {
    // 3 events 100 ms apart: a stream holds its worker for 300 ms.
    const all = await Promise.all([1, 2, 3, 4].map(() => timedGet(`${stack.base}/stream?n=3&interval=100`)));
    for (const s of all) assert.equal(s.body, events(3));
    const ends = all.map((s) => s.endAt).sort((a, b) => a - b);
    const [first = 0, , third = 0, fourth = 0] = ends;
    assert.ok(
      first >= 295 && third < 450,
      `three parallel streams ended at ${ends.map((e) => e.toFixed(0))} ms`,
    );
    assert.ok(fourth >= 550, `the fourth stream ended at ${fourth.toFixed(0)} ms: it did not wait`);
    // The waiting one got its first event only after a worker was free (300 ms) plus its own 100 ms.
    const lateFirst = Math.max(...all.map((s) => s.eventAt[0] ?? 0));
    assert.ok(lateFirst >= 380, `the waiting stream's first event came at ${lateFirst.toFixed(0)} ms`);
  });
});

// ---------------------------------------------------------------- /chat

describe('fastapi-uvicorn /chat', { timeout: 60_000 }, () => {
  let stack: Running;
  const clients: Client[] = [];
  const ws = (query: string) => `ws://127.0.0.1:${stack.port}/chat${query}`;
  const join = async (query: string) => {
    const client = await connect(ws(query));
    clients.push(client);
    return client;
  };

  // One worker: rooms live per process, so every client must reach the same one.
  before(async () => {
    stack = await startStack('fastapi-uvicorn', 1);
  });

  after(async () => {
    for (const c of clients) c.ws.terminate();
    stopLater(stack);
  });

  it('broadcasts a message to every member of its room, sender included, and to nobody else', async () => {
    const [a1, a2, a3, b1] = await Promise.all([
      join('?room=A'),
      join('?room=A'),
      join('?room=A'),
      join('?room=B'),
    ]);
    assert.ok(a1 && a2 && a3 && b1);
    const text = 'hello from A1: {"x":1} ünïcödé';
    a1.ws.send(text);
    await until('A1, A2 and A3 to receive', () => [a1, a2, a3].every((c) => c.got.length > 0));
    await sleep(200); // time for a wrong delivery to B1, or a duplicate, to show up
    for (const c of [a1, a2, a3]) assert.deepEqual(c.got, [text]);
    assert.deepEqual(b1.got, []);

    b1.ws.send('only B');
    await until('B1 to receive its own message', () => b1.got.length === 1);
    assert.deepEqual(b1.got, ['only B']);

    // A member that left is dropped; the others still get messages.
    a3.ws.close();
    await new Promise((resolve) => a3.ws.once('close', resolve));
    a2.ws.send('after A3 left');
    await until('A1 and A2 to receive', () => a1.got.length === 2 && a2.got.length === 2);
    await sleep(100);
    assert.deepEqual(a1.got, [text, 'after A3 left']);
    assert.deepEqual(a2.got, [text, 'after A3 left']);
    assert.deepEqual(a3.got, [text]);
    assert.deepEqual(b1.got, ['only B']);
  });

  it("joins room 'lobby' without a room parameter", async () => {
    const [plain, named, other] = await Promise.all([join(''), join('?room=lobby'), join('?room=lobby2')]);
    assert.ok(plain && named && other);
    plain.ws.send('hi lobby');
    await until('both lobby members to receive', () => plain.got.length === 1 && named.got.length === 1);
    await sleep(100);
    assert.deepEqual(named.got, ['hi lobby']);
    assert.deepEqual(other.got, []);
  });

  it('refuses a bad room name before the handshake completes (uvicorn 0.17: 403)', async () => {
    for (const query of ['?room=bad%20room', `?room=${'x'.repeat(65)}`, '?room=', '?room=caf%C3%A9']) {
      const refused = await refusal(ws(query));
      assert.equal(refused.status, 403, query);
    }
    const longest = await join(`?room=${'x'.repeat(64)}`); // 64 characters are allowed
    longest.ws.send('edge');
    await until('the 64-character room to echo', () => longest.got.length === 1);
  });

  it('answers a plain GET /chat (no upgrade) with 404 JSON: the route is WebSocket-only', async () => {
    const res = await fetch(`${stack.base}/chat`);
    assert.equal(res.status, 404);
    assert.equal(typeof ((await res.json()) as { error?: unknown }).error, 'string');
  });

  it('logs nothing per connection', () => {
    assert.doesNotMatch(stack.output(), /WebSocket \/chat|connection open|connection closed/);
  });
});

for (const id of ['flask-gunicorn', 'django-gunicorn'] as const) {
  describe(`${id} /chat`, { timeout: 60_000 }, () => {
    let stack: Running;
    const error = `WebSocket needs an ASGI or event-loop server; ${id} runs WSGI`;

    before(async () => {
      stack = await startStack(id, 1);
    });

    after(() => stopLater(stack));

    it('answers GET /chat with 501 JSON', async () => {
      const res = await fetch(`${stack.base}/chat?room=A`);
      assert.equal(res.status, 501);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await res.json(), { error });
    });

    it('refuses a WebSocket handshake with the same 501', async () => {
      const refused = await refusal(`ws://127.0.0.1:${stack.port}/chat?room=A`);
      assert.equal(refused.status, 501);
      assert.deepEqual(JSON.parse(refused.body), { error });
    });
  });
}

// ---------------------------------------------------------------- django-asgi /stream on Django < 4.2

describe('django-asgi /stream on Django < 4.2', { skip: djangoStreams, timeout: 60_000 }, () => {
  let stack: Running;

  before(async () => {
    stack = await startStack('django-asgi', 1);
  });

  after(() => stopLater(stack));

  it('answers 501 JSON naming the Django version that streams without blocking', async () => {
    const s = await timedGet(`${stack.base}/stream?n=2&interval=10`);
    assert.equal(s.status, 501);
    assert.match(s.headers['content-type'] ?? '', /^application\/json/);
    assert.match((JSON.parse(s.body) as { error: string }).error, /Django >= 4\.2/);
  });
});

// ---------------------------------------------------------------- /chat on one worker: gevent and Channels

/** Three members of room A and one of B: fan-out to the room, sender included, nobody else, leavers dropped. */
async function roomFanout(join: (query: string) => Promise<Client>): Promise<void> {
  const [a1, a2, a3, b1] = await Promise.all([
    join('?room=A'),
    join('?room=A'),
    join('?room=A'),
    join('?room=B'),
  ]);
  assert.ok(a1 && a2 && a3 && b1);
  const text = 'hello from A1: {"x":1} ünïcödé';
  a1.ws.send(text);
  await until('A1, A2 and A3 to receive', () => [a1, a2, a3].every((c) => c.got.length > 0));
  await sleep(200); // time for a wrong delivery to B1, or a duplicate, to show up
  for (const c of [a1, a2, a3]) assert.deepEqual(c.got, [text]);
  assert.deepEqual(b1.got, []);
  a1.ws.send(Buffer.from('binary is ignored'), { binary: true });
  a3.ws.close();
  await new Promise((resolve) => a3.ws.once('close', resolve));
  a2.ws.send('after A3 left');
  await until('A1 and A2 to receive', () => a1.got.length === 2 && a2.got.length === 2);
  await sleep(100);
  assert.deepEqual(a1.got, [text, 'after A3 left']);
  assert.deepEqual(a3.got, [text]);
  assert.deepEqual(b1.got, []);
  const [plain, lobby] = await Promise.all([join(''), join('?room=lobby')]);
  plain.ws.send('hi lobby');
  await until('both lobby members to receive', () => plain.got.length === 1 && lobby.got.length === 1);
}

describe('flask-gevent /chat (gevent-websocket, one worker)', { timeout: 60_000 }, () => {
  let stack: Running;
  const clients: Client[] = [];
  const join = async (query: string) => {
    const client = await connect(`ws://127.0.0.1:${stack.port}/chat${query}`);
    clients.push(client);
    return client;
  };

  before(async () => {
    stack = await startStack('flask-gevent', 1);
  });

  after(async () => {
    for (const c of clients) c.ws.terminate();
    stopLater(stack);
  });

  it('broadcasts to every member of the room, sender included, and to nobody else', () => roomFanout(join));

  it('refuses a bad room name before the handshake, with 400 JSON', async () => {
    for (const query of ['?room=bad%20room', `?room=${'x'.repeat(65)}`, '?room=', '?room=caf%C3%A9']) {
      const refused = await refusal(`ws://127.0.0.1:${stack.port}/chat${query}`);
      assert.equal(refused.status, 400, query);
      assert.match((JSON.parse(refused.body) as { error: string }).error, /1\.\.64/, query);
    }
  });

  it('answers a plain GET /chat with 426 Upgrade Required', async () => {
    const res = await fetch(`${stack.base}/chat?room=A`);
    assert.equal(res.status, 426);
    assert.equal(res.headers.get('upgrade'), 'websocket');
    assert.equal(typeof ((await res.json()) as { error?: unknown }).error, 'string');
  });

  it('logs nothing per connection', () => {
    assert.doesNotMatch(stack.output(), /GET \/chat|Traceback|Error/);
  });
});

describe('django-asgi /chat with Channels (one worker)', { timeout: 60_000 }, () => {
  let stack: Running;
  const clients: Client[] = [];
  const join = async (query: string) => {
    const client = await connect(`ws://127.0.0.1:${stack.port}/chat${query}`);
    clients.push(client);
    return client;
  };

  before(async () => {
    assertPythonStack('django-asgi', ['channels']);
    stack = await startStack('django-asgi', 1);
  });

  after(async () => {
    for (const c of clients) c.ws.terminate();
    stopLater(stack);
  });

  it('broadcasts to every member of the room, sender included, and to nobody else', () => roomFanout(join));

  it('refuses a bad room name before the handshake (uvicorn 0.17: 403); GET /chat says why', async () => {
    const refused = await refusal(`ws://127.0.0.1:${stack.port}/chat?room=bad%20room`);
    assert.equal(refused.status, 403);
    const res = await fetch(`${stack.base}/chat?room=bad%20room`);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /1\.\.64/);
    const plain = await fetch(`${stack.base}/chat?room=A`);
    await plain.arrayBuffer();
    assert.equal(plain.status, 426);
  });

  it('logs nothing per connection', () => {
    assert.doesNotMatch(stack.output(), /WebSocket \/chat|connection open|connection closed|Traceback/);
  });
});

describe('django-asgi /chat without Channels', { timeout: 60_000 }, () => {
  let stack: Running;
  // A package named `channels` that cannot be imported, first on the path: the stack must run as if Channels
  // were not installed.
  const hide = mkdtempSync(join(tmpdir(), 'stackbench-no-channels-'));

  before(async () => {
    mkdirSync(join(hide, 'channels'));
    writeFileSync(join(hide, 'channels', '__init__.py'), 'raise ImportError("hidden by the test")\n');
    stack = await startStack('django-asgi', 1, { PYTHONPATH: hide });
  });

  after(async () => {
    stopLater(stack);
    rmSync(hide, { recursive: true, force: true });
  });

  it('refuses the handshake and answers GET /chat with 501 naming pip install channels', async () => {
    const refused = await refusal(`ws://127.0.0.1:${stack.port}/chat?room=A`);
    assert.equal(refused.status, 403);
    const res = await fetch(`${stack.base}/chat?room=A`);
    assert.equal(res.status, 501);
    assert.match(((await res.json()) as { error: string }).error, /pip install channels/);
  });
});

// ---------------------------------------------------------------- /chat across worker processes

interface PrivateRedis {
  child: ChildProcess;
  url: string;
  port: number;
  password: string;
}

async function startRedis(
  port?: number,
  password = `pw-${process.pid}-${Date.now()}`,
): Promise<PrivateRedis> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error('redis-server is missing: apt-get install redis-server');
  const p = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(p),
      '--bind',
      '127.0.0.1',
      '--requirepass',
      password,
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.push(child);
  const url = `redis://:${password}@127.0.0.1:${p}/0`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = createClient({ url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.destroy();
      return { child, url, port: p, password };
    } catch {
      client.destroy();
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('redis-server did not start');
      await sleep(50);
    }
  }
}

async function stopRedis(redis: PrivateRedis | undefined): Promise<void> {
  if (!redis || redis.child.exitCode !== null || redis.child.signalCode !== null) return;
  const exited = new Promise((resolve) => redis.child.once('exit', resolve));
  killGroup(redis.child);
  await Promise.race([exited, sleep(5000)]);
}

for (const id of ['flask-gevent', 'django-asgi'] as const) {
  describe(`${id} /chat with 2 workers`, { timeout: 120_000 }, () => {
    let redis: PrivateRedis | undefined;
    const stacks: Running[] = [];
    const clients: Client[] = [];

    after(async () => {
      for (const c of clients) c.ws.terminate();
      await Promise.all(stacks.map(stopStack));
      await stopRedis(redis);
    });

    it('refuses chat without STACKBENCH_REDIS: 503 naming the broker, rooms are not split', async () => {
      const stack = await startStack(id, 2);
      stacks.push(stack);
      const error = 'chat across 2 workers needs a broker: set STACKBENCH_REDIS';
      const refused = await refusal(`ws://127.0.0.1:${stack.port}/chat?room=A`);
      if (id === 'flask-gevent') {
        assert.equal(refused.status, 503);
        assert.deepEqual(JSON.parse(refused.body), { error });
      } else {
        assert.equal(refused.status, 403); // uvicorn 0.17 refuses handshakes with 403 only
        const res = await fetch(`${stack.base}/chat?room=A`);
        assert.equal(res.status, 503);
        assert.deepEqual(await res.json(), { error });
      }
    });

    it('fans out through Redis to members on both workers, exactly once, and survives Redis dying', async () => {
      redis = await startRedis();
      const stack = await startStack(id, 2, { STACKBENCH_REDIS: redis.url });
      stacks.push(stack);
      const channel = 'stackbench:chat:R';
      const spy = createClient({ url: redis.url });
      spy.on('error', () => undefined);
      await spy.connect();
      const seen: string[] = [];
      const listener = spy.duplicate();
      listener.on('error', () => undefined);
      await listener.connect();
      await listener.subscribe(channel, (message) => seen.push(message));
      try {
        // Join until both workers hold members of room R: each then subscribes, so Redis counts 2 + our spy.
        // (The second worker may still be importing pandas when the first answers: keep joining, 15 s at most.)
        const members: Client[] = [];
        const subscribers = async () => {
          const reply = (await spy.sendCommand(['PUBSUB', 'NUMSUB', channel])) as unknown as [string, number];
          return Number(reply[1]);
        };
        const joinUntil = Date.now() + 15_000;
        while (
          members.length < 60 &&
          Date.now() < joinUntil &&
          (members.length < 4 || (await subscribers()) < 3)
        ) {
          const c = await connect(`ws://127.0.0.1:${stack.port}/chat?room=R`);
          clients.push(c);
          members.push(c);
          await sleep(members.length < 4 ? 0 : 100);
        }
        assert.equal(await subscribers(), 3, 'both workers subscribed to the room');
        const other = await connect(`ws://127.0.0.1:${stack.port}/chat?room=S`);
        clients.push(other);

        const text = `across workers ${Date.now()} ü`;
        members[0]!.ws.send(text);
        await until('every member to receive', () => members.every((c) => c.got.length > 0), 5000);
        await sleep(200);
        for (const c of members) assert.deepEqual(c.got, [text]);
        assert.deepEqual(other.got, []);
        assert.deepEqual(seen, [text], 'published once, bytes unchanged, on stackbench:chat:R');

        // What arrives on the channel from elsewhere reaches every member too.
        await spy.publish(channel, 'from outside');
        await until('every member to receive the outside message', () =>
          members.every((c) => c.got.length === 2),
        );

        // Redis dies: the stack stays up, a message sent meanwhile is lost, not a crash.
        await stopRedis(redis);
        members[1]!.ws.send('while Redis is down');
        await sleep(300);
        const alive = await fetch(`${stack.base}/json`);
        assert.equal(alive.status, 200);
        await alive.arrayBuffer();
        assert.ok(
          members.every((c) => c.ws.readyState === WebSocket.OPEN),
          'members stay connected',
        );

        // Redis comes back on the same port: the workers subscribe again and deliveries resume.
        redis = await startRedis(redis.port, redis.password);
        const deadline = Date.now() + 15_000;
        let resumed = false;
        for (let k = 0; !resumed && Date.now() < deadline; k++) {
          members[0]!.ws.send(`back ${k}`);
          await sleep(300);
          resumed = members.every((c) => c.got.some((m) => m.startsWith('back ')));
        }
        assert.ok(resumed, `deliveries did not resume after Redis came back:\n${stack.output()}`);
        assert.doesNotMatch(stack.output(), /Traceback/);
      } finally {
        listener.destroy();
        spy.destroy();
      }
    });
  });
}
