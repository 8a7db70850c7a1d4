// The scaling study read off the results: per stack, workload and form, capacity at each N with its bracket,
// scaling efficiency E(N) = C(N) / (N·C(1)) with an interval carried from the brackets (each widened by the
// between-run noise), the balance across replicas, the balancer's own cost, and a Universal Scalability Law fit.
import type {
  Capacity,
  Efficiency,
  Results,
  ScalingCurve,
  ScalingStep,
  StackRecord,
} from '../results/types.js';
import { balancerBound } from './derive.js';
import { CAPACITY_SIDE } from './stats.js';
import { fitUsl } from './usl.js';

export type { Efficiency, ScalingCurve, ScalingStep };

function step(c: Capacity): ScalingStep {
  const d = c.deployment!;
  return {
    n: d.n,
    value: c.rps,
    low: c.low,
    high: c.limitedBy === 'generator' || balancerBound(c) ? null : c.high,
    resolved: c.resolved,
    budget: d.budget.text,
    ...(d.balancer?.shares ? { shares: d.balancer.shares } : {}),
    ...(d.balancer ? { balancerUsPerRequest: d.balancer.cpuUsPerRequest } : {}),
    ...(d.throttled !== undefined ? { throttled: d.throttled } : {}),
  };
}

/**
 * How much a capacity of replicas held to a fraction of a core moves between runs: measured, not assumed. In
 * the quick runs of this machine (4 replicas x 0.125 core), C(1) of node-cluster on json read 1.5k, 2.2k and
 * 2.6k, and E(4) 66 % and 150 %: a log-scale SD near 0.3 per capacity, twice the main run's 16 %. At such
 * budgets a replica serves a few hundred to a few thousand requests a second, where an event loop's CPU per
 * request falls steeply with load (docs/BENCHMARKS.md). Whole cores use the main run's noise.
 */
export const FRACTIONAL_RUN_NOISE = 0.3;

/** The factor each capacity of an E(N) is widened by, for its budget. */
export function efficiencySide(budget: { kind: 'pinned' | 'quota'; coresEach: number } | undefined): number {
  if (!budget || budget.kind === 'pinned' || budget.coresEach >= 1) return CAPACITY_SIDE;
  return Math.exp((1.959964 / Math.SQRT2) * FRACTIONAL_RUN_NOISE);
}

/** E(N) with the interval [low_N / (N·high_1), high_N / (N·low_1)], both capacities widened by the noise. */
export function efficiencyOf(one: ScalingStep, at: ScalingStep, w = CAPACITY_SIDE): Efficiency {
  const value = at.value / (at.n * one.value);
  const low = one.high === null ? 0 : at.low / w / (at.n * one.high * w);
  const high = at.high === null || !(one.low > 0) ? null : (at.high * w) / (at.n * (one.low / w));
  return { n: at.n, value, low: Math.min(low, value), high: high === null ? null : Math.max(high, value) };
}

export function scalingCurves(results: Results): ScalingCurve[] {
  const byKey = new Map<string, Capacity[]>();
  for (const c of results.capacities) {
    if (!c.deployment || !(c.rps > 0)) continue;
    const key = `${c.stack}|${c.workload}|${c.deployment.form}`;
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const curves: ScalingCurve[] = [];
  for (const caps of byKey.values()) {
    const first = caps[0]!;
    const rec: StackRecord | undefined = results.stacks.find((s) => s.id === first.stack);
    const steps = caps.map(step).sort((a, b) => a.n - b.n);
    const one = steps.find((s) => s.n === 1);
    const side = efficiencySide(first.deployment!.budget);
    const efficiency = one ? steps.filter((s) => s.n > 1).map((s) => efficiencyOf(one, s, side)) : [];
    const usl = fitUsl(steps.map((s) => ({ n: s.n, c: s.value })));
    curves.push({
      stack: first.stack,
      runtime: rec?.runtime ?? 'node',
      serverClass: rec?.serverClass ?? 'event loop',
      workload: first.workload,
      form: first.deployment!.form,
      steps,
      efficiency,
      ...(usl ? { usl } : {}),
    });
  }
  return curves;
}
