// The coordinator's state machine against real agents (serveAgent + runLoad in this process) over in-memory
// streams, each with a tap that can cut it, silence it or repeat it: one merged result whose counts are the
// agents' sums and whose schedule is complete; the ready barrier's deadline; a lost agent named, the others
// stopped, the figure flagged; a late but living heartbeat is not a loss; a repeated result is ignored; an
// agent whose coordinator goes quiet stops its load by itself; chat rooms split whole between agents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { Coordinator } from '../../src/dist/coordinator.js';
import { serveAgent } from '../../src/dist/agent.js';
import { lineChannel } from '../../src/dist/lines.js';
import { wallClockMs } from '../../src/dist/clock.js';
import { decodeHistogram } from '../../src/engine/histogram.js';
import type { LoadOptions } from '../../src/engine/types.js';
import { memoryAgent, type MemoryAgent } from '../helpers/dist-memory.js';
import { seqAudit, seqServer, type SeqServer } from '../fixtures/seq-server.js';
import { startChatServer } from '../fixtures/ws-chat-server.js';

const open = (url: string, extra: Partial<LoadOptions> = {}): LoadOptions => ({
  url,
  model: 'open',
  rate: 600,
  connections: 30,
  durationMs: 1000,
  threads: 1,
  ...extra,
});

async function withServer(fn: (srv: SeqServer) => Promise<void>): Promise<void> {
  const srv = await seqServer();
  try {
    await fn(srv);
  } finally {
    await srv.close();
  }
}

test('three agents: one merged result, counts the sum of theirs, every index sent once', async () => {
  process.env.STACKBENCH_TEST_SEQ = '1';
  try {
    await withServer(async (srv) => {
      const agents = [0, 1, 2].map((k) => memoryAgent({ label: `mem${k}` }));
      const c = await Coordinator.attach(agents.map((a) => a.link));
      try {
        const r = await c.run(open(srv.url));
        assert.equal(r.agents?.length, 3);
        assert.equal(r.pacing?.intended, 600);
        assert.ok(r.pacing!.sent >= 598, JSON.stringify(r.pacing));
        assert.equal(
          r.agents!.reduce((a, g) => a + g.intended, 0),
          600,
        );
        assert.deepEqual(
          r.agents!.map((g) => g.connections),
          [10, 10, 10],
        );
        const h = decodeHistogram(r.histogram);
        assert.equal(
          h.totalCount,
          r.agents!.reduce((a, g) => a + g.count, 0),
        );
        assert.equal(h.totalCount, r.latency.count);
        h.destroy();
        assert.equal(
          r.requests,
          r.agents!.reduce((a, g) => a + g.count, 0),
        );
        assert.equal(r.generator.intendedRps, 600);
        for (const g of r.agents!)
          assert.ok(Math.abs(g.offsetMs!) <= g.offsetBoundMs! + 1, JSON.stringify(g));
        const audit = seqAudit(srv.seen, 600);
        assert.deepEqual([audit.duplicates, audit.outside], [[], []]);
        assert.equal(audit.missing.length, r.pacing!.unsent);
        // Held open across probes: a second probe on the same agents.
        srv.seen.length = 0;
        // onBegin is called once, at the agents' start: a 1 s window still lies ahead of it.
        const begun: number[] = [];
        const again = await c.run(open(srv.url, { rate: 300, onBegin: () => begun.push(performance.now()) }));
        const ended = performance.now();
        assert.equal(begun.length, 1, 'onBegin once');
        assert.ok(ended - begun[0]! >= 950, `onBegin ${ended - begun[0]!} ms before the end of a 1 s load`);
        assert.equal(again.pacing!.intended, 300);
        assert.equal(srv.seen.length, again.pacing!.sent);
      } finally {
        await c.close();
      }
      for (const a of agents) assert.deepEqual(await a.exit, { end: 'bye', code: 0 });
    });
  } finally {
    delete process.env.STACKBENCH_TEST_SEQ;
  }
});

