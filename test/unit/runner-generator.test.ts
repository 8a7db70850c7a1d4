// A run's generator (src/runner/generator.ts) over real agents in this process (serveAgent + runLoad, reached over
// in-memory streams): a load with fewer connections than agents goes to the first ones; an agent lost between two
// loads ends the run's signal and names it, and nothing more is sent; a close that keeps the agents sends no bye.
// Then what run() and compare() accept as agents, refused before anything starts. Loads of 300 ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare } from '../../src/api/compare.js';
import { planRun } from '../../src/api/run.js';
import { Coordinator } from '../../src/dist/coordinator.js';
import { agentsFor } from '../../src/dist/split.js';
import { StackbenchError } from '../../src/errors.js';
import type { LoadOptions } from '../../src/engine/types.js';
import { agentsGenerator, agentSpecsOf, pointAgents, sharesLoopback } from '../../src/runner/generator.js';
import { memoryAgent } from '../helpers/dist-memory.js';
import { seqServer } from '../fixtures/seq-server.js';

const closed = (url: string, connections: number): LoadOptions => ({
  url,
  model: 'closed',
  connections,
  durationMs: 300,
  threads: 1,
});

const refusal = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof StackbenchError, String(e));
    return e;
  }
  assert.fail('expected a refusal');
};

test("how many agents a load can use: one connection is one agent's, a chat room is too", () => {
  assert.equal(agentsFor(closed('http://127.0.0.1:1/', 64), 3), 3);
  assert.equal(agentsFor(closed('http://127.0.0.1:1/', 1), 3), 1);
  const chat = { ...closed('ws://127.0.0.1:1/chat', 64), ws: { rooms: 2 } };
  assert.equal(agentsFor(chat, 3), 2);
  assert.equal(agentsFor({ ...chat, ws: {} }, 3), 1);
});

test('fewer connections than agents: sent by the first agents, the others untouched', async () => {
  const srv = await seqServer();
  const seen: string[][] = [[], [], []];
  const agents = [0, 1, 2].map((k) => memoryAgent({ label: `mem${k}`, tap: (l) => (seen[k]!.push(l), [l]) }));
  const c = await Coordinator.attach(agents.map((a) => a.link));
  const { generator, release } = agentsGenerator(c);
  try {
    const one = await generator.send(closed(srv.url, 1));
    assert.deepEqual(
      one.agents?.map((a) => [a.index, a.connections]),
      [[0, 1]],
    );
    assert.equal(one.agents![0]!.count, one.latency.count);
    assert.ok(one.latency.count > 0);
    const runs = (k: number) => seen[k]!.filter((l) => l.includes('"t":"result"')).length;
    assert.deepEqual([runs(0), runs(1), runs(2)], [1, 0, 0]);
    const all = await generator.send(closed(srv.url, 6));
    assert.deepEqual(
      all.agents?.map((a) => a.connections),
      [2, 2, 2],
    );
    // A point keeps each agent's part, without its histogram (the point's own is their merge).
    const parts = pointAgents(all)!;
    assert.equal(parts.length, 3);
    for (const p of parts) assert.ok(!('histogram' in p) && !('monoStartMs' in p));
    assert.deepEqual(
      generator.agents?.map((a) => a.agent),
      ['mem0', 'mem1', 'mem2'],
    );
    assert.equal(generator.lost(), undefined);
  } finally {
    release();
    await c.close();
    await srv.close();
  }
});

test('an agent lost between loads: the run is stopped, the agent named, nothing more sent', async () => {
  const srv = await seqServer();
  const agents = [memoryAgent({ label: 'a' }), memoryAgent({ label: 'b' })];
  const c = await Coordinator.attach(agents.map((a) => a.link));
  const outer = new AbortController();
  const { generator, signal, release } = agentsGenerator(c, outer.signal);
  try {
    await generator.send(closed(srv.url, 4));
    agents[1]!.cut();
    await new Promise((r) => setTimeout(r, 400));
    const before = srv.seen.length;
    assert.equal(signal.aborted, true, "the run's signal");
    assert.equal(outer.signal.aborted, false, "not the caller's");
    assert.match(generator.lost() ?? '', /^agent 1 \(b\) was lost: .*it was cut by the test/);
    const e = await refusal(generator.send(closed(srv.url, 4)));
    assert.equal(e.code, 'SB_INTERRUPTED');
    assert.equal(srv.seen.length, before, 'no request after the loss');
  } finally {
    release();
    await c.close();
    await srv.close();
  }
});

test("the caller's abort reaches the run's signal; a close that keeps the agents sends no bye", async () => {
  const agents = [memoryAgent(), memoryAgent()];
  const c = await Coordinator.attach(agents.map((a) => a.link));
  const outer = new AbortController();
  const { signal, generator, release } = agentsGenerator(c, outer.signal);
  outer.abort();
  assert.equal(signal.aborted, true);
  release();
  await c.close({ keepAgents: true });
  // Their streams closed without a bye: a listening agent would wait for its next coordinator.
  for (const a of agents) assert.deepEqual(await a.exit, { end: 'closed', code: 0 });
  assert.equal(generator.lost(), undefined, 'closing after release is no loss');
});

test('which agents run and compare accept: only those that can reach the target', async () => {
  assert.deepEqual(agentSpecsOf(2), [
    { kind: 'local', target: '' },
    { kind: 'local', target: '' },
  ]);
  assert.deepEqual(agentSpecsOf([{ kind: 'tcp', target: '[::1]:7070' }]), [
    { kind: 'tcp', target: '[::1]:7070' },
  ]);
  assert.equal(sharesLoopback({ kind: 'tcp', target: '127.0.0.1:7070' }), true);
  assert.equal(sharesLoopback({ kind: 'tcp', target: 'localhost:7070' }), true);
  assert.equal(sharesLoopback({ kind: 'tcp', target: '10.0.0.7:7070' }), false);
  assert.equal(sharesLoopback({ kind: 'netns', target: 'g1' }), false);

  assert.deepEqual(
    planRun({ agents: '2', stacks: ['node-http'], scaling: 'off' }).agents?.map((a) => a.kind),
    ['local', 'local'],
  );
  assert.equal(planRun({ stacks: ['node-http'] }).agents, undefined);
  assert.deepEqual(planRun({ agents: 'local,tcp:127.0.0.1:7070', stacks: ['node-http'] }).agents?.length, 2);
  const far = await refusal(() => planRun({ agents: 'local,netns:g1', stacks: ['node-http'] }));
  assert.equal(far.code, 'SB_BAD_AGENTS');
  assert.match(far.message, /agent netns:g1 cannot reach the lab's stacks on 127\.0\.0\.1/);
  const count = await refusal(() => planRun({ agents: 0 }));
  assert.equal(count.code, 'SB_BAD_NUMBER');
  const grammar = await refusal(() => planRun({ agents: 'udp:x' }));
  assert.match(grammar.message, /bad --agents: "udp:x": unknown transport/);

  // compare: a target on loopback needs agents that share it; nothing is started before the refusal.
  const loop = await refusal(compare({ targets: ['a=http://127.0.0.1:1/'], agents: 'ssh:gen1' }));
  assert.equal(loop.code, 'SB_BAD_AGENTS');
  assert.match(loop.message, /agent ssh:gen1 cannot reach target a \(http:\/\/127\.0\.0\.1:1\/\)/);
  const cmd = await refusal(compare({ targets: ['b=node x.js {port}'], agents: 'netns:g1' }));
  assert.match(cmd.message, /target b \(started here, on 127\.0\.0\.1\)/);
});
