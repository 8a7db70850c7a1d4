// Statistics for headline figures: median intervals, ratio intervals, the tie rule, reproducibility.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bootstrapRatio,
  CAPACITY_RUN_NOISE,
  RPS_RUN_NOISE,
  compareBrackets,
  compareRuns,
  estimate,
  isTie,
  median,
  prng,
  ratioEstimate,
  t975,
  TIE_BOUND,
} from '../../src/analysis/stats.js';
import { around } from '../fixtures/results-synthetic.js';

/** Seeded normal draws (Box-Muller) for coverage checks. */
function normals(seed: number): () => number {
  const r = prng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

describe('median and its interval', () => {
  it('computes medians', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });
  it('contains the median, and one run has no interval', () => {
    const e = estimate([980, 1000, 1030]);
    assert.equal(e.median, 1000);
    assert.ok(e.low < 1000 && e.high > 1000, JSON.stringify(e));
    assert.equal(e.n, 3);
    assert.deepEqual(estimate([500]), { median: 500, low: 500, high: 500, n: 1 });
  });
  it('never goes below zero', () => {
    assert.equal(estimate([1, 100, 2]).low, 0);
  });
  it('shrinks with more runs', () => {
    const w = (n: number) => {
      const e = estimate(around(1000, n, 0.02));
      return e.high - e.low;
    };
    assert.ok(w(3) > w(5) && w(5) > w(10), `${w(3)} ${w(5)} ${w(10)}`);
    // And on average over random samples, not just a tidy pattern.
    const z = normals(7);
    const mean = (n: number) => {
      let sum = 0;
      for (let i = 0; i < 500; i++) {
        const e = estimate(Array.from({ length: n }, () => 1000 + 20 * z()));
        sum += e.high - e.low;
      }
      return sum / 500;
    };
    assert.ok(mean(3) > 1.5 * mean(10), `${mean(3)} vs ${mean(10)}`);
  });
  it('covers the true median about 95% of the time at n = 3 and n = 5', () => {
    for (const n of [3, 5]) {
      const z = normals(11 + n);
      let hit = 0;
      const trials = 2000;
      for (let i = 0; i < trials; i++) {
        const e = estimate(Array.from({ length: n }, () => 1000 + 30 * z()));
        if (e.low <= 1000 && e.high >= 1000) hit++;
      }
      const cover = hit / trials;
      assert.ok(cover >= 0.93 && cover <= 0.995, `n=${n}: coverage ${cover}`);
    }
  });
  it('uses the t table', () => {
    assert.equal(t975(2), 4.303);
    assert.ok(Math.abs(t975(60) - 2.0003) < 0.003);
    assert.ok(Number.isNaN(t975(0)));
  });
});

