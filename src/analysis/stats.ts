// Small-sample statistics for headline figures: the median of a handful of runs with a 95% interval, the ratio
// of two stacks with an interval, and the tie rule. Pure and deterministic (the bootstrap uses a seeded PRNG).
import type { Comparison, Estimate } from '../results/types.js';
import type { StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';

/** Ratios within 3% of 1 are a tie whatever the interval says: run-to-run drift on a shared machine is that big. */
export const NOISE_FLOOR = 0.03;

/**
 * How much a throughput figure moves between runs (relative standard deviation) beyond what the spread of its
 * own repetitions shows: the machine drifts between the minutes a run takes. Measured by the calibration
 * benchmark (bench/calibration.ts; docs/BENCHMARKS.md) and folded into every interval, so that a 95 % interval
 * covers a repeat run's figure, not only this run's repetitions.
 */
export const RPS_RUN_NOISE = 0.03;

/** Combine a 95 % log half-width with the between-run noise of `sides` independent figures, in quadrature. */
function widen(halfLog: number, sides: number): number {
  const z = 1.959964;
  return Math.sqrt(halfLog * halfLog + sides * (z * RPS_RUN_NOISE) ** 2);
}
export const BOOTSTRAP_RESAMPLES = 2000;
export const DEFAULT_SEED = 0x5eed;

/*
 * Why a t-based interval for the median of 3..10 runs:
 * - a distribution-free order-statistic interval cannot reach 95% below 6 runs: [min, max] of 3 runs covers the
 *   median only 75% of the time (1 - 2 * 0.5^3), 87.5% at 4, 93.8% at 5;
 * - a percentile bootstrap of the median has the same ceiling: resampled medians can only take observed values, so
 *   its interval is at most [min, max] and under-covers just as much;
 * - so we assume run-to-run noise is roughly normal and use median ± t(0.975, n-1) * 1.2533 * s / sqrt(n). 1.2533
 *   (sqrt(pi/2)) is the large-sample ratio of the median's standard error to the mean's; for small n the true ratio
 *   is lower (about 1.16 at n = 3), so the interval is slightly conservative. An outlying run inflates s and widens
 *   the interval, which errs toward calling a tie — the safe direction for a benchmark.
 * It has nominal 95% coverage at every n >= 2 and shrinks as 1/sqrt(n). One run has no interval (low = high).
 */
const MEDIAN_SE_FACTOR = Math.sqrt(Math.PI / 2);

// Two-sided 95% Student t quantiles t(0.975, df) for df = 1..30.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t(0.975, df); beyond the table the Cornish-Fisher expansion z + (z^3 + z) / (4 df) is within 0.001. */
export function t975(df: number): number {
  if (!(df >= 1)) return NaN;
  const d = Math.floor(df);
  if (d <= T975.length) return T975[d - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * d);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function stdev(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
}

/** Standard error of the median (normal-theory approximation, see above). */
function medianSe(xs: readonly number[]): number {
  return (MEDIAN_SE_FACTOR * stdev(xs)) / Math.sqrt(xs.length);
}

/** Median of the runs with its 95% interval; lower bound clipped at 0 (throughput cannot be negative). */
export function estimate(xs: readonly number[]): Estimate {
  const m = median(xs);
  if (xs.length < 2) return { median: m, low: m, high: m, n: xs.length };
  const half = t975(xs.length - 1) * medianSe(xs);
  return { median: m, low: Math.max(0, m - half), high: m + half, n: xs.length };
}

/**
 * An interval from one run's repetitions, widened by the between-run noise of `sides` figures (1: a figure,
 * 2: a ratio of two), in quadrature on the log scale: what a repeat run's figure is expected to fall within.
 * One run has no interval and stays without one.
 */
export function acrossRuns(e: Estimate, sides: 1 | 2): Estimate {
  if (e.n < 2 || !(e.median > 0)) return e;
  const lo = widen(Math.log(e.median / Math.max(e.low, e.median * 1e-9)), sides);
  const hi = widen(Math.log(e.high / e.median), sides);
  return { ...e, low: e.median * Math.exp(-lo), high: e.median * Math.exp(hi) };
}

/** mulberry32: a tiny, well-mixed 32-bit PRNG; same seed, same sequence, on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function resampleMedian(xs: readonly number[], rand: () => number): number {
  const draw = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) draw[i] = xs[Math.floor(rand() * xs.length)]!;
  return median(draw);
}

/** Percentile bootstrap of median(a) / median(b): resample each side independently. */
export function bootstrapRatio(
  a: readonly number[],
  b: readonly number[],
  seed = DEFAULT_SEED,
  resamples = BOOTSTRAP_RESAMPLES,
): { low: number; high: number } {
  const rand = prng(seed);
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const den = resampleMedian(b, rand);
    const num = resampleMedian(a, rand);
    if (den > 0) ratios.push(num / den);
  }
  ratios.sort((x, y) => x - y);
  if (ratios.length === 0) return { low: NaN, high: NaN };
  const at = (q: number) =>
    ratios[Math.min(ratios.length - 1, Math.max(0, Math.round(q * (ratios.length - 1))))]!;
  return { low: at(0.025), high: at(0.975) };
}

/** Log-scale interval of median(a) / median(b) from the two medians' standard errors (Welch degrees of freedom). */
function deltaRatio(a: readonly number[], b: readonly number[]): { low: number; high: number } {
  const ra = medianSe(a) / median(a);
  const rb = medianSe(b) / median(b);
  const va = ra * ra;
  const vb = rb * rb;
  const se = Math.sqrt(va + vb);
  const log = Math.log(median(a) / median(b));
  if (se === 0) return { low: Math.exp(log), high: Math.exp(log) };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = t975(df) * se;
  return { low: Math.exp(log - half), high: Math.exp(log + half) };
}

/**
 * median(a) / median(b) with a 95% interval: the envelope of a seeded percentile bootstrap of the ratio of medians
 * and the log-scale t interval. With 3..5 runs the bootstrap alone under-covers (see above); with many runs the two
 * agree and the envelope changes little. Returns undefined when median(b) is not positive. n is the smaller count;
 * with one run on either side there is no interval (low = high = the ratio).
 */
export function ratioEstimate(
  a: readonly number[],
  b: readonly number[],
  seed = DEFAULT_SEED,
): Estimate | undefined {
  const ma = median(a);
  const mb = median(b);
  if (!(mb > 0) || !(ma >= 0)) return undefined;
  const r = ma / mb;
  const n = Math.min(a.length, b.length);
  if (n < 2 || ma === 0) return { median: r, low: r, high: r, n };
  const boot = bootstrapRatio(a, b, seed);
  const delta = deltaRatio(a, b);
  const low = Math.min(boot.low, delta.low, r);
  const high = Math.max(boot.high, delta.high, r);
  return { median: r, low, high, n };
}

/**
 * The widest interval a throughput tie may have. A tie is a claim that the two are alike, so its interval must
 * keep them within 25 % of each other (the bound the scaling verdicts use); a quick run's json read "node-cluster
 * ties fastapi-uvicorn 1.57x (0.58-4.24)", an interval that only says the runs cannot tell them apart.
 */
export const TIE_BOUND = 1.25;

/** A tie: the interval contains 1, or the ratio is within the noise floor of 1 — and the interval is narrow. */
export function isTie(ratio: Estimate): boolean {
  const within = Math.abs(ratio.median - 1) <= NOISE_FLOOR || Math.abs(1 / ratio.median - 1) <= NOISE_FLOOR;
  const narrow = ratio.low >= 1 / TIE_BOUND && ratio.high <= TIE_BOUND;
  return narrow && (within || (ratio.low <= 1 && ratio.high >= 1));
}

/** Neither a win nor a tie: the interval contains 1 but is too wide for a tie (a lean is not a claim). */
export const isLean = (ratio: Estimate) => !isTie(ratio) && ratio.low <= 1 && ratio.high >= 1;

/** Ratios: 2 decimals below 2x ("1.04"), 1 decimal below 10x ("3.1"), whole above. */
export function fmtRatio(x: number, like = x): string {
  if (!Number.isFinite(x)) return 'n/a';
  const digits = like >= 10 ? 0 : like >= 2 ? 1 : 2;
  return x.toFixed(digits);
}

/** Thousands with commas, locale-independent ("12,300"). */
export function fmtInt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return Math.round(x)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function ratioText(a: string, b: string, workload: string, ratio: Estimate, tie: boolean): string {
  const f = (x: number) => fmtRatio(x, ratio.median);
  const interval = ratio.n < 2 ? '1 run, no interval' : `${f(ratio.low)}-${f(ratio.high)}`;
  if (tie) return `tie: ${a} and ${b} on ${workload} (${interval})`;
  if (isLean(ratio))
    return `undecided: ${a} leads ${b} on ${workload} by ${f(ratio.median)}x (${interval}: too wide for a tie)`;
  return `${a} is ${f(ratio.median)}x ${b} on ${workload} (${interval})`;
}

/**
 * Compare two stacks' runs. The faster (higher median) goes first, so the ratio is >= 1. Undefined when the
 * slower side has no positive median (nothing to divide by).
 */
export function compareRuns(
  workload: WorkloadId,
  metric: Comparison['metric'],
  x: { stack: StackId; runs: readonly number[] },
  y: { stack: StackId; runs: readonly number[] },
  seed = DEFAULT_SEED,
): Comparison | undefined {
  const [a, b] = median(x.runs) >= median(y.runs) ? [x, y] : [y, x];
  const within = ratioEstimate(a.runs, b.runs, seed);
  if (!within) return undefined;
  // Each side also drifts between runs: the ratio's interval says what a repeat run would show.
  const ratio = acrossRuns(within, 2);
  const tie = isTie(ratio);
  return {
    workload,
    metric,
    a: a.stack,
    b: b.stack,
    ratio,
    tie,
    ...(isLean(ratio) ? { undecided: true } : {}),
    text: ratioText(a.stack, b.stack, workload, ratio, tie),
  };
}

/**
 * A capacity known to lie in [low, high]: between what the highest rate that met the SLO achieved and the lowest
 * upper bound a probe set. `high` is null when no upper bound was found (the search never missed, or the
 * generator was the limit): the value is then a lower bound.
 */
export interface Bracket {
  value: number;
  low: number;
  high: number | null;
}

/**
 * How much one run's capacity moves between runs beyond its bracket: the log-scale SD the calibration benchmark
 * measured (bench/calibration.ts, docs/BENCHMARKS.md: a median of 12.8 % over 4 quick runs, with a tail; 3 % had
 * been assumed, and only 40 % of repeat-run capacity ratios then agreed; at 16 %, 90 %). Folded into every
 * capacity interval.
 */
export const CAPACITY_RUN_NOISE = 0.16;

/**
 * The factor each side of a ratio of two capacities is widened by: together the 95 % interval of two
 * independent drifts (1.96 x sqrt(2) x SD on the log scale, split over the two sides).
 */
export const CAPACITY_SIDE = Math.exp((1.959964 / Math.SQRT2) * CAPACITY_RUN_NOISE);

/**
 * Ratio of two bracketed capacities, each bracket widened by the between-run noise:
 * [a.low / b.high, a.high / b.low]. Decided when the interval excludes 1 (a win, even against a lower bound: the
 * faster side's floor is above the slower side's ceiling). When it contains 1: a tie if both brackets are closed
 * and narrow enough that the ratio is known within the noise floor plus the search's resolution; otherwise
 * undecided — two lower bounds, or a bound against a figure inside it, say nothing about which is higher.
 */
export function compareBrackets(
  workload: WorkloadId,
  x: { stack: StackId; cap: Bracket },
  y: { stack: StackId; cap: Bracket },
  resolution = 0.1,
): Comparison | undefined {
  const [a, b] = x.cap.value >= y.cap.value ? [x, y] : [y, x];
  if (!(b.cap.value > 0)) return undefined;
  const noise = CAPACITY_SIDE;
  const r = a.cap.value / b.cap.value;
  const low = b.cap.high === null ? 0 : a.cap.low / noise / (b.cap.high * noise);
  const high = a.cap.high === null || b.cap.low <= 0 ? Infinity : (a.cap.high * noise) / (b.cap.low / noise);
  const ratio: Estimate = { median: r, low: Math.min(r, low), high: Math.max(r, high), n: 1 };
  const decided = ratio.low > 1;
  const narrow =
    Number.isFinite(ratio.high) &&
    ratio.low > 0 &&
    ratio.high / ratio.low <= (1 + resolution) ** 2 * noise ** 4;
  // A tie is a claim too: the two look alike — the interval holds 1 and is narrow, and the figures themselves are
  // within two search steps of each other. A 1.7x lean that the noise cannot confirm is undecided, not a tie.
  const tie = !decided && narrow && r <= (1 + resolution) ** 2;
  const undecided = !decided && !tie;
  const f = (v: number) => (Number.isFinite(v) ? fmtRatio(v, r) : '∞');
  const interval = `${f(ratio.low)}-${f(ratio.high)}`;
  const bound = [a, b].filter((s) => s.cap.high === null).map((s) => `${s.stack}'s ceiling was not found`);
  const text = decided
    ? `${a.stack} sustains ${f(r)}x the rate of ${b.stack} on ${workload} within the SLO (${interval})`
    : tie
      ? `tie: ${a.stack} and ${b.stack} on ${workload} capacity (${interval}: within the search's resolution)`
      : `undecided: ${a.stack} and ${b.stack} on ${workload} capacity (${bound.length ? bound.join('; ') : 'the brackets overlap widely'}; ratio ${interval})`;
  const notes = [a, b]
    .filter((s) => s.cap.high === null)
    .map((s) => `${s.stack}'s capacity is a lower bound`);
  return {
    workload,
    metric: 'capacity',
    a: a.stack,
    b: b.stack,
    ratio: { ...ratio, high: Number.isFinite(ratio.high) ? ratio.high : ratio.median },
    tie,
    ...(undecided ? { undecided } : {}),
    text,
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}
