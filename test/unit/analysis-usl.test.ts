// The Universal Scalability Law fit on capacities made from known σ and κ: it recovers them, keeps them
// non-negative, finds the peak, and says how much a fit through few points can mean. And E(N)'s interval for
// the budget the replicas had.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { efficiencyOf, efficiencySide, FRACTIONAL_RUN_NOISE } from '../../src/analysis/scaling.js';
import { CAPACITY_SIDE } from '../../src/analysis/stats.js';
import { fitUsl, uslCapacity } from '../../src/analysis/usl.js';

const curve = (sigma: number, kappa: number, ns: number[]) =>
  ns.map((n) => ({ n, c: uslCapacity(1000, n, { sigma, kappa }) }));

describe('fitUsl', () => {
  it('recovers σ and κ from an exact curve, and the peak N', () => {
    const fit = fitUsl(curve(0.05, 0.02, [1, 2, 4, 8, 16]))!;
    assert.ok(Math.abs(fit.sigma - 0.05) < 1e-6 && Math.abs(fit.kappa - 0.02) < 1e-6, JSON.stringify(fit));
    assert.ok(Math.abs(fit.peakN! - Math.sqrt(0.95 / 0.02)) < 1e-3);
    assert.ok(fit.r2! > 0.999);
  });
  it('linear scaling: σ = κ = 0, no peak', () => {
    const fit = fitUsl(curve(0, 0, [1, 2, 4]))!;
    assert.ok(fit.sigma < 1e-9 && fit.kappa < 1e-9);
    assert.equal(fit.peakN, null);
  });
  it('never gives a negative coefficient (superlinear noise is clipped)', () => {
    const fit = fitUsl([
      { n: 1, c: 1000 },
      { n: 2, c: 2100 },
      { n: 4, c: 3900 },
    ])!;
    assert.ok(fit.sigma >= 0 && fit.kappa >= 0);
  });
  it('says that three points leave nothing to judge the fit by', () => {
    const fit = fitUsl(curve(0.1, 0.01, [1, 2, 4]))!;
    assert.equal(fit.r2, null);
    assert.match(fit.note, /two parameters through 3 points: it fits them exactly/);
    assert.equal(fitUsl(curve(0.1, 0.01, [1, 2])), undefined);
  });
});

describe('efficiency intervals by budget', () => {
  it('widen fractional-core quotas by their measured noise; whole cores keep the main run’s', () => {
    assert.equal(efficiencySide({ kind: 'pinned', coresEach: 1 }), CAPACITY_SIDE);
    assert.equal(efficiencySide({ kind: 'quota', coresEach: 1 }), CAPACITY_SIDE);
    const eighth = efficiencySide({ kind: 'quota', coresEach: 0.125 });
    assert.ok(Math.abs(Math.log(eighth) - (1.959964 / Math.SQRT2) * FRACTIONAL_RUN_NOISE) < 1e-12);
    assert.ok(eighth > CAPACITY_SIDE);
    // E(2) of 1,000 -> 1,800 with 5 % brackets: the same point, a wider interval on an eighth of a core.
    const one = { n: 1, value: 1000, low: 1000, high: 1050, resolved: true, budget: '' };
    const two = { n: 2, value: 1800, low: 1800, high: 1890, resolved: true, budget: '' };
    const whole = efficiencyOf(one, two, CAPACITY_SIDE);
    const frac = efficiencyOf(one, two, eighth);
    assert.equal(whole.value, 0.9);
    assert.equal(frac.value, 0.9);
    assert.ok(frac.low < whole.low && frac.high! > whole.high!, JSON.stringify({ whole, frac }));
  });
});
