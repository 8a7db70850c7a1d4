// Splitting one load so that its parts send exactly what one generator would: the open loop's lanes are
// disjoint and cover every request of the window, each at its one-generator intended time, for P agents of T
// threads (ramp and warm-up on and off); connections sum to C; and for real, threads and in-process "agents"
// sharing a start send every schedule index exactly once (the server reads the x-sb-seq test header).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { runLoad } from '../../src/engine/index.js';
import { monoMs } from '../../src/engine/shard.js';
import {
  countBefore,
  globalIndex,
  laneCount,
  laneIntended,
  offset,
} from '../../src/engine/models/schedule.js';
import { agentIntended, agentOptions, checkSplit, connectionShare } from '../../src/dist/split.js';
import { segmentRooms } from '../../src/engine/ws/rooms.js';
import type { LoadOptions } from '../../src/engine/types.js';
import { seqAudit, seqServer } from '../fixtures/seq-server.js';

test('open-loop lanes: disjoint, covering, at the one-generator times, for P 1..8 x T 1..4', () => {
  for (const rate of [1, 7, 333, 100_000])
    for (const rampMs of [0, 400])
      for (const warmupMs of [0, 250]) {
        const s = { rate, rampMs };
        const durationMs = 1000;
        const first = countBefore(s, warmupMs);
        const total = countBefore(s, warmupMs + durationMs);
        const single = total - first;
        for (let P = 1; P <= 8; P++)
          for (let T = 1; T <= 4; T++) {
            const L = P * T;
            const seen = new Uint8Array(total);
            let intended = 0;
            for (let k = 0; k < P; k++)
              for (let t = 0; t < T; t++) {
                const lane = { lane: t * P + k, lanes: L };
                const n = laneCount(total, lane);
                for (let j = laneCount(first, lane); j < n; j++) {
                  const i = globalIndex(j, lane);
                  assert.ok(i >= first && i < total, `index ${i} outside the window`);
                  // Agent k owns i % P == k, whatever its thread count.
                  assert.equal(i % P, k);
                  seen[i]!++;
                }
                intended += laneIntended(s, lane, warmupMs, durationMs);
              }
            assert.equal(intended, single, `rate ${rate} ramp ${rampMs} warm-up ${warmupMs} P ${P} T ${T}`);
            for (let i = first; i < total; i++) assert.equal(seen[i], 1, `index ${i} sent ${seen[i]} times`);
          }
      }
});

test('a lane keeps the intended times of the whole schedule, and agents sum to the single count', () => {
  const s = { rate: 900, rampMs: 300 };
  const lane = { lane: 2, lanes: 6 };
  for (let j = 0; j < 50; j++) assert.equal(offset(s, globalIndex(j, lane)), offset(s, 2 + 6 * j));
  const opts: LoadOptions = {
    url: 'http://127.0.0.1:1/',
    model: 'open',
    rate: 777,
    rampMs: 300,
    warmupMs: 130,
    connections: 10,
    durationMs: 2100,
  };
  const single = agentIntended(opts, { index: 0, count: 1 });
  const sched = { rate: 777, rampMs: 300 };
  assert.equal(single, countBefore(sched, 2230) - countBefore(sched, 130));
  for (let P = 1; P <= 8; P++) {
    let sum = 0;
    for (let k = 0; k < P; k++) sum += agentIntended(opts, { index: k, count: P });
    assert.equal(sum, single, `P ${P}`);
  }
});

test('connections: c_k sums to C and each is within 1 of C/P; too few to split is refused', () => {
  for (const C of [1, 2, 3, 7, 10, 100, 1001])
    for (let P = 1; P <= Math.min(8, C); P++) {
      let sum = 0;
      for (let k = 0; k < P; k++) {
        const c = connectionShare(C, P, k);
        assert.ok(Math.abs(c - C / P) < 1, `C ${C} P ${P} k ${k}: ${c}`);
        sum += c;
      }
      assert.equal(sum, C);
    }
  const http: LoadOptions = { url: 'http://127.0.0.1:1/', model: 'closed', connections: 2, durationMs: 1 };
  assert.throws(() => checkSplit(http, 3), /SB_BAD_AGENTS|at least 3 connections/);
  assert.equal(agentOptions({ ...http, connections: 10 }, { index: 2, count: 3 }).connections, 4);
  const ws: LoadOptions = {
    url: 'ws://127.0.0.1:1/chat',
    model: 'open',
    rate: 10,
    connections: 9,
    durationMs: 1,
  };
  assert.throws(() => checkSplit({ ...ws, ws: { rooms: 2 } }, 3), /at least 3 rooms/);
});

