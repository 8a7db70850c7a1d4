// Closed and open models against a real local node:http server: counts add up, the duration is respected,
// the warm-up is not counted, threads merge exactly, abort returns promptly with what was measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { runLoad } from '../../src/engine/index.js';
import { okServer } from '../fixtures/http-servers.js';
import { decodeHistogram } from '../../src/engine/histogram.js';

test('closed loop: counts add up, duration respected, warm-up not counted', async () => {
  // 4 connections x (1 / 20 ms) = about 200 req/s: 0.5 s warm-up and 1 s measured.
  const srv = await okServer({ delayMs: 20 });
  try {
    const t0 = performance.now();
    const r = await runLoad({
      url: srv.url,
      model: 'closed',
      connections: 4,
      durationMs: 1000,
      warmupMs: 500,
      threads: 1,
    });
    const wall = performance.now() - t0;
    assert.ok(wall >= 1500 && wall < 1900, `ran ${wall} ms`);
    assert.ok(Math.abs(r.durationMs - 1000) < 50, `window ${r.durationMs}`);
    assert.equal(r.statusCodes['200'], r.requests);
    assert.equal(r.latency.count, r.requests);
    assert.ok(r.requests > 140 && r.requests < 210, `requests ${r.requests}`);
    // The server also answered the warm-up (about a third of the total), which must not be counted.
    const seen = srv.seen();
    assert.ok(r.requests < 0.8 * seen, `counted ${r.requests} of ${seen} served`);
    assert.ok(r.latency.percentilesMs['50']! >= 19 && r.latency.percentilesMs['50']! < 40);
    assert.deepEqual(r.errors, { connect: 0, reset: 0, timeout: 0, status: 0, malformed: 0 });
    assert.equal(r.generator.saturated, false);
    assert.ok(Math.abs(r.rps - r.requests / (r.durationMs / 1000)) < 1);
  } finally {
    await srv.close();
  }
});

test('open loop: exactly the intended requests of the window are sent and counted', async () => {
  const srv = await okServer();
  try {
    const r = await runLoad({
      url: srv.url,
      model: 'open',
      rate: 400,
      connections: 8,
      durationMs: 1000,
      warmupMs: 250,
      threads: 1,
    });
    assert.equal(r.requests, 400);
    assert.equal(r.statusCodes['200'], 400);
    assert.equal(r.generator.intendedRps, 400);
    assert.equal(r.generator.unsent, 0);
    // 100 warm-up requests went to the server as well.
    assert.ok(srv.seen() >= 495 && srv.seen() <= 505, `server saw ${srv.seen()}`);
    assert.equal(r.generator.saturated, false, r.generator.reason);
  } finally {
    await srv.close();
  }
});

test('open loop with a ramp sends half the requests of the ramp period', async () => {
  const srv = await okServer();
  try {
    // Ramp 0 -> 400/s over the whole 1 s window: 200 requests intended.
    const r = await runLoad({
      url: srv.url,
      model: 'open',
      rate: 400,
      connections: 8,
      durationMs: 1000,
      rampMs: 1000,
      threads: 1,
    });
    assert.equal(r.requests, 200);
  } finally {
    await srv.close();
  }
});

test('non-2xx responses are counted as status errors and kept out of the latency', async () => {
  const srv = await okServer({ status: 503 });
  try {
    const r = await runLoad({ url: srv.url, model: 'closed', connections: 2, durationMs: 300, threads: 1 });
    assert.ok(r.requests > 10);
    assert.equal(r.errors.status, r.requests);
    assert.equal(r.statusCodes['503'], r.requests);
    assert.equal(r.latency.count, 0);
    assert.equal(r.rps, 0);
  } finally {
    await srv.close();
  }
});

test('two worker threads: histograms merge exactly (count = sum of successes)', async () => {
  const srv = await okServer({ chunked: true });
  try {
    const r = await runLoad({ url: srv.url, model: 'closed', connections: 6, durationMs: 600, threads: 2 });
    assert.equal(r.generator.threads, 2);
    assert.ok(r.requests > 50);
    assert.equal(r.latency.count, r.statusCodes['200']);
    assert.equal(r.latency.count, r.requests);
    const h = decodeHistogram(r.histogram);
    assert.equal(h.totalCount, r.requests);
    h.destroy();
  } finally {
    await srv.close();
  }
});

test('abort stops promptly and marks the result interrupted', async () => {
  const srv = await okServer({ delayMs: 5 });
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t0 = performance.now();
    const r = await runLoad({
      url: srv.url,
      model: 'closed',
      connections: 4,
      durationMs: 10_000,
      signal: ac.signal,
      threads: 1,
    });
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(r.interrupted, true);
    assert.ok(r.durationMs > 200 && r.durationMs < 600, `window ${r.durationMs}`);
    assert.ok(r.requests > 0);
  } finally {
    await srv.close();
  }
});

test('refuses non-loopback targets unless allowed', async () => {
  await assert.rejects(
    runLoad({ url: 'http://192.0.2.1/', model: 'closed', connections: 1, durationMs: 100 }),
    /refusing to send load/,
  );
});