test('an agent that never says hello: an error naming it after the deadline, not an endless wait', async () => {
  const agents = [memoryAgent({ label: 'mem-ok' }), memoryAgent({ label: 'mem-mute', silent: true })];
  const t0 = performance.now();
  await assert.rejects(
    Coordinator.attach(
      agents.map((a) => a.link),
      { readyTimeoutMs: 600 },
    ),
    (e: Error) =>
      /SB_AGENT_NOT_READY|never became ready/.test(`${(e as { code?: string }).code} ${e.message}`) &&
      /1 \(mem-mute\)/.test(e.message),
  );
  assert.ok(performance.now() - t0 < 2000);
  // The agent that was ready was told goodbye.
  assert.equal((await agents[0]!.exit).code, 0);
});

test('an agent lost mid-run: named with when and why, the others stopped, its share missing, flagged', async () => {
  await withServer(async (srv) => {
    const agents: MemoryAgent[] = [0, 1, 2].map((k) => memoryAgent({ label: `mem${k}` }));
    const c = await Coordinator.attach(agents.map((a) => a.link));
    try {
      const t0 = performance.now();
      setTimeout(() => agents[1]!.cut(), 1200);
      const r = await c.run(open(srv.url, { durationMs: 5000 }));
      const took = performance.now() - t0;
      assert.ok(took < 3500, `the others did not stop: ${took} ms`);
      const lost = r.agents![1]!;
      assert.match(lost.lost ?? '', /at \d\.\d s of the load: its stream closed; it was cut by the test/);
      assert.equal(r.agents![0]!.lost, undefined);
      assert.equal(r.interrupted, true);
      assert.equal(r.generator.saturated, true);
      assert.match(r.generator.reason, /agent 1 \(mem1\): lost at/);
      // Its share is intended and unsent: the whole schedule is still the one intended.
      assert.equal(r.pacing!.intended, 3000);
      assert.ok(r.pacing!.unsent >= 1000, JSON.stringify(r.pacing));
      // The coordinator takes no further probe.
      await assert.rejects(c.run(open(srv.url)), /SB_AGENT_LOST|was lost/);
      // Nothing is sent any more (once what was on the wire has been read).
      await new Promise((res) => setTimeout(res, 300));
      const n = srv.seen.length;
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(srv.seen.length, n);
    } finally {
      await c.close();
    }
  });
});

test('silence: an agent heard from every 2 s is kept; one silent for 2.5 s is lost', async () => {
  await withServer(async (srv) => {
    let running = false;
    let lastBeat = 0;
    // Agent 0 answers only every other heartbeat once the load runs (late, but within 2.5 s): kept.
    const late = memoryAgent({
      label: 'late',
      tap: (line) => {
        const t = (JSON.parse(line) as { t: string }).t;
        const now = performance.now();
        if (running && (t === 'beat' || t === 'pong') && now - lastBeat < 1900) return [];
        lastBeat = now;
        if (t === 'result') running = false;
        return [line];
      },
    });
    // Agent 1 says nothing at all once the load runs, and answers nothing until its result.
    let quiet = false;
    const mute = memoryAgent({
      label: 'mute',
      tap: (line) => (quiet ? [] : [line]),
    });
    const c = await Coordinator.attach([late.link, mute.link]);
    try {
      setTimeout(() => {
        running = true;
        quiet = true;
      }, 400);
      const r = await c.run(open(srv.url, { durationMs: 4500, rate: 200, connections: 10 }));
      assert.equal(r.agents![0]!.lost, undefined, r.agents![0]!.lost);
      assert.match(r.agents![1]!.lost ?? '', /nothing heard from it for 2\.5 s/);
    } finally {
      await c.close();
    }
    // The muted agent heard the stop, or nothing: either way its load ended.
    assert.ok([0, 1].includes((await mute.exit).code));
  });
});

