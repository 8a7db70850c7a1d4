// Chat across replicas and workers through Redis, on real servers and a real private redis-server: for
// node-http, fastify, express, node-cluster (WORKERS=2), fastapi-uvicorn, flask-gevent and django-asgi (2
// workers each), two replicas on two ports with one Redis pass the verifier's cross-replica check; Redis killed mid-chat leaves them serving
// (and the sockets open), and once Redis is back on its port they reconnect. Without Redis, a process that
// is one of several workers refuses /chat with 503; with Redis down at startup, a server still starts.
// Each stack is started with the registry's own launch (argv, cwd, env), as the lab starts it.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join as joinPath } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import WebSocket from 'ws';
import { findRedis, redisExchange, startRedis, type RedisInstance } from '../../src/lab/redis.js';
import { instancesFree } from '../../src/machine/net.js';
import { STACKS, type BuiltinStackId as StackId } from '../../src/stacks/registry.js';
import { checkChatReplicas } from '../../src/verify/chat-replicas.js';
import { exited, freePort } from '../helpers/subjects.js';

const PYTHON = '/usr/bin/python3';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Missing tools fail the tests that need them, with the command that installs them.
const redisFound = findRedis();
const needRedis = () => assert.ok(redisFound.ok, `redis-server is needed: apt-get install redis-server`);
const pythonProblem = ((): string | undefined => {
  const r = spawnSync(
    PYTHON,
    ['-c', 'import fastapi, uvicorn, uvloop, httptools, websockets, redis.asyncio'],
    {
      encoding: 'utf8',
    },
  );
  return r.status === 0 ? undefined : (r.stderr || String(r.error)).trim().split('\n').pop();
})();
const needPython = () =>
  assert.equal(
    pythonProblem,
    undefined,
    `${PYTHON} lacks the FastAPI stack's packages: apt-get install python3-fastapi python3-uvicorn ` +
      'python3-uvloop python3-httptools python3-websockets python3-redis',
  );

// ---------------------------------------------------------------- processes (all killed in the end)

interface Replica {
  id: StackId;
  port: number;
  child: ChildProcess;
  output: () => string;
}

const children: ChildProcess[] = [];

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

after(() => {
  for (const child of children) killGroup(child); // whatever a failed test left running
});

const running = (r: Replica) => r.child.exitCode === null && r.child.signalCode === null;

async function jsonStatus(port: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** One replica as the lab launches it; ready when /json answers and, with workers, all of them serve. */
async function startReplica(id: StackId, workers: number, redisUrl?: string): Promise<Replica> {
  const port = await freePort();
  const launch = STACKS[id].launch(port, workers, PYTHON);
  const env: NodeJS.ProcessEnv = { ...process.env, ...launch.env };
  delete env.STACKBENCH_PG;
  delete env.STACKBENCH_DOWNSTREAM;
  delete env.STACKBENCH_REDIS;
  if (redisUrl) env.STACKBENCH_REDIS = redisUrl;
  // detached: its own process group, so every worker goes when the test kills it.
  const child = spawn(launch.cmd, launch.args, {
    cwd: launch.cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const replica: Replica = { id, port, child, output: () => log };
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (!running(replica)) throw new Error(`${id} exited early:\n${log}`);
    if (
      (await jsonStatus(port)) === 200 &&
      (workers === 1 || (await instancesFree(port, workers, 100, 90)))
    ) {
      return replica;
    }
    if (Date.now() > deadline) throw new Error(`${id} not ready within 40 s:\n${log}`);
    await sleep(100);
  }
}

async function stopReplica(r: Replica | undefined): Promise<void> {
  if (!r) return;
  if (running(r)) {
    r.child.kill('SIGTERM');
    await exited(r.child, 8000);
  }
  killGroup(r.child); // workers a graceful stop may have left (normally none)
}

/** Redis killed outright (no shutdown), as a crash would; its folder and config stay for a restart. */
function killRedis(redis: RedisInstance): void {
  process.kill(redis.pid, 'SIGKILL');
}

/** The same Redis again: same config file, so the same port and password. */
async function restartRedis(redis: RedisInstance): Promise<ChildProcess> {
  const child = spawn(redisFound.bin!, [joinPath(redis.dir, 'redis.conf')], {
    cwd: redis.dir,
    detached: true,
    stdio: 'ignore',
  });
  children.push(child);
  const password = decodeURIComponent(new URL(redis.url).password);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const replies = await redisExchange(redis.port, [['AUTH', password], ['PING']], 1000);
      if (replies[1] === '+PONG') return child;
    } catch {
      // port still closed
    }
    if (Date.now() > deadline) throw new Error('restarted redis-server did not answer within 10 s');
    await sleep(50);
  }
}

// ---------------------------------------------------------------- WebSocket members

interface Member {
  ws: WebSocket;
  got: string[];
}

type Joined = Member | { status: number; body: string };

