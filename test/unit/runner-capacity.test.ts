// The capacity search against simulated servers whose true capacity is known (src/engine/mock.ts: an M/M/1-like
// tail, p99 = s + ln(100) / (mu - lambda), so the highest rate within an SLO is mu - ln(100) / (SLO - s)). It
// must bracket the truth within the suite's precision, in few probes, and say when it cannot.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SimServer } from '../../src/engine/mock.js';
import type { Point } from '../../src/results/types.js';
import { chatFanout, nextRate, searchCapacity } from '../../src/runner/capacity.js';
import { objectiveOf } from '../../src/runner/objective.js';
import { simulatedSubject } from '../../src/runner/subject.js';

const SLO = 100;

/** The highest sustainable rate with p99 <= SLO for the simulated server. */
const truth = (sim: SimServer) => sim.capacity - Math.log(100) / ((SLO - sim.serviceMs) / 1000);

/**
 * The bracket holds the truth. A probe that delivers within 5 % of what it was sent counts as keeping up (window
 * counting noise), so a met probe just past the ceiling can lift the bracket's low end up to 5 % above it.
 */
function holds(cap: { low: number; high: number | null }, t: number): boolean {
  return cap.low <= t * 1.05 && cap.high !== null && t <= cap.high;
}

async function search(sim: SimServer, estimateRps: number, precision = 0.1, probes = 8) {
  const points: Point[] = [];
  const cap = await searchCapacity({
    subject: simulatedSubject(sim),
    workload: 'io',
    estimateRps,
    connections: 64,
    probes,
    precision,
    objective: objectiveOf(SLO, 0.001),
    durationMs: 500,
    warmupMs: 0,
    onPoint: async (p) => {
      points.push(p);
    },
  });
  return { cap, points };
}

describe('searchCapacity on a simulated server', () => {
  it('brackets a throughput-bound server within 10 % from a good estimate', async () => {
    const sim = { capacity: 5000, serviceMs: 2 };
    const { cap } = await search(sim, 4500);
    assert.ok(cap.resolved, JSON.stringify(cap));
    assert.ok(cap.high !== null && cap.high / cap.low <= 1.1, `${cap.low}-${cap.high}`);
    assert.ok(holds(cap, truth(sim)), `${cap.low} <= ${truth(sim)} <= ${cap.high}`);
    assert.equal(cap.rps, cap.low);
    assert.ok(cap.probes.length <= 5, `${cap.probes.length} probes`);
  });

  it('climbs fast from a closed loop capped far below the ceiling (waits), and still brackets the truth', async () => {
    // 64 connections x 20 ms caps the closed loop near 3,200 req/s; the server could take 12,000.
    const sim = { capacity: 12_000, serviceMs: 20 };
    const { cap } = await search(sim, 3200);
    assert.ok(cap.resolved, JSON.stringify(cap.probes));
    assert.ok(holds(cap, truth(sim)), `${cap.low} <= ${truth(sim)} <= ${cap.high}`);
    assert.ok(cap.probes.length <= 8);
  });

  it('finds a latency-bound ceiling (the tail breaks the SLO long before throughput does)', async () => {
    const sim = { capacity: 1000, serviceMs: 90 };
    const { cap } = await search(sim, 900);
    assert.ok(truth(sim) < 600, 'the SLO, not throughput, limits it');
    assert.ok(cap.resolved, JSON.stringify(cap.probes));
    assert.ok(holds(cap, truth(sim)), `${cap.low} <= ${truth(sim)} <= ${cap.high}`);
    assert.equal(cap.limitedBy, 'slo');
  });

  it('narrows to 5 % when the full suite asks', async () => {
    const sim = { capacity: 8000, serviceMs: 5 };
    const { cap } = await search(sim, 7000, 0.05, 12);
    assert.ok(cap.resolved && cap.high! / cap.low <= 1.05, `${cap.low}-${cap.high}`);
    assert.ok(holds(cap, truth(sim)), `${cap.low} <= ${truth(sim)} <= ${cap.high}`);
  });

  it('is not fooled by a server that collapses far past its ceiling: what it delivered then only steers', async () => {
    // Sent 6,400/s, it delivers 2,000/s (timeouts, a drowning queue) though it sustains ~4,950/s within the SLO.
    // Taken as a ceiling, that would close the bracket at ~1,900-2,000: 2.5x too low.
    const sim = { capacity: 5000, serviceMs: 2, collapse: { above: 1.2, delivers: 0.4 } };
    const { cap } = await search(sim, 1600);
    assert.ok(cap.resolved, JSON.stringify(cap.probes));
    assert.ok(holds(cap, truth(sim)), `${cap.low} <= ${truth(sim)} <= ${cap.high}`);
    assert.ok(cap.probes.length <= 8, `${cap.probes.length} probes`);
  });

  it('says when the generator, not the server, was the limit: a lower bound, no ceiling claimed', async () => {
    const sim = { capacity: 20_000, serviceMs: 1, generatorCeiling: 6000 };
    const { cap, points } = await search(sim, 5000);
    assert.equal(cap.limitedBy, 'generator');
    assert.equal(cap.high, null);
    assert.equal(cap.resolved, false);
    assert.ok(cap.low > 0 && cap.low <= 6000);
    // Below the rate it could not send, the search narrowed to within the precision of the generator's limit
    // (it had stopped at the first saturated probe, 4,000: a bound a third too low).
    assert.ok(cap.low >= 6000 / 1.1, `a lower bound near the generator's 6,000: ${cap.low}`);
    assert.ok(points.some((p) => p.flags.includes('generator-saturated')));
    assert.ok(points.every((p) => p.flags.includes('generator-saturated') || p.rate! <= 6000));
  });

  it('steps down when the very first probe saturates the generator, for a bound rather than none', async () => {
    // The estimate puts the first probe at 8,000; the generator sends 3,000 at most.
    const sim = { capacity: 20_000, serviceMs: 1, generatorCeiling: 3000 };
    const { cap, points } = await search(sim, 10_000, 0.1, 10);
    assert.ok(points[0]!.flags.includes('generator-saturated'));
    assert.equal(cap.limitedBy, 'generator');
    assert.ok(cap.low >= 3000 / 1.1 && cap.low <= 3000, `a lower bound near 3,000: ${cap.low}`);
  });

  it('finds the server’s ceiling when it lies below the rate the generator could not send', async () => {
    // Climbing x4 from 4,000 to 16,000 saturates the generator (10,000); the server's own ceiling (~7,950
    // within the SLO) is below that and is bracketed as usual.
    const sim = { capacity: 8000, serviceMs: 1, generatorCeiling: 10_000 };
    const { cap } = await search(sim, 5000, 0.1, 10);
    assert.ok(cap.resolved, JSON.stringify(cap.probes));
    assert.notEqual(cap.limitedBy, 'generator');
    assert.ok(holds(cap, truth(sim)), `${cap.low} <= ${truth(sim)} <= ${cap.high}`);
  });

  it('reports a wide bracket honestly when the probes run out', async () => {
    const sim = { capacity: 50_000, serviceMs: 2 };
    const { cap } = await search(sim, 1000, 0.1, 3);
    assert.equal(cap.resolved, false);
    assert.ok(cap.high === null || cap.high / cap.low > 1.1);
  });
});

