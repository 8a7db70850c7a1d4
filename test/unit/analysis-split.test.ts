// The split-cost analysis: ratios paired by round, their t interval, the model line; and the quick suite's
// stacks, one leader per server class and runtime, read from the registry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cleanRounds,
  logInterval,
  pooledSpread,
  splitCurves,
  widestSpread,
} from '../../src/analysis/split.js';
import { roundOrders, slicePlan } from '../../src/runner/split.js';
import { t975 } from '../../src/analysis/stats.js';
import type { Capacity, SplitProbe } from '../../src/results/types.js';
import { balancerBound } from '../../src/analysis/derive.js';
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
  steal: round === 2 ? 0.15 : 0,
  softirq: 0,
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
        { ...probe(1, round, 100), stack, steal: 0 },
        { ...probe(4, round, 100 * ratio), stack, steal: 0 },
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
    // Round 2 lost 15 % to steal, but leaving it out would leave 2 rounds: every round counts, and it is said.
    assert.equal(c!.steps[2]!.stolen, 1);
    assert.equal(c!.steps[2]!.rounds, 3);
    // CPU per request over all of N's slices: their CPU over what they served (equal units: the mean).
    assert.ok(Math.abs(c!.steps[0]!.usPerRequest - (40 + 80 + 40) / 3) < 1e-9);
  });
  it('leaves out rounds that lost over 10 % to steal when three others remain', () => {
    const probes = [0, 1, 2, 3, 4].flatMap((round) => [
      { ...probe(1, round, 40), steal: round === 4 ? 0.16 : 0.04 },
      { ...probe(2, round, round === 4 ? 200 : 60), steal: round === 4 ? 0.16 : 0.04 },
    ]);
    const clean = cleanRounds(probes);
    assert.equal(clean.stolen, 1);
    assert.deepEqual([...new Set(clean.probes.map((p) => p.round))], [0, 1, 2, 3]);
    const r = makeResults({ stacks: ['node-http'], workloads: ['json'] });
    r.splits = probes;
    const two = splitCurves(r)[0]!.steps[1]!;
    assert.ok(Math.abs(two.ratio.value - 1.5) < 1e-9, 'the stolen round (5x) is not in the ratio');
    assert.equal(two.rounds, 4);
  });
  it("keeps a row's own interval once it has six rounds or more: the floor is for a handful", () => {
    const r = makeResults({ stacks: ['node-http', 'fastapi-uvicorn'], workloads: ['json'] });
    const at2 = {
      'node-http': [1.5, 1.52, 1.51, 1.49, 1.5, 1.51],
      'fastapi-uvicorn': [1.2, 1.6, 2.0, 1.1, 1.9, 1.4],
    };
    r.splits = Object.entries(at2).flatMap(([stack, ratios]) =>
      ratios.flatMap((ratio, round) => [
        { ...probe(1, round, 100), stack, steal: 0 },
        { ...probe(2, round, 100 * ratio), stack, steal: 0 },
      ]),
    );
    const node = splitCurves(r).find((c) => c.stack === 'node-http')!.steps[1]!.ratio;
    const own = logInterval(at2['node-http']);
    assert.ok(Math.abs(node.high - own.high) < 1e-9 && own.high / own.value < 1.02, JSON.stringify(node));
  });
});

describe('the interleaved plan', () => {
  it('gives every N one slice a round, in orders that change, never the same twice running', () => {
    const orders = roundOrders([1, 2, 4], 12);
    for (const o of orders) assert.deepEqual([...o].sort(), [1, 2, 4]);
    for (let i = 1; i < orders.length; i++) assert.notDeepEqual(orders[i], orders[i - 1]);
    assert.ok(new Set(orders.map((o) => o.join())).size >= 3, 'several orders');
    // Each N goes first in some round: none always follows another.
    assert.deepEqual(new Set(orders.map((o) => o[0])), new Set([1, 2, 4]));
  });
  it('rotates the serving replicas over all of them for HTTP, and keeps the first N for chat', () => {
    const http = slicePlan([1, 2, 4], 8, 4, true);
    assert.equal(http.length, 24);
    assert.deepEqual(new Set(http.filter((s) => s.n === 1).map((s) => s.active[0])), new Set([0, 1, 2, 3]));
    for (const s of http) assert.equal(new Set(s.active).size, s.n);
    const chat = slicePlan([1, 2, 4], 8, 4, false);
    for (const s of chat) assert.deepEqual(s.active, [...Array(s.n).keys()]);
  });
  it('continues a plan where it ended: a second load of rounds is the whole plan cut at that round', () => {
    const whole = slicePlan([1, 2, 4], 16, 4, true);
    assert.deepEqual([...slicePlan([1, 2, 4], 8, 4, true), ...slicePlan([1, 2, 4], 8, 4, true, 8)], whole);
    assert.deepEqual([...new Set(whole.slice(24).map((s) => s.round))], [8, 9, 10, 11, 12, 13, 14, 15]);
  });
});

describe('when to drive more rounds', () => {
  const rounds = (k: number, spread: number) =>
    [...Array(k).keys()].flatMap((r) => [
      probe(1, r, 100),
      probe(2, r, 120 * (1 + spread * (r % 2 ? 1 : -1))),
    ]);
  it("reads the widest ratio's reach from its value: wide for a noisy row, narrow for a steady one", () => {
    const noisy = widestSpread(rounds(12, 0.3).map((p) => ({ ...p, steal: 0 })));
    const steady = widestSpread(rounds(12, 0.02).map((p) => ({ ...p, steal: 0 })));
    assert.ok(noisy > 0.1, `noisy: ±${(noisy * 100).toFixed(1)} %`);
    assert.ok(steady < 0.02, `steady: ±${(steady * 100).toFixed(1)} %`);
    // More rounds of the same noise narrow it.
    assert.ok(widestSpread(rounds(24, 0.3).map((p) => ({ ...p, steal: 0 }))) < noisy);
  });
  it('is unbounded while a ratio has one round, so the study never stops on no interval', () => {
    assert.equal(widestSpread(rounds(1, 0)), Infinity);
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

describe('the quota form: whose ceiling a capacity was', () => {
  const cap = (rps: number, usPerRequest: number, cores?: number, limitedBy: Capacity['limitedBy'] = 'slo') =>
    ({
      rps,
      limitedBy,
      deployment: {
        form: 'replicas',
        n: 4,
        budget: { kind: 'quota', coresEach: 0.125, text: '4 x 0.125 core' },
        balancer: {
          kind: 'haproxy',
          version: '2.6',
          cpuUsPerRequest: usPerRequest,
          ...(cores ? { cores } : {}),
        },
      },
    }) as Capacity;
  it("reads a capacity as the balancer's when it used over 80 % of the core it had there", () => {
    assert.equal(balancerBound(cap(20_000, 45, 0.5)), true, '0.9 of 0.5 core');
    assert.equal(balancerBound(cap(5_000, 45, 0.5)), false, '0.225 of 0.5 core');
    // Older results said so themselves; without the budget recorded, nothing is judged.
    assert.equal(balancerBound(cap(5_000, 45, undefined, 'balancer')), true);
    assert.equal(balancerBound(cap(20_000, 45)), false);
    // The generator's limit is its own finding.
    assert.equal(balancerBound(cap(20_000, 45, 0.5, 'generator')), false);
  });
});
