// Bad servers: each way of breaking HTTP is counted under its kind, and the run ends on time, never hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { runLoad } from '../../src/engine/index.js';
import { badServer, freeClosedPort, type BadBehaviour } from '../fixtures/http-servers.js';
import type { ErrorKind, LoadResult } from '../../src/engine/types.js';
import { loadSummary } from '../../src/report/load-summary.js';

async function against(
  url: string,
  model: 'closed' | 'open' = 'closed',
): Promise<{ r: LoadResult; wall: number }> {
  const t0 = performance.now();
  const r = await runLoad({
    url,
    model,
    rate: model === 'open' ? 50 : undefined,
    connections: 3,
    durationMs: 600,
    timeoutMs: 200,
    threads: 1,
  });
  return { r, wall: performance.now() - t0 };
}

const cases: Array<[BadBehaviour, ErrorKind]> = [
  ['garbage', 'malformed'],
  ['too-long', 'malformed'],
  ['truncated', 'reset'],
  ['close-mid', 'reset'],
  ['reset', 'reset'],
  ['never', 'timeout'],
];

for (const [behaviour, kind] of cases) {
  test(`${behaviour} server: counted as ${kind}, run ends on time`, async () => {
    const srv = await badServer(behaviour);
    try {
      const { r, wall } = await against(srv.url);
      assert.ok(wall < 1000, `ran ${wall} ms`);
      assert.ok(r.errors[kind] > 0, JSON.stringify(r.errors));
      for (const k of Object.keys(r.errors) as ErrorKind[]) {
        if (k !== kind) assert.equal(r.errors[k], 0, `${k} in ${JSON.stringify(r.errors)}`);
      }
      // too-long still delivered a valid response before its extra bytes; the others deliver nothing.
      // (a pair can straddle the window's edge, hence the slack of one per connection).
      if (behaviour === 'too-long') assert.ok(Math.abs(r.latency.count - r.errors.malformed) <= 3);
      else assert.equal(r.latency.count, 0);
      if (kind === 'timeout')
        assert.ok(r.errors.timeout >= 3 && r.errors.timeout <= 12, `${r.errors.timeout}`);
    } finally {
      await srv.close();
    }
  });
}

test('never-answering server under the open loop: in-flight requests end as timeouts after a bounded grace', async () => {
  const srv = await badServer('never');
  try {
    const { r, wall } = await against(srv.url, 'open');
    assert.ok(wall < 600 + 200 + 300, `ran ${wall} ms`);
    assert.ok(r.errors.timeout > 0);
    assert.equal(r.requests, 0);
    assert.ok(r.generator.note?.includes('server was slow') || r.generator.unsent > 0);
  } finally {
    await srv.close();
  }
});

test('nothing listening: connect errors, retried at a modest pace, run ends on time', async () => {
  const url = await freeClosedPort();
  const { r, wall } = await against(url);
  assert.ok(wall < 1000);
  assert.ok(r.errors.connect >= 3 && r.errors.connect < 100, `${r.errors.connect}`);
  assert.equal(r.requests, 0);
});

test('a server that never answers, with the default timeouts: every run ends on time and says the server did not answer', async () => {
  const srv = await badServer('never');
  try {
    // Closed loop, 10 s request timeout, 2 s window: the 10 requests held are timeouts, not "errors none".
    let t0 = performance.now();
    const closed = await runLoad({
      url: srv.url,
      model: 'closed',
      connections: 10,
      durationMs: 2000,
      threads: 1,
    });
    assert.ok(performance.now() - t0 < 2600, `closed ran ${performance.now() - t0} ms`);
    assert.equal(closed.requests, 0);
    assert.equal(closed.errors.timeout, 10);
    assert.match(loadSummary(closed), /NO ANSWER/);
    assert.doesNotMatch(loadSummary(closed), /errors {6}none/);
    // Open loop: the window, then a stated grace of 1 s at most.
    t0 = performance.now();
    const open = await runLoad({ url: srv.url, model: 'open', rate: 20, connections: 10, durationMs: 2000 });
    assert.ok(performance.now() - t0 < 2000 + 1000 + 600, `open ran ${performance.now() - t0} ms`);
    assert.ok(open.errors.timeout > 0);
    assert.match(loadSummary(open), /unanswered 1 s after the window count as timeouts/);
    // WebSocket: handshakes that are never answered end at the default handshake timeout (2 s), as timeouts.
    t0 = performance.now();
    const ws = await runLoad({
      url: srv.url.replace('http:', 'ws:'),
      model: 'open',
      rate: 10,
      connections: 5,
      durationMs: 2000,
    });
    assert.ok(performance.now() - t0 < 2000 + 800, `ws ran ${performance.now() - t0} ms`);
    assert.equal(ws.errors.timeout, 5);
    assert.equal(ws.generator.saturated, false, 'the server failed, not the generator');
    assert.match(loadSummary(ws), /NO ANSWER {3}no handshake succeeded/);
  } finally {
    await srv.close();
  }
});

test('WebSocket upgrades answered with garbage or a 500 are errors by kind, never the generator', async () => {
  for (const [behaviour, kind] of [
    ['garbage', 'malformed'],
    ['status500', 'status'],
  ] as const) {
    const srv = await badServer(behaviour);
    try {
      const r = await runLoad({
        url: srv.url.replace('http:', 'ws:'),
        model: 'open',
        rate: 10,
        connections: 4,
        durationMs: 500,
      });
      assert.equal(r.errors[kind], 4, `${behaviour}: ${JSON.stringify(r.errors)}`);
      assert.equal(r.ws!.connectionsOpened, 0);
      assert.equal(r.latency.count, 0);
      assert.equal(r.generator.saturated, false, `${behaviour}: ${r.generator.reason}`);
      assert.doesNotMatch(loadSummary(r), /latency ms/, 'no 0.00 ms latency printed');
    } finally {
      await srv.close();
    }
  }
});