function join(port: number, room: string): Promise<Joined> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat?room=${room}`, {
      perMessageDeflate: false,
      handshakeTimeout: 5000,
    });
    const m: Member = { ws, got: [] };
    ws.on('message', (data: Buffer) => m.got.push(data.toString('utf8')));
    ws.once('open', () => resolve(m));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

async function member(port: number, room: string): Promise<Member> {
  const j = await join(port, room);
  assert.ok('ws' in j, `join refused on :${port}: ${'status' in j ? `${j.status} ${j.body}` : ''}`);
  return j;
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out (${ms} ms) waiting for ${what}`);
    await sleep(10);
  }
}

// ---------------------------------------------------------------- two replicas, one Redis, per stack

const CASES: { id: StackId; workers: number }[] = [
  { id: 'node-http', workers: 1 },
  { id: 'fastify', workers: 1 },
  { id: 'express', workers: 1 },
  { id: 'node-cluster', workers: 2 },
  { id: 'fastapi-uvicorn', workers: 2 },
  { id: 'flask-gevent', workers: 2 },
  { id: 'django-asgi', workers: 2 },
];

for (const { id, workers } of CASES) {
  describe(`${id} (WORKERS=${workers}): two replicas, one Redis`, { timeout: 120_000 }, () => {
    let redis: RedisInstance | undefined;
    let replicas: Replica[] = [];
    const members: Member[] = [];
    const ports = () => replicas.map((r) => r.port);

    before(async () => {
      needRedis();
      if (STACKS[id].runtime === 'python') needPython();
      redis = await startRedis(await freePort(), undefined);
      replicas = [await startReplica(id, workers, redis.url), await startReplica(id, workers, redis.url)];
    });

    after(async () => {
      for (const m of members) m.ws.terminate();
      for (const r of replicas) await stopReplica(r);
      await redis?.stop();
    });

    it('pass the cross-replica check: every member gets each message once, nobody else any', async () => {
      assert.deepEqual(await checkChatReplicas(ports()), []);
      // The verifier's check says what broke when it breaks: a replica without the broker splits the room. It
      // waits out its 3 s for the missing message, and what it finds does not depend on the stack: once.
      if (id !== CASES[0]!.id) return;
      const alone = await startReplica(id, 1);
      try {
        const problems = await checkChatReplicas([replicas[0]!.port, alone.port]);
        assert.ok(
          problems.some((p) => /missed the message/.test(p)),
          `a replica outside Redis must fail the check: ${JSON.stringify(problems)}`,
        );
      } finally {
        await stopReplica(alone);
      }
    });

    it('subscribes to a room only while it has members there, and unsubscribes when it empties', async () => {
      const room = `numsub-${id}`;
      const channel = `stackbench:chat:${room}`;
      const client = createClient({ url: redis!.url, socket: { reconnectStrategy: false } });
      client.on('error', () => {}); // reported by the awaited calls instead
      await client.connect();
      const subscribers = async () => (await client.pubSubNumSub(channel))[channel];
      try {
        assert.equal(await subscribers(), 0, 'nobody subscribed before any member');
        const [a, b] = [await member(ports()[0]!, room), await member(ports()[1]!, room)];
        // One process per replica holds the room (behind workers, the one the member reached).
        assert.equal(await subscribers(), 2, 'each replica subscribed once it had a member');
        a.ws.close();
        b.ws.close();
        const deadline = Date.now() + 3000;
        while ((await subscribers()) !== 0 && Date.now() < deadline) await sleep(20);
        assert.equal(await subscribers(), 0, 'both unsubscribed once their room emptied');
      } finally {
        client.destroy();
      }
    });

    it('Redis killed mid-chat: the servers keep answering /json and keep their sockets', async () => {
      const room = `kill-${id}`;
      const [a, b] = [await member(ports()[0]!, room), await member(ports()[1]!, room)];
      members.push(a, b);
      a.ws.send('before');
      await until('both members to get "before"', () => a.got.length === 1 && b.got.length === 1, 3000);
      assert.deepEqual([a.got, b.got], [['before'], ['before']]);
      // Messages keep going out while Redis dies under them.
      let n = 0;
      const sender = setInterval(() => a.ws.send(`during ${n++}`), 10);
      await sleep(100);
      killRedis(redis!);
      await sleep(400);
      clearInterval(sender);
      for (const r of replicas) {
        for (let i = 0; i < 3; i++) assert.equal(await jsonStatus(r.port), 200, `${id} :${r.port} /json`);
        assert.ok(running(r), `${id} :${r.port} exited after Redis died:\n${r.output()}`);
      }
      await sleep(200);
      assert.equal(a.ws.readyState, WebSocket.OPEN, 'the server never closes a member first');
      assert.equal(b.ws.readyState, WebSocket.OPEN, 'the server never closes a member first');
    });

    it('Redis back on its port: the servers reconnect, members hear each other again', async () => {
      await restartRedis(redis!);
      const [a, b] = members as [Member, Member];
      // Both replicas' connections come back (backoff at most 1 s): probe from each side until both hear it.
      const got = () => [a, b].map((m) => m.got.filter((t) => t.startsWith('probe')).length);
      const deadline = Date.now() + 10_000;
      let k = 0;
      while (!got().every((g) => g >= 2) && Date.now() < deadline) {
        a.ws.send(`probe a ${k}`);
        b.ws.send(`probe b ${k++}`);
        await sleep(250);
      }
      assert.ok(
        got().every((g) => g >= 2),
        `after Redis came back, members got ${JSON.stringify(got())} probes:\n${replicas.map((r) => r.output()).join('\n')}`,
      );
      // Every process reconnects on its own schedule: the full check passes within a few seconds.
      let problems: string[] = [];
      for (const end = Date.now() + 10_000; Date.now() < end; await sleep(300)) {
        problems = await checkChatReplicas(ports());
        if (problems.length === 0) break;
      }
      assert.deepEqual(problems, []);
      for (const r of replicas) assert.ok(running(r), `${id} :${r.port} exited`);
    });

    it('stops on SIGTERM with members connected: exit code 0, promptly', async () => {
      const r = replicas[0]!;
      const t0 = performance.now();
      r.child.kill('SIGTERM');
      const code = await exited(r.child, 8000);
      const took = performance.now() - t0;
      assert.equal(code, 0, `exit (${code}) after SIGTERM:\n${r.output()}`);
      // Well under gunicorn's graceful_timeout (10 s), which is what a stop waited before members were closed;
      // ~1.4 s idle, 3.1 s seen with CI's other lane loading both cores.
      assert.ok(took < 6000, `took ${took.toFixed(0)} ms to stop (graceful_timeout is 10 s)`);
      assert.equal(members[0]!.ws.readyState === WebSocket.OPEN, false, 'its member was closed');
    });
  });
}

