// How one workload of the horizontal-scaling claim is decided from two efficiencies (the best Node.js and the
// best Python stack at the same N): only where the figures can decide. An efficiency is E(N) = C(N) / (N·C(1))
// from capacities, or the split-cost study's C(1)/C(N) of CPU per request, which is what E(N) would be on N
// real cores when CPU is the limit. Both are judged by the same rule.
import type { Efficiency } from '../results/types.js';

/**
 * The widest interval a side may have and still decide: within ±25 % of its value (high/value and value/low
 * both ≤ 1.25). Why 25 %: two stacks that split equally well are then told apart from a 10-point difference
 * only when both are this narrow. On this machine a round of the interleaved split-cost study spreads its log
 * ratio with sd 0.1-0.2, so 10 rounds give about ±7-15 % (docs/BENCHMARKS.md); the old quota capacities' E(N)
 * came out within ±60–250 %.
 */
export const NARROW = 1.25;
/** "Alike" needs the difference's interval inside ±10 points of efficiency (an equivalence test). */
export const EQUIVALENCE = 0.1;
/** E above this beyond its interval is super-linear: an artefact of the budget, never a result. */
export const SUPER_LINEAR = 1;

export type Outcome = 'node' | 'python' | 'alike' | 'undecided';

export interface Decision {
  outcome: Outcome;
  /** Why it is undecided, in words a reader can check. */
  reason?: string;
  /** The same in a few words, for a headline that also shows both figures. */
  short?: string;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const spanText = (e: Efficiency) => `${pct(e.low)}–${e.high === null ? '∞' : pct(e.high)}`;

/** Why this side cannot decide anything, or undefined when it can. */
export function tooWide(stack: string, e: Efficiency): string | undefined {
  if (e.high === null || !(e.low > 0)) return `${stack}'s E(${e.n}) is open (${spanText(e)})`;
  if (e.high / e.value > NARROW || e.value / e.low > NARROW)
    return `${stack}'s E(${e.n}) spans ${spanText(e)}, wider than ±${Math.round((NARROW - 1) * 100)} %`;
  if (e.low > SUPER_LINEAR)
    return `${stack}'s E(${e.n}) ${spanText(e)} is above 100 %: super-linear, an artefact of the budget`;
  return undefined;
}

/** Node.js better, Python better, alike (equivalent within ±10 points), or undecided with the reason. */
export function decide(
  node: { stack: string; e: Efficiency },
  python: { stack: string; e: Efficiency },
): Decision {
  const wide = [tooWide(node.stack, node.e), tooWide(python.stack, python.e)].filter(Boolean);
  if (wide.length) {
    const sup = wide.some((w) => w!.includes('super-linear'));
    const open = wide.some((w) => w!.includes('is open'));
    const short = sup ? 'super-linear, an artefact' : open ? 'open (a bound)' : 'too wide to decide';
    return { outcome: 'undecided', reason: wide.join('; '), short };
  }
  // The difference's interval from the two independent ones: each side's half-widths added in quadrature
  // (interval arithmetic, adding them, would call two equal ±7 % figures a ±12-point lean).
  const n = node.e;
  const p = python.e;
  const diff = n.value - p.value;
  const low = diff - Math.hypot(n.value - n.low, p.high! - p.value);
  const high = diff + Math.hypot(n.high! - n.value, p.value - p.low);
  if (low >= -EQUIVALENCE && high <= EQUIVALENCE) return { outcome: 'alike' };
  if (low > 0) return { outcome: 'node' };
  if (high < 0) return { outcome: 'python' };
  return {
    outcome: 'undecided',
    reason: `the difference ${Math.round(low * 100)} to ${Math.round(high * 100)} points is neither inside ±${EQUIVALENCE * 100} nor clear of 0 (a lean is not a claim)`,
    short: 'a lean, not a claim',
  };
}