test('a result sent twice counts once, and a stale one never answers a later probe', async () => {
  await withServer(async (srv) => {
    const twice = memoryAgent({
      label: 'twice',
      tap: (line) => ((JSON.parse(line) as { t: string }).t === 'result' ? [line, line] : [line]),
    });
    const c = await Coordinator.attach([twice.link, memoryAgent({ label: 'once' }).link]);
    try {
      const r1 = await c.run(open(srv.url, { rate: 200, durationMs: 500 }));
      const r2 = await c.run(open(srv.url, { rate: 400, durationMs: 500 }));
      assert.equal(r1.pacing?.intended, 100);
      assert.equal(r2.pacing?.intended, 200);
      assert.equal(r2.agents![0]!.intended, 100);
      // A stale (probe 1) result would say about 50.
      assert.ok(r2.agents![0]!.sent > 90, String(r2.agents![0]!.sent));
    } finally {
      await c.close();
    }
  });
});

test('an agent whose coordinator goes quiet mid-load stops it and ends (exit 1)', async () => {
  await withServer(async (srv) => {
    const toAgent = new PassThrough();
    const fromAgent = new PassThrough();
    const lines: string[] = [];
    fromAgent.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    const exit = serveAgent(lineChannel(toAgent, fromAgent), { allowRemote: [] });
    const send = (m: object) => toAgent.write(JSON.stringify(m) + '\n');
    send({
      t: 'run',
      probe: 1,
      opts: { url: srv.url, model: 'open', rate: 200, connections: 5, durationMs: 20_000, threads: 1 },
      segment: { index: 0, count: 1 },
    });
    while (!lines.some((l) => l.includes('"t":"ready"'))) await new Promise((res) => setTimeout(res, 10));
    const t0 = performance.now();
    send({ t: 'start', probe: 1, startAt: wallClockMs() + 100 });
    // Nothing more from the coordinator: no ping, no stop, and its stream stays open.
    const end = await exit;
    const took = performance.now() - t0;
    assert.deepEqual(end, { end: 'silent', code: 1 });
    assert.ok(took > 2900 && took < 4500, `ended after ${took} ms`);
    await new Promise((res) => setTimeout(res, 300));
    const n = srv.seen.length;
    assert.ok(n > 400 && n < 900, `sent ${n}`);
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(srv.seen.length, n, 'still sending after it ended');
    assert.ok(lines.some((l) => l.includes('"t":"hello"')));
  });
});

test('chat over 2 agents: each owns whole rooms, every delivery checked, counts the sum', async () => {
  const chat = await startChatServer();
  const agents = [memoryAgent({ label: 'ws0' }), memoryAgent({ label: 'ws1' })];
  const c = await Coordinator.attach(agents.map((a) => a.link));
  try {
    const r = await c.run({
      url: chat.url,
      model: 'open',
      rate: 200,
      connections: 12,
      durationMs: 1000,
      ws: { rooms: 4, graceMs: 500 },
    });
    const w = r.ws!;
    assert.equal(w.rooms, 4, 'two rooms each');
    assert.equal(w.connectionsOpened, 12);
    // Message i is agent i % 2's: together they send the schedule's 200.
    assert.equal(r.pacing!.intended, 200);
    assert.equal(w.messagesSent, chat.received());
    assert.ok(w.messagesSent >= 198, `${w.messagesSent} messages`);
    // Each room has 3 members, all on the sender's agent: every message reaches 3, timed on one clock.
    assert.equal(w.expectedDeliveries, 3 * w.messagesSent);
    assert.equal(w.deliveries, w.expectedDeliveries);
    assert.equal(w.drops, 0);
    assert.equal(r.latency.count, w.deliveries);
    assert.equal(r.agents![0]!.count + r.agents![1]!.count, w.deliveries);
    assert.equal(r.generator.intendedRps, 200);
  } finally {
    await c.close();
    await chat.close();
  }
});