// ---------------------------------------------------------------- no broker: several workers refuse

const REFUSAL = 'chat across 2 workers needs a broker: set STACKBENCH_REDIS';

describe(
  'without STACKBENCH_REDIS, a process that is one of several workers refuses /chat',
  { timeout: 90_000 },
  () => {
    const started: Replica[] = [];
    after(async () => {
      for (const r of started) await stopReplica(r);
    });

    it('node-cluster WORKERS=2: 503 with the reason, for a plain GET and for the upgrade', async () => {
      const r = await startReplica('node-cluster', 2);
      started.push(r);
      const res = await fetch(`http://127.0.0.1:${r.port}/chat?room=A`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { error: REFUSAL });
      const refused = await join(r.port, 'A');
      assert.ok('status' in refused, 'the handshake must be refused');
      assert.equal(refused.status, 503);
      assert.deepEqual(JSON.parse(refused.body), { error: REFUSAL });
      assert.equal(await jsonStatus(r.port), 200);
    });

    it('fastapi-uvicorn --workers 2: 503 for a plain GET; the upgrade is refused (403: uvicorn 0.17)', async () => {
      needPython();
      const r = await startReplica('fastapi-uvicorn', 2);
      started.push(r);
      const res = await fetch(`http://127.0.0.1:${r.port}/chat?room=A`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { error: REFUSAL });
      const refused = await join(r.port, 'A');
      assert.ok('status' in refused, 'the handshake must be refused');
      assert.equal(refused.status, 403);
    });
  },
);

// ---------------------------------------------------------------- Redis down at startup

for (const id of ['node-http', 'fastapi-uvicorn'] as const) {
  describe(`${id} started while Redis is down`, { timeout: 90_000 }, () => {
    let redis: RedisInstance | undefined;
    let replica: Replica | undefined;

    before(async () => {
      needRedis();
      if (id === 'fastapi-uvicorn') needPython();
      redis = await startRedis(await freePort(), undefined);
      killRedis(redis);
    });

    after(async () => {
      await stopReplica(replica);
      await redis?.stop();
    });

    it('starts and serves; refuses joins until Redis is up, then chats', async () => {
      replica = await startReplica(id, 1, redis!.url);
      assert.equal(await jsonStatus(replica.port), 200);
      const t0 = Date.now();
      const refused = await join(replica.port, 'early');
      assert.ok('status' in refused, 'a join with no broker must be refused, not left hanging');
      assert.equal(refused.status, id === 'node-http' ? 503 : 403);
      assert.ok(Date.now() - t0 < 4000, `refused after ${Date.now() - t0} ms`);
      await restartRedis(redis!);
      let joined: Joined | undefined;
      for (const end = Date.now() + 10_000; Date.now() < end; await sleep(200)) {
        joined = await join(replica.port, 'later');
        if ('ws' in joined) break;
      }
      assert.ok(joined && 'ws' in joined, 'joins are accepted once Redis is up');
      const m = joined;
      try {
        m.ws.send('hello');
        await until('the message back through Redis', () => m.got.length === 1, 3000);
        assert.deepEqual(m.got, ['hello']);
      } finally {
        m.ws.terminate();
      }
    });
  });
}