describe('ratios and ties', () => {
  it('is reproducible with a seed', () => {
    const a = [3100, 2950, 3300, 3020, 3180];
    const b = [1000, 1040, 990, 1100, 1010];
    assert.deepEqual(ratioEstimate(a, b), ratioEstimate(a, b));
    assert.deepEqual(bootstrapRatio(a, b, 42), bootstrapRatio(a, b, 42));
    const a8 = [3100, 2950, 3300, 3020, 3180, 2900, 3250, 3050];
    const b8 = [1000, 1040, 990, 1100, 1010, 970, 1060, 1020];
    const s1 = bootstrapRatio(a8, b8, 1);
    const s2 = bootstrapRatio(a8, b8, 2);
    assert.ok(s1.low !== s2.low || s1.high !== s2.high, 'different seeds should resample differently');
  });
  it('brackets the ratio of medians', () => {
    const r = ratioEstimate([3000, 3100, 2900], [1000, 1010, 990])!;
    assert.ok(Math.abs(r.median - 3) < 1e-9);
    assert.ok(r.low < 3 && r.high > 3 && r.low > 2.5 && r.high < 3.5, JSON.stringify(r));
    assert.equal(ratioEstimate([1, 2], [0, 0]), undefined);
  });
  it('puts the faster stack first and writes the sentence', () => {
    const c = compareRuns(
      'json',
      'rps',
      { stack: 'flask-gunicorn', runs: around(1000) },
      { stack: 'fastify', runs: around(3100) },
    )!;
    assert.equal(c.a, 'fastify');
    assert.equal(c.b, 'flask-gunicorn');
    assert.equal(c.tie, false);
    assert.match(c.text, /^fastify is 3\.1x flask-gunicorn on json \(\d\.\d-\d\.\d\)$/);
  });
  it('calls a tie inside the noise floor even with a tight interval', () => {
    const c = compareRuns(
      'io',
      'rps',
      { stack: 'express', runs: [1000, 1001, 1002] },
      { stack: 'fastify', runs: [1020, 1021, 1022] },
    )!;
    assert.ok(ratioEstimate([1020, 1021, 1022], [1000, 1001, 1002])!.low > 1, 'the runs alone would not tie');
    assert.equal(c.tie, true);
    assert.match(c.text, /^tie: fastify and express on io \(\d\.\d\d-\d\.\d\d\)$/);
  });
  it('calls a tie when the interval contains 1 and keeps the two within 25 %', () => {
    const c = compareRuns(
      'io',
      'rps',
      { stack: 'express', runs: [1050, 1080, 1060] },
      { stack: 'fastify', runs: [1000, 1060, 1010] },
    )!;
    assert.ok(c.ratio.median > 1.03 && c.ratio.high <= TIE_BOUND, JSON.stringify(c.ratio));
    assert.equal(c.tie, true);
    assert.equal(c.undecided, undefined);
  });
  it('calls an interval that contains 1 but is wider undecided, not a tie: a lean is not a claim', () => {
    const c = compareRuns(
      'io',
      'rps',
      { stack: 'express', runs: [800, 1300, 1000] },
      { stack: 'fastify', runs: [900, 1250, 1100] },
    )!;
    assert.ok(c.ratio.low <= 1 && c.ratio.high > TIE_BOUND, JSON.stringify(c.ratio));
    assert.equal(c.tie, false);
    assert.equal(c.undecided, true);
    assert.match(c.text, /^undecided: .* too wide for a tie\)$/);
  });
  it('widens a ratio by the between-run noise of both sides: 5% apart is a tie, 15% apart is not', () => {
    const close = compareRuns(
      'json',
      'rps',
      { stack: 'express', runs: around(1000, 5, 0.005) },
      { stack: 'fastify', runs: around(1050, 5, 0.005) },
    )!;
    const within = ratioEstimate(around(1050, 5, 0.005), around(1000, 5, 0.005))!;
    // log half-width of the ratio >= 1.96 * sqrt(2) * RPS_RUN_NOISE, whatever the runs' own spread.
    assert.ok(Math.log(close.ratio.high / close.ratio.median) >= 1.959 * Math.SQRT2 * RPS_RUN_NOISE);
    assert.ok(close.ratio.high > within.high && close.ratio.low < within.low);
    assert.equal(close.tie, true);
    const apart = compareRuns(
      'json',
      'rps',
      { stack: 'express', runs: around(1000, 5, 0.005) },
      { stack: 'fastify', runs: around(1150, 5, 0.005) },
    )!;
    assert.equal(apart.tie, false);
    assert.equal(isTie({ median: 0.98, low: 0.98, high: 0.98, n: 1 }), true);
  });
  it('says when one run leaves no interval', () => {
    const c = compareRuns(
      'json',
      'rps',
      { stack: 'express', runs: [1000] },
      { stack: 'fastify', runs: [2000, 2100, 1900] },
    )!;
    assert.equal(c.ratio.n, 1);
    assert.match(c.text, /1 run, no interval/);
  });
  it('compares capacity brackets: a win only where they cannot overlap, a tie where both are narrow, else undecided', () => {
    // Each side widened by the between-run drift: together a 95 % interval of two independent drifts.
    const n = Math.exp((1.959964 / Math.SQRT2) * CAPACITY_RUN_NOISE);
    const fast = { value: 1000, low: 1000, high: 1100 };
    const slow = { value: 500, low: 500, high: 550 };
    const c = compareBrackets('io', { stack: 'flask-gunicorn', cap: slow }, { stack: 'fastify', cap: fast })!;
    assert.equal(c.a, 'fastify');
    assert.equal(c.ratio.median, 2);
    // Each bracket widened by the between-run noise, then [a.low / b.high, a.high / b.low].
    assert.ok(Math.abs(c.ratio.low - 1000 / n / (550 * n)) < 1e-9);
    assert.ok(Math.abs(c.ratio.high - (1100 * n) / (500 / n)) < 1e-9);
    assert.equal(c.tie, false);
    assert.equal(c.undecided, undefined);
    assert.match(c.text, /^fastify sustains 2\.0x the rate of flask-gunicorn on io within the SLO/);
    // Two narrow, overlapping brackets: a tie at the search's resolution.
    const near = compareBrackets(
      'io',
      { stack: 'express', cap: { value: 1000, low: 1000, high: 1080 } },
      { stack: 'fastify', cap: { value: 1040, low: 1040, high: 1110 } },
    )!;
    assert.equal(near.tie, true);
    assert.match(near.text, /^tie: fastify and express on io capacity/);
    // Narrow brackets 1.5x apart whose widened interval still holds 1: a lean, not a tie — undecided.
    const lean = compareBrackets(
      'db',
      { stack: 'fastapi-uvicorn', cap: { value: 1000, low: 1000, high: 1080 } },
      { stack: 'node-http', cap: { value: 1500, low: 1500, high: 1600 } },
    )!;
    assert.ok(lean.ratio.low < 1, String(lean.ratio.low));
    assert.equal(lean.tie, false);
    assert.equal(lean.undecided, true);
    // A lower bound below the other's bracket: whoever is higher is unknown.
    const open = compareBrackets(
      'io',
      { stack: 'express', cap: { value: 950, low: 950, high: null } },
      { stack: 'fastify', cap: fast },
    )!;
    assert.equal(open.tie, false);
    assert.equal(open.undecided, true);
    assert.match(
      open.text,
      /^undecided: fastify and express on io capacity \(express's ceiling was not found/,
    );
    assert.match(open.note ?? '', /express's capacity is a lower bound/);
    // Two lower bounds from the same probe (the io case of the old quick suite): undecided, never a tie.
    const both = compareBrackets(
      'io',
      { stack: 'node-cluster', cap: { value: 3880, low: 3880, high: null } },
      { stack: 'fastapi-uvicorn', cap: { value: 3620, low: 3620, high: null } },
    )!;
    assert.equal(both.undecided, true);
    assert.equal(both.tie, false);
    // A lower bound above the other's whole bracket: a win all the same.
    const floor = compareBrackets(
      'io',
      { stack: 'node-cluster', cap: { value: 5000, low: 5000, high: null } },
      { stack: 'flask-gunicorn', cap: slow },
    )!;
    assert.equal(floor.a, 'node-cluster');
    assert.equal(floor.tie, false);
    assert.equal(floor.undecided, undefined);
    // Wide brackets that overlap (a search that ran out of probes): undecided.
    const wide = compareBrackets(
      'io',
      { stack: 'express', cap: { value: 1000, low: 1000, high: 2000 } },
      { stack: 'fastify', cap: { value: 1100, low: 1100, high: 1200 } },
    )!;
    assert.equal(wide.undecided, true);
  });
});
