// The coordinator's merge is exact: 10^6 heavy-tailed latencies recorded into one histogram, and the same
// values striped over P agents (one with no sample at all, some values past the histogram's 1 h range), merged
// by mergeOutcomes: count, min, max and every percentile identical, bucket for bucket. Saturation is judged per
// agent: one agent's reason limits the merged figure, and agents sharing one host's cores are judged together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHistogram, encodeHistogram, newHistogram, summarize } from '../../src/engine/histogram.js';
import { seededRandom } from '../../src/engine/prng.js';
import { mergeOutcomes, type AgentOutcome } from '../../src/dist/merge.js';
import type { Hello } from '../../src/dist/protocol.js';
import type { LoadOptions, LoadResult } from '../../src/engine/types.js';

const opts: LoadOptions = {
  url: 'http://127.0.0.1:1/',
  model: 'open',
  rate: 1000,
  connections: 8,
  durationMs: 1000,
};

/** Every non-empty bucket: [value level, count]. */
function buckets(h: ReturnType<typeof newHistogram>): Array<[number, number]> {
  const it = (h as unknown as { recordedValuesIterator: RecordedIterator }).recordedValuesIterator;
  it.reset();
  const out: Array<[number, number]> = [];
  while (it.hasNext()) {
    const v = it.next();
    out.push([v.valueIteratedTo, v.countAtValueIteratedTo]);
  }
  return out;
}

interface RecordedIterator {
  reset(): void;
  hasNext(): boolean;
  next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
}

function part(histogram: string, count: number, over: Partial<LoadResult['generator']> = {}): LoadResult {
  const h = decodeHistogram(histogram);
  const latency = summarize(h);
  h.destroy();
  return {
    url: opts.url,
    model: 'open',
    connections: 2,
    durationMs: 1000,
    requests: count,
    rps: count,
    windowRps: count,
    bytesRead: 0,
    statusCodes: { '200': count },
    errors: { connect: 0, reset: 0, timeout: 0, status: 0, malformed: 0 },
    latency,
    histogram,
    pacing: { intended: 250, sent: 250, lateSends: 0, queuedSends: 0, unsent: 0 },
    generator: {
      cpuPercent: 20,
      cores: 1,
      threads: 1,
      achievedRps: 250,
      lateSends: 0,
      unsent: 0,
      saturated: false,
      reason: '',
      ...over,
    },
  };
}

const hello = (bootId: string, cpus: number[]): Hello => ({
  t: 'hello',
  v: 1,
  version: 'x',
  host: 'h',
  pid: 1,
  bootId,
  cpus,
});

function outcome(index: number, result: LoadResult, h = hello(`boot${index}`, [0])): AgentOutcome {
  return {
    index,
    label: `a${index}`,
    hello: h,
    connections: 2,
    intended: 250,
    report: { result, startLateMs: 0.2, monoStartMs: 1 },
  };
}

test('10^6 heavy-tailed samples striped over P agents merge bucket for bucket', () => {
  const rand = seededRandom(42);
  const P = 5;
  const one = newHistogram();
  const parts = Array.from({ length: P }, () => newHistogram());
  const N = 1_000_000;
  for (let i = 0; i < N; i++) {
    // Pareto, alpha 1.2, from 50 µs: a tail reaching hours; every 100,000th value past the 1 h range.
    let v = Math.round(50 / Math.pow(1 - rand(), 1 / 1.2));
    if (i % 100_000 === 7) v = 5_000_000_000 + i;
    one.recordValue(v);
    // Stripe over agents 0..P-2: agent P-1 records nothing (an agent whose requests all failed).
    parts[i % (P - 1)]!.recordValue(v);
  }
  const encoded = parts.map(encodeHistogram);
  const merged = mergeOutcomes(
    opts,
    encoded.map((e, k) => outcome(k, part(e, parts[k]!.totalCount))),
    5,
  );
  const expected = decodeHistogram(encodeHistogram(one));
  const got = decodeHistogram(merged.histogram);
  assert.equal(got.totalCount, N);
  assert.equal(got.minNonZeroValue, expected.minNonZeroValue);
  assert.equal(got.maxValue, expected.maxValue);
  assert.ok(got.maxValue > 3_600_000_000, 'values past 1 h are kept');
  for (let p = 0; p <= 100; p += 0.5)
    assert.equal(got.getValueAtPercentile(p), expected.getValueAtPercentile(p), `p${p}`);
  for (const p of [99.9, 99.99, 99.999])
    assert.equal(got.getValueAtPercentile(p), expected.getValueAtPercentile(p));
  assert.deepEqual(merged.latency, summarize(expected));
  // Bucket for bucket: every recorded value level with the same count.
  const levels = buckets(got);
  assert.ok(levels.length > 1000, `only ${levels.length} buckets`);
  assert.deepEqual(levels, buckets(expected));
  assert.equal(
    merged.agents!.reduce((a, g) => a + g.count, 0),
    N,
  );
  assert.equal(merged.requests, N);
  for (const h of [one, expected, got, ...parts]) h.destroy();
});

test('one saturated agent limits the merged figure; full shared cores are judged together', () => {
  const h = newHistogram();
  h.recordValue(1000);
  const e = encodeHistogram(h);
  h.destroy();
  const healthy = mergeOutcomes(
    opts,
    [0, 1, 2, 3].map((k) => outcome(k, part(e, 1))),
    5,
  );
  assert.equal(healthy.generator.saturated, false, healthy.generator.reason);
  assert.equal(healthy.generator.intendedRps, 1000);
  assert.equal(healthy.pacing!.intended, 1000);

  const one = mergeOutcomes(
    opts,
    [0, 1, 2, 3].map((k) =>
      outcome(k, part(e, 1, k === 2 ? { saturated: true, reason: 'generator CPU 97% of 1 core' } : {})),
    ),
    5,
  );
  assert.equal(one.generator.saturated, true);
  assert.match(one.generator.reason, /agent 2 \(a2\): generator CPU 97% of 1 core/);
  assert.deepEqual(
    one.agents!.map((a) => a.saturated),
    [false, false, true, false],
  );

  // Three agents on one host pinned to one core, each at 32 %: none alone is busy, together the core is full.
  const shared = hello('same-boot', [0]);
  const crowded = mergeOutcomes(
    opts,
    [0, 1, 2].map((k) => outcome(k, part(e, 1, { cpuPercent: 32 }), shared)),
    5,
  );
  assert.equal(crowded.generator.saturated, true);
  assert.match(
    crowded.agents![0]!.reason,
    /agents 0, 1, 2 share 1 core of one host and used 96% of 100% together/,
  );

  // A start later than the bound limits the agent too.
  const late = outcome(0, part(e, 1));
  late.report!.startLateMs = 12;
  const r = mergeOutcomes(opts, [late, outcome(1, part(e, 1))], 5);
  assert.match(r.agents![0]!.reason, /began 12 ms late/);
  assert.equal(r.generator.saturated, true);
});