describe('chat fan-out', () => {
  it('is the average room a message reaches, sender included', () => {
    assert.equal(chatFanout(64, 8), 8);
    // Rooms of 3, 3 and 2: a message goes to 3 with probability 6/8 and to 2 with 2/8.
    assert.equal(chatFanout(8, 3), (9 + 9 + 4) / 8);
  });
});

describe('nextRate: where the search probes next', () => {
  const o = { sloP99Ms: 100, precision: 0.1 };
  // [case, state, met, rate, tail, expected rate, triedNear after]
  const table: Array<[string, Parameters<typeof nextRate>[0], boolean, number, number, number, boolean]> = [
    [
      'climbs x4 while the tail is far inside the SLO',
      { low: 1000, high: null, triedNear: false },
      true,
      1000,
      10,
      4000,
      false,
    ],
    [
      'climbs x2 under half the SLO',
      { low: 1000, high: null, triedNear: false },
      true,
      1000,
      30,
      2000,
      false,
    ],
    ['climbs x1.25 near the SLO', { low: 1000, high: null, triedNear: false }, true, 1000, 80, 1250, false],
    [
      'climbs from what met when a probe missed without a bound',
      { low: 1000, high: null, triedNear: false },
      false,
      800,
      10,
      1250,
      false,
    ],
    [
      'tries just inside the precision below a ceiling, once',
      { low: 1000, high: 2000, ceiling: 1800, triedNear: false },
      false,
      2000,
      200,
      1800 / 1.08,
      true,
    ],
    [
      'then the geometric middle',
      { low: 1000, high: 1600, ceiling: 1500, triedNear: true },
      false,
      1600,
      200,
      1264.9,
      true,
    ],
    [
      'a bound far above the ceiling: a step of the precision up from what met',
      { low: 1000, high: 4000, ceiling: 1200, triedNear: true },
      true,
      1000,
      50,
      1100,
      true,
    ],
    [
      'nothing met yet: half the bound',
      { low: 0, high: 4000, triedNear: false },
      false,
      4000,
      500,
      2000,
      false,
    ],
  ];
  for (const [what, state, met, rate, tail, want, tried] of table)
    it(what, () => {
      const next = nextRate(state, met, rate, tail, o);
      assert.ok(Math.abs(next.rate - want) < 0.1, `${next.rate} vs ${want}`);
      assert.equal(next.triedNear, tried);
    });
});
