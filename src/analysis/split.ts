// The split-cost study read off its probes: for each stack and workload, the CPU per request N replicas spend
// against one, at the same offered rate on the same cores. Rounds are the unit of repetition: every round
// measures every N, so the ratio at N is taken within a round (a slow moment of the machine touches both sides)
// and its interval comes from the spread of the log ratios across rounds (Student's t).
import type { Efficiency, Interval, Results, SplitCurve, SplitProbe, SplitStep } from '../results/types.js';
import { derive, measured } from './derive.js';
import { median, t975 } from './stats.js';

export type { SplitCurve, SplitStep };

/** Mean of log ratios with its t interval; one round: no interval (the value at both ends, flagged by rounds). */
export function logInterval(ratios: readonly number[]): Interval {
  const logs = ratios.filter((r) => r > 0).map(Math.log);
  if (logs.length === 0) return { value: NaN, low: NaN, high: NaN };
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  if (logs.length < 2) return { value: Math.exp(mean), low: 0, high: Infinity };
  const sd = Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / (logs.length - 1));
  const half = (t975(logs.length - 1) * sd) / Math.sqrt(logs.length);
  return { value: Math.exp(mean), low: Math.exp(mean - half), high: Math.exp(mean + half) };
}

const efficiencyOf = (n: number, ratio: Interval): Efficiency => ({
  n,
  value: 1 / ratio.value,
  low: Number.isFinite(ratio.high) ? 1 / ratio.high : 0,
  high: ratio.low > 0 ? 1 / ratio.low : null,
});

/** Paired by round: f(probe at N) / f(probe at 1) for every round that has both. */
function paired(probes: SplitProbe[], n: number, f: (p: SplitProbe) => number | undefined): number[] {
  const out: number[] = [];
  for (const p of probes.filter((x) => x.n === n)) {
    const one = probes.find((x) => x.n === 1 && x.round === p.round);
    const a = f(p);
    const b = one ? f(one) : undefined;
    if (a !== undefined && b !== undefined && a > 0 && b > 0) out.push(a / b);
  }
  return out;
}

function stepOf(probes: SplitProbe[], n: number, wholeCoreRps: number | undefined): SplitStep {
  const at = probes.filter((p) => p.n === n);
  const ratio = n === 1 ? { value: 1, low: 1, high: 1 } : logInterval(paired(probes, n, (p) => p.replicasUs));
  const sat = paired(probes, n, (p) => p.saturationRps);
  const redis = at.map((p) => p.redisUs).filter((x): x is number => x !== undefined);
  const efficiency = efficiencyOf(n, ratio);
  return {
    n,
    rounds: at.length,
    usPerRequest: median(at.map((p) => p.replicasUs)),
    balancerUs: median(at.map((p) => p.balancerUs)),
    ...(redis.length ? { redisUs: median(redis) } : {}),
    systemUs: median(at.map((p) => p.systemUs)),
    p99Ms: median(at.map((p) => p.p99Ms)),
    ratio,
    efficiency,
    ...(n > 1 && sat.length ? { saturation: logInterval(sat) } : {}),
    stolen: at.filter((p) => p.steal > STEAL_LIMIT).length,
    ...(wholeCoreRps ? { modelRps: n * wholeCoreRps * efficiency.value } : {}),
  };
}

/** A probe whose server cores lost more than this share of the window to steal is repeated once. */
export const STEAL_LIMIT = 0.02;

export function splitCurves(results: Results): SplitCurve[] {
  const probes = results.splits ?? [];
  const keys = [...new Set(probes.map((p) => `${p.stack}|${p.workload}`))];
  const form = results.config.scaling?.split?.text ?? 'replicas sharing the server cores, no quota';
  const d = probes.length ? derive(results) : undefined;
  return keys.map((key) => {
    const mine = probes.filter((p) => `${p.stack}|${p.workload}` === key);
    const { stack, workload } = mine[0]!;
    const rec = results.stacks.find((s) => s.id === stack);
    // The model's C(1): this stack on the whole server core in the main run: its capacity, else its throughput.
    const w = d?.workloads.find((x) => x.workload === workload);
    const fig = measured(w).find((f) => f.stack === stack);
    const wholeCoreRps = fig?.capacity?.value ?? fig?.rps?.median;
    const ns = [...new Set(mine.map((p) => p.n))].sort((a, b) => a - b);
    return {
      stack,
      runtime: rec?.runtime ?? 'node',
      serverClass: rec?.serverClass ?? 'event loop',
      workload,
      form,
      ...(wholeCoreRps ? { wholeCoreRps } : {}),
      steps: ns.map((n) => stepOf(mine, n, wholeCoreRps)),
    };
  });
}
