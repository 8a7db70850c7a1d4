// The split-cost study read off its probes: for each stack and workload, the CPU per request N replicas spend
// against one, at the same offered rate on the same cores. Rounds are the unit of repetition: every round
// measures every N, so the ratio at N is taken within a round (a slow moment of the machine touches both sides)
// and its interval comes from the spread of the log ratios across rounds (Student's t), never narrower than the
// run's pooled spread (`pooledSpread`).
import type { Efficiency, Interval, Results, SplitCurve, SplitProbe, SplitStep } from '../results/types.js';
import { derive, measured } from './derive.js';
import { median, t975 } from './stats.js';

export type { SplitCurve, SplitStep };

/** A spread of log ratios: its standard deviation and degrees of freedom. */
export interface Spread {
  sd: number;
  df: number;
}

const logsOf = (ratios: readonly number[]) => ratios.filter((r) => r > 0).map(Math.log);
const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const squares = (xs: readonly number[]) => {
  const m = meanOf(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0);
};

/**
 * Mean of log ratios with its t interval; one round: no interval (the value at both ends, flagged by rounds).
 * With `floor`, the half-width is at least the floor's: three rounds that happen to agree (a t interval on 2
 * degrees of freedom is itself a noisy figure) do not make a row look more certain than the run's rounds are.
 */
export function logInterval(ratios: readonly number[], floor?: Spread): Interval {
  const logs = logsOf(ratios);
  if (logs.length === 0) return { value: NaN, low: NaN, high: NaN };
  const mean = meanOf(logs);
  if (logs.length < 2) return { value: Math.exp(mean), low: 0, high: Infinity };
  const sd = Math.sqrt(squares(logs) / (logs.length - 1));
  let half = t975(logs.length - 1) * sd;
  if (floor && floor.df >= 1) half = Math.max(half, t975(floor.df) * floor.sd);
  half /= Math.sqrt(logs.length);
  return { value: Math.exp(mean), low: Math.exp(mean - half), high: Math.exp(mean + half) };
}

/**
 * The round-to-round spread of every row of the run together (each stack, workload and N > 1 about its own
 * mean): the same machine and method, so one noise with many degrees of freedom. Three runs back to back here
 * showed why: the spread between runs' ratios (sd 0.11 of the log) is what the rounds' pooled spread predicts
 * (0.175 / √3 = 0.10), while single rows' own intervals ran from ±2 % to ±60 % by chance, and a verdict that
 * one run decided from two ±4 % rows the next two could not (docs/BENCHMARKS.md).
 */
export function pooledSpread(rows: ReadonlyArray<readonly number[]>): Spread | undefined {
  let ss = 0;
  let df = 0;
  for (const ratios of rows) {
    const logs = logsOf(ratios);
    if (logs.length < 2) continue;
    ss += squares(logs);
    df += logs.length - 1;
  }
  return df > 0 ? { sd: Math.sqrt(ss / df), df } : undefined;
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

const cost = (p: SplitProbe) => p.replicasUs;

function stepOf(
  probes: SplitProbe[],
  n: number,
  wholeCoreRps: number | undefined,
  floor: Spread | undefined,
): SplitStep {
  const at = probes.filter((p) => p.n === n);
  const ratio = n === 1 ? { value: 1, low: 1, high: 1 } : logInterval(paired(probes, n, cost), floor);
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
  const rowsOf = (key: string) => probes.filter((p) => `${p.stack}|${p.workload}` === key);
  const ns = (mine: SplitProbe[]) => [...new Set(mine.map((p) => p.n))].sort((a, b) => a - b);
  const floor = pooledSpread(
    keys.flatMap((key) => {
      const mine = rowsOf(key);
      return ns(mine)
        .filter((n) => n > 1)
        .map((n) => paired(mine, n, cost));
    }),
  );
  return keys.map((key) => {
    const mine = rowsOf(key);
    const { stack, workload } = mine[0]!;
    const rec = results.stacks.find((s) => s.id === stack);
    // The model's C(1): this stack on the whole server core in the main run: its capacity, else its throughput.
    const w = d?.workloads.find((x) => x.workload === workload);
    const fig = measured(w).find((f) => f.stack === stack);
    const wholeCoreRps = fig?.capacity?.value ?? fig?.rps?.median;
    return {
      stack,
      runtime: rec?.runtime ?? 'node',
      serverClass: rec?.serverClass ?? 'event loop',
      workload,
      form,
      ...(wholeCoreRps ? { wholeCoreRps } : {}),
      steps: ns(mine).map((n) => stepOf(mine, n, wholeCoreRps, floor)),
    };
  });
}
