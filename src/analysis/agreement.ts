// Do two runs agree? Each headline figure of this run against the same figure of a baseline run, by a two-sample
// test of their difference on the log scale: both estimates carry their own run's uncertainty (repetitions, or
// the capacity search's bracket, each widened by the between-run noise), so the difference's 95 % interval is
// d ± 1.96 sqrt(se1² + se2²). Only a difference outside it is called noisy (a ratio) or a change (a stack's own
// figure: slower is a regression). Rows also carry the baseline's 95 % prediction interval for a repeat run.
import type { Comparison, Estimate, Results, StackFigures } from '../results/types.js';
import type { StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import { comparePair, compareWorkload } from './compare.js';
import { derive, figures, measured } from './derive.js';
import { CAPACITY_RUN_NOISE, fmtInt, fmtRatio, RPS_RUN_NOISE } from './stats.js';

const Z = 1.959964;

export type AgreementVerdict = 'agrees' | 'noisy' | 'faster' | 'slower' | 'bounds' | 'missing';

export interface AgreementRow {
  kind: 'ratio' | 'figure';
  workload: WorkloadId;
  metric: Comparison['metric'];
  /** Ratio rows: a / b (a the faster in the baseline); figure rows: the stack (b absent). */
  a: StackId;
  b?: StackId;
  baseline: number;
  current?: number;
  /** The baseline's 95 % prediction interval for a repeat run. */
  predicted?: [number, number];
  /** current / baseline with the 95 % interval of the change. */
  change?: Estimate;
  verdict: AgreementVerdict;
  text: string;
}

export interface Agreement {
  rows: AgreementRow[];
  /** Ratio rows both runs have figures for, and of those the ones that agree. */
  comparable: number;
  agreeing: number;
  /** Figure rows that got significantly worse: regressions. */
  regressions: AgreementRow[];
  summary: string;
}

/** A figure on the log scale with its standard error; undefined for a bound (no interval to test). */
interface LogFigure {
  value: number;
  log: number;
  se: number;
}

/** From a 95 % interval (already widened by the between-run noise); a run without one gets that noise alone. */
function fromInterval(e: Estimate, sides: 1 | 2): LogFigure | undefined {
  if (!(e.median > 0)) return undefined;
  const half = (Math.log(e.high / e.median) + Math.log(e.median / Math.max(e.low, 1e-12))) / 2;
  const floor = Math.sqrt(sides) * RPS_RUN_NOISE;
  return { value: e.median, log: Math.log(e.median), se: Math.max(half / Z, floor) };
}

/** A capacity: the bracket's middle (log), its half-width as a uniform spread, plus the between-run noise. */
function fromBracket(f: StackFigures): LogFigure | undefined {
  const c = f.capacity;
  if (!c || c.high === null || !(c.low > 0)) return undefined;
  const mid = (Math.log(c.low) + Math.log(c.high)) / 2;
  const half = (Math.log(c.high) - Math.log(c.low)) / 2;
  return { value: c.value, log: mid, se: Math.sqrt((half * half) / 3 + CAPACITY_RUN_NOISE ** 2) };
}

function test(first: LogFigure, second: LogFigure) {
  const d = second.log - first.log;
  const se = Math.sqrt(first.se ** 2 + second.se ** 2);
  const change: Estimate = {
    median: Math.exp(d),
    low: Math.exp(d - Z * se),
    high: Math.exp(d + Z * se),
    n: 2,
  };
  const predicted: [number, number] = [
    Math.exp(first.log - Z * Math.SQRT2 * first.se),
    Math.exp(first.log + Z * Math.SQRT2 * first.se),
  ];
  return { change, predicted, same: change.low <= 1 && change.high >= 1 };
}

const ratioOf = (c: Comparison) => (c.metric === 'rps' ? fromInterval(c.ratio, 2) : ratioBracket(c));

/** A capacity ratio's interval (its brackets, widened) as a log figure; none when a side is a bound. */
function ratioBracket(c: Comparison): LogFigure | undefined {
  if (c.undecided || !(c.ratio.low > 0) || !(c.ratio.median > 0)) return undefined;
  const half = (Math.log(c.ratio.high) - Math.log(c.ratio.low)) / 2;
  const mid = (Math.log(c.ratio.high) + Math.log(c.ratio.low)) / 2;
  return { value: c.ratio.median, log: mid, se: half / Math.sqrt(3) };
}

function ratioRows(first: ReturnType<typeof derive>, second: ReturnType<typeof derive>): AgreementRow[] {
  const rows: AgreementRow[] = [];
  for (const w of first.workloads) {
    const later = figures(second, w.workload);
    const laterCmps = later ? compareWorkload(later).comparisons : [];
    for (const c of compareWorkload(w).comparisons) {
      // The same pair; where this run ranked the stacks otherwise (another fastest), computed for the pair.
      const same =
        laterCmps.find(
          (x) => x.metric === c.metric && [x.a, x.b].sort().join() === [c.a, c.b].sort().join(),
        ) ?? (later ? comparePair(later, c.metric, c.a, c.b) : undefined);
      const what = `${c.a}/${c.b} on ${c.workload}${c.metric === 'capacity' ? ' capacity' : ''}`;
      const base = {
        kind: 'ratio' as const,
        workload: c.workload,
        metric: c.metric,
        a: c.a,
        b: c.b,
        baseline: c.ratio.median,
      };
      if (!same) {
        rows.push({ ...base, verdict: 'missing', text: `${what}: not in this run` });
        continue;
      }
      // This run's ratio in the baseline's orientation (a / b).
      const flip = same.a !== c.a;
      const current = flip ? 1 / same.ratio.median : same.ratio.median;
      const x = ratioOf(c);
      const yRaw = ratioOf(same);
      const y = yRaw && (flip ? { ...yRaw, value: 1 / yRaw.value, log: -yRaw.log } : yRaw);
      const f = (v: number) => fmtRatio(v, c.ratio.median);
      if (!x || !y) {
        rows.push({
          ...base,
          current,
          verdict: 'bounds',
          text: `${what}: baseline ${f(c.ratio.median)}, now ${f(current)} (a capacity is only a bound: not compared)`,
        });
        continue;
      }
      const t = test(x, y);
      const verdict = t.same ? 'agrees' : 'noisy';
      rows.push({
        ...base,
        current,
        predicted: t.predicted,
        change: t.change,
        verdict,
        text: `${what}: baseline ${f(c.ratio.median)} (a repeat within ${f(t.predicted[0])}-${f(t.predicted[1])}), now ${f(current)}: ${verdict === 'agrees' ? 'agrees' : 'outside, noisy'}`,
      });
    }
  }
  return rows;
}

function figureRows(first: ReturnType<typeof derive>, second: ReturnType<typeof derive>): AgreementRow[] {
  const rows: AgreementRow[] = [];
  for (const w of first.workloads) {
    const later = figures(second, w.workload);
    for (const f of measured(w)) {
      const g = measured(later).find((s) => s.stack === f.stack);
      for (const metric of ['rps', 'capacity'] as const) {
        const x = metric === 'rps' ? f.rps && fromInterval(f.rps, 1) : fromBracket(f);
        if (!x) continue;
        const base = { kind: 'figure' as const, workload: w.workload, metric, a: f.stack, baseline: x.value };
        const what = `${f.stack} on ${w.workload} ${metric === 'rps' ? 'throughput' : 'capacity'}`;
        const y = g && (metric === 'rps' ? g.rps && fromInterval(g.rps, 1) : fromBracket(g));
        if (!y) {
          rows.push({
            ...base,
            verdict: g ? 'bounds' : 'missing',
            text: `${what}: ${g ? 'no comparable figure in this run' : 'not in this run'}`,
          });
          continue;
        }
        const t = test(x, y);
        const verdict: AgreementVerdict = t.same ? 'agrees' : t.change.median < 1 ? 'slower' : 'faster';
        const pct = (v: number) => `${v >= 1 ? '+' : ''}${((v - 1) * 100).toFixed(1)}%`;
        rows.push({
          ...base,
          current: y.value,
          predicted: t.predicted,
          change: t.change,
          verdict,
          text: `${what}: baseline ${fmtInt(x.value)}, now ${fmtInt(y.value)} (${pct(t.change.median)}, 95% ${pct(t.change.low)} to ${pct(t.change.high)}): ${verdict === 'agrees' ? 'the same within the noise' : verdict === 'slower' ? 'slower: a regression' : 'faster'}`,
        });
      }
    }
  }
  return rows;
}

export function agreement(baseline: Results, current: Results): Agreement {
  const d1 = derive(baseline);
  const d2 = derive(current);
  const rows = [...ratioRows(d1, d2), ...figureRows(d1, d2)];
  const ratios = rows.filter((r) => r.kind === 'ratio' && (r.verdict === 'agrees' || r.verdict === 'noisy'));
  const agreeing = ratios.filter((r) => r.verdict === 'agrees').length;
  const regressions = rows.filter((r) => r.kind === 'figure' && r.verdict === 'slower');
  const faster = rows.filter((r) => r.kind === 'figure' && r.verdict === 'faster').length;
  const figs = rows.filter((r) => r.kind === 'figure' && r.change).length;
  const summary =
    `${agreeing} of ${ratios.length} ratios agree` +
    (ratios.length > agreeing ? ` (${ratios.length - agreeing} noisy)` : '') +
    `; of ${figs} figures, ${regressions.length} slower (regression${regressions.length === 1 ? '' : 's'}), ${faster} faster`;
  return { rows, comparable: ratios.length, agreeing, regressions, summary };
}
