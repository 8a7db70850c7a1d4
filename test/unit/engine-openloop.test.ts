// Coordinated-omission correction: against a server that stalls S ms at the start of every P ms, an open
// loop at a constant rate sees, for a request intended at a uniform random time, latency = time left in the
// stall (else about 0). So P(latency > x) = (S - x) / P for 0 <= x <= S, and the q-th percentile is
// S - P * (1 - q). With S = 300 ms and P = 1000 ms: p90 = 200 ms, p95 = 250 ms, p99 = 290 ms.
// The server runs on its own thread so that it does not delay the engine's sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../../src/engine/index.js';
import { decodeHistogram } from '../../src/engine/histogram.js';
import { serverInWorker } from '../fixtures/http-server-worker.js';
import { twice } from '../helpers/twice.js';

const P = 1000;
const S = 300;

test('open loop measures from intended send times: stall percentiles match the arithmetic within 10%', () =>
  twice('stall percentiles', async () => {
    const srv = await serverInWorker({ kind: 'stalling', periodMs: P, stallMs: S });
    try {
      const r = await runLoad({
        url: srv.url,
        model: 'open',
        rate: 500,
        connections: 50,
        durationMs: 3 * P,
        threads: 1,
      });
      assert.equal(r.requests, 1500);
      assert.equal(r.errors.timeout + r.errors.reset, 0);
      const h = decodeHistogram(r.histogram);
      for (const q of [0.9, 0.95, 0.99]) {
        const expected = S - P * (1 - q);
        const got = h.getValueAtPercentile(q * 100) / 1000;
        assert.ok(
          Math.abs(got - expected) <= 0.1 * expected,
          `p${q * 100}: ${got} ms, expected ${expected} ms`,
        );
      }
      // Outside the stalls the server answers at once: the median is small.
      assert.ok(h.getValueAtPercentile(50) / 1000 < 5);
      h.destroy();
      // 50 connections cannot carry 150 held requests: the wait for a connection shows as queued sends,
      // which is the server's doing, not the generator's.
      assert.equal(r.generator.saturated, false, r.generator.reason);
      assert.ok((r.generator.queuedSends ?? 0) > 0);
    } finally {
      await srv.close();
    }
  }));
