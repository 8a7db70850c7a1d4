// Bad servers: each way of breaking HTTP is counted under its kind, and the run ends on time, never hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { runLoad } from '../../src/engine/index.js';
import { badServer, freeClosedPort, type BadBehaviour } from '../fixtures/http-servers.js';
import type { ErrorKind, LoadResult } from '../../src/engine/types.js';

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
