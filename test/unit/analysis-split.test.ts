// The split-cost analysis: ratios paired by round, their t interval, the model line; and the quick suite's
// stacks, one leader per server class and runtime, read from the registry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logInterval, pooledSpread, splitCurves } from '../../src/analysis/split.js';
import { t975 } from '../../src/analysis/stats.js';
import type { SplitProbe } from '../../src/results/types.js';
import { BUILTIN_IDS, classLeaders, STACKS } from '../../src/stacks/registry.js';
import { makeResults } from '../fixtures/results-synthetic.js';

const probe = (n: number, round: number, replicasUs: number): SplitProbe => ({
  stack: 'node-http',
  workload: 'json',
  n,
  round,
  active: [round % 4],
  rate: 1000,
  units: 700,
  errors: 0,
  p99Ms: 3 + n,
  replicasUs,
  accounting: 'cgroup',
  balancerUs: 20,
  systemUs: 100,
  steal: round === 2 ? 0.05 : 0,
  softirq: 0,
  repeated: round === 2,
});

describe('split cost', () => {
  it('gives the mean log ratio with a Student t interval, and no interval from one round', () => {
    const r = logInterval([1.1, 1.2, 1.3]);
    const logs = [1.1, 1.2, 1.3].map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / 3;
    const sd = Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    assert.ok(Math.abs(r.value - Math.exp(mean)) < 1e-12);
    assert.ok(Math.abs(r.high - Math.exp(mean + (t975(2) * sd) / Math.sqrt(3))) < 1e-12);
    const one = logInterval([1.4]);
    assert.equal(one.low, 0);
    assert.equal(one.high, Infinity);
  });
  it("floors a row's interval at the run's pooled spread: three rounds that agree by chance decide nothing", () => {
    const r = makeResults({ stacks: ['node-http', 'fastapi-uvicorn'], workloads: ['json'] });
    // node-http's rounds agree to 1 %; fastapi-uvicorn's spread ±25 %. Alone, node-http's interval would be
    // about ±2 %; pooled with the other row's noise it cannot be narrower than the run's rounds are.
    const at4 = { 'node-http': [1.5, 1.52, 1.51], 'fastapi-uvicorn': [1.2, 1.6, 2.0] };
    r.splits = Object.entries(at4).flatMap(([stack, ratios]) =>
      ratios.flatMap((ratio, round) => [
        { ...probe(1, round, 100), stack, steal: 0, repeated: false },
        { ...probe(4, round, 100 * ratio), stack, steal: 0, repeated: false },
      ]),
    );
    const floor = pooledSpread(Object.values(at4))!;
    assert.equal(floor.df, 4);
    const own = logInterval(at4['node-http']);
    const curves = splitCurves(r);
    const node = curves.find((c) => c.stack === 'node-http')!.steps[1]!.ratio;
    assert.ok(own.high / own.value < 1.03, JSON.stringify(own));
    const expected = Math.exp((t975(4) * floor.sd) / Math.sqrt(3));
    assert.ok(Math.abs(node.high / node.value - expected) < 1e-9, JSON.stringify({ node, expected }));
    assert.ok(node.high / node.value > 1.25, 'too wide to decide, as the run is');
    // A noisier row keeps its own, wider interval.
    const py = curves.find((c) => c.stack === 'fastapi-uvicorn')!.steps[1]!.ratio;
    const pyOwn = logInterval(at4['fastapi-uvicorn']);
    assert.ok(Math.abs(py.high - pyOwn.high) < 1e-9);
  });
  it('pairs each N with N = 1 of the same round, so a slow round moves both sides', () => {
    const r = makeResults({ stacks: ['node-http'], workloads: ['json'] });
    // Round 1 is twice as slow for every N: paired, the ratio at 2 is exactly 1.5 in every round.
    r.splits = [0, 1, 2].flatMap((round) => {
      const slow = round === 1 ? 2 : 1;
      return [probe(1, round, 40 * slow), probe(2, round, 60 * slow), probe(4, round, 80 * slow)];
    });
    const [c] = splitCurves(r);
    assert.equal(c!.steps.length, 3);
    const two = c!.steps[1]!;
    assert.ok(
      Math.abs(two.ratio.value - 1.5) < 1e-9 && Math.abs(two.ratio.high - 1.5) < 1e-9,
      JSON.stringify(two.ratio),
    );
    assert.ok(Math.abs(c!.steps[2]!.efficiency.value - 0.5) < 1e-9);
    assert.equal(c!.steps[2]!.stolen, 1);
    assert.equal(c!.steps[0]!.usPerRequest, 40);
  });
});

describe('the quick suite stacks', () => {
  it('has exactly one leader per runtime and server class, and full keeps every stack', () => {
    const classes = new Set(BUILTIN_IDS.map((id) => `${STACKS[id].runtime}/${STACKS[id].serverClass}`));
    const leaders = classLeaders();
    assert.equal(leaders.length, classes.size);
    assert.deepEqual(
      new Set(leaders.map((id) => `${STACKS[id].runtime}/${STACKS[id].serverClass}`)),
      classes,
    );
    assert.ok(leaders.includes('node-http') && leaders.includes('fastapi-uvicorn'));
  });
});