test('chat rooms: room r is agent r % P, with all its members; together every client once', () => {
  for (const rooms of [3, 4, 7])
    for (let P = 1; P <= rooms; P++) {
      const all: number[] = [];
      for (let k = 0; k < P; k++) {
        const mine = segmentRooms(20, rooms, { index: k, count: P });
        for (const r of mine) assert.equal(r % P, k);
        all.push(...mine);
      }
      assert.deepEqual(
        all.sort((a, b) => a - b),
        segmentRooms(20, rooms, { index: 0, count: 1 }).sort((a, b) => a - b),
      );
    }
});

test('for real: 3 threads, and 2 agents x 2 threads sharing a start, send every index once', async () => {
  process.env.STACKBENCH_TEST_SEQ = '1';
  const srv = await seqServer();
  try {
    const base: LoadOptions = {
      url: srv.url,
      model: 'open',
      rate: 1500,
      connections: 60,
      durationMs: 800,
      warmupMs: 200,
    };
    const one = await runLoad({ ...base, threads: 3 });
    // 300 warm-up requests and 1200 in the window: the server sees indices 0..1499 once each.
    const n = countBefore({ rate: 1500, rampMs: 0 }, 1000);
    assert.equal(one.pacing?.intended, n - 300);
    // Every index once: none twice, none outside, and none missing but those the generator itself reported
    // unsent (a connection not free at the close, which a loaded machine can cause).
    const audit = seqAudit(srv.seen, n);
    assert.deepEqual([audit.duplicates, audit.outside], [[], []]);
    assert.equal(audit.missing.length, one.pacing!.unsent, JSON.stringify(one.pacing));
    assert.ok(one.pacing!.unsent <= 2, JSON.stringify(one.pacing));

    srv.seen.length = 0;
    const startAt = monoMs() + 300;
    const parts = await Promise.all(
      [0, 1].map((index) =>
        runLoad(
          { ...base, connections: connectionShare(60, 2, index), threads: 2 },
          { segment: { index, count: 2 }, startAt },
        ),
      ),
    );
    const both = seqAudit(srv.seen, n);
    const unsent = parts[0]!.pacing!.unsent + parts[1]!.pacing!.unsent;
    assert.deepEqual([both.duplicates, both.outside], [[], []]);
    assert.equal(both.missing.length, unsent);
    assert.ok(unsent <= 2, `${unsent} unsent`);
    assert.equal(parts[0]!.pacing!.intended + parts[1]!.pacing!.intended, 1200);
    // Each agent judged against its own share of the rate.
    assert.equal(parts[0]!.generator.intendedRps, 750);
  } finally {
    delete process.env.STACKBENCH_TEST_SEQ;
    await srv.close();
  }
});

test('a load stopped before its start ends at once, interrupted, having sent nothing', async () => {
  const srv = await seqServer();
  try {
    for (const threads of [1, 2]) {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const t0 = performance.now();
      const r = await runLoad(
        {
          url: srv.url,
          model: 'open',
          rate: 100,
          connections: 4,
          durationMs: 1000,
          threads,
          signal: ac.signal,
        },
        { startAt: monoMs() + 5000 },
      );
      assert.ok(performance.now() - t0 < 1500, `threads ${threads}: took ${performance.now() - t0} ms`);
      assert.equal(r.interrupted, true);
      assert.equal(r.requests, 0);
    }
    assert.equal(srv.seen.length, 0);
  } finally {
    await srv.close();
  }
});
