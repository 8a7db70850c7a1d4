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

/** Below this many rounds a row's own spread is itself too noisy a figure: the run's pooled spread floors it. */
const FLOOR_BELOW = 6;

/** A figure per request over a set of probes: the sum of what they spent over the sum of what they served. */
function perUnit(probes: SplitProbe[], f: (p: SplitProbe) => number | undefined): number | undefined {
  const have = probes.filter((p) => f(p) !== undefined);
  const units = have.reduce((a, p) => a + p.units, 0);
  return units > 0 ? have.reduce((a, p) => a + f(p)! * p.units, 0) / units : undefined;
}

/**
 * A round whose server cores lost more than this share of its time to steal is left out (cleanRounds). Steal
 * is read in 10 ms ticks: a round of three 250 ms metered slices has 75, so 2 % would be one or two ticks,
 * which a quiet machine also reads; 10 % is a neighbour that took the core.
 */
export const STEAL_LIMIT = 0.1;

/**
 * The rounds a row is read from: those that lost at most STEAL_LIMIT of their time to steal (their slices'
 * mean), unless that leaves fewer than 3, when every round counts (the step says how many were stolen).
 */
export function cleanRounds(probes: SplitProbe[]): { probes: SplitProbe[]; stolen: number } {
  const rounds = [...new Set(probes.map((p) => p.round))];
  const stolenRounds = rounds.filter((r) => {
    const mine = probes.filter((p) => p.round === r);
    return mine.reduce((a, p) => a + p.steal, 0) / mine.length > STEAL_LIMIT;
  });
  if (rounds.length - stolenRounds.length < 3) return { probes, stolen: stolenRounds.length };
  return { probes: probes.filter((p) => !stolenRounds.includes(p.round)), stolen: stolenRounds.length };
}

/**
 * How far the widest of one stack and workload's ratio intervals (N > 1) reaches from its value, as a share
 * (0.1: ±10 %); Infinity while a ratio has no interval yet. The study drives more rounds while it is too wide.
 */
export function widestSpread(probes: SplitProbe[]): number {
  const { probes: clean } = cleanRounds(probes);
  let widest = 0;
  for (const n of new Set(clean.map((p) => p.n))) {
    if (n === 1) continue;
    const r = logInterval(paired(clean, n, cost));
    if (!(r.low > 0) || !Number.isFinite(r.high)) return Infinity;
    widest = Math.max(widest, r.high / r.value - 1, r.value / r.low - 1);
  }
  return widest;
}

function stepOf(
  all: SplitProbe[],
  n: number,
  wholeCoreRps: number | undefined,
  floor: Spread | undefined,
): SplitStep {
  const { probes, stolen } = cleanRounds(all);
  const at = probes.filter((p) => p.n === n);
  const rounds = new Set(at.map((p) => p.round)).size;
  const ratio =
    n === 1
      ? { value: 1, low: 1, high: 1 }
      : logInterval(paired(probes, n, cost), rounds < FLOOR_BELOW ? floor : undefined);
  const sat = paired(probes, n, (p) => p.saturationRps);
  const redis = perUnit(at, (p) => p.redisUs);
  const p99s = at.map((p) => p.p99Ms).filter((x): x is number => x !== undefined);
  const efficiency = efficiencyOf(n, ratio);
  return {
    n,
    rounds,
    usPerRequest: perUnit(at, cost) ?? 0,
    balancerUs: perUnit(at, (p) => p.balancerUs) ?? 0,
    ...(redis !== undefined ? { redisUs: redis } : {}),
    systemUs: perUnit(at, (p) => p.systemUs) ?? 0,
    p99Ms: p99s.length ? median(p99s) : 0,
    ratio,
    efficiency,
    ...(n > 1 && sat.length ? { saturation: logInterval(sat) } : {}),
    stolen,
    ...(wholeCoreRps ? { modelRps: n * wholeCoreRps * efficiency.value } : {}),
  };
}

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
