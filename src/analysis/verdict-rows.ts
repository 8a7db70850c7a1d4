// A verdict's comparisons as rows (VerdictRow): the favoured stack against one opponent on one workload, its
// ratio with the interval, the outcome, the opponent's server class and what qualifies the figures. The rules
// (verdicts.ts) make their matchups here; every reporter draws its tables and pictures from the rows, so none
// of them parses a verdict's words.
import type { Comparison, CrossoverStep, Results, Span, StackFigures, VerdictRow } from '../results/types.js';
import type { WorkloadId } from '../workloads.js';
import type { ClaimTest } from './claims.js';
import type { Crossover } from './crossover.js';
import type { ScalingOutcome } from './headline.js';
import { sizeText } from './crossover.js';

export interface Matchup {
  workload: WorkloadId;
  metric: ClaimTest['metric'];
  fav: StackFigures;
  opp: StackFigures;
  cmp?: Comparison;
  /** fav / opp (< 1 when the favoured side is slower). */
  ratio: number;
  outcome: 'win' | 'tie' | 'loss' | 'undecided';
  /** Caveats the rule adds (a fallback from capacity to throughput). */
  notes?: string[];
}

/** The class an opponent is named by: its server model for Python, its runtime for Node.js. */
export const classOf = (f: Pick<StackFigures, 'runtime' | 'serverClass'>): string =>
  f.runtime === 'node' ? 'Node.js' : f.serverClass;

/** A stack's figure on a metric, with its interval; high null where the figure is a lower bound. */
export function figureOf(f: StackFigures, metric: ClaimTest['metric']): Span | null {
  if (metric === 'rps')
    return f.rps ? { value: f.rps.median, low: f.rps.low, high: f.saturated ? null : f.rps.high } : null;
  return f.capacity ? { value: f.capacity.value, low: f.capacity.low, high: f.capacity.high } : null;
}

export const invert = (s: Span): Span => ({
  value: 1 / s.value,
  low: s.high === null || !Number.isFinite(s.high) ? 0 : 1 / s.high,
  high: s.low > 0 ? 1 / s.low : null,
});

/**
 * fav / opp with its interval. A capacity that is only a lower bound leaves the ratio open on its side: the
 * favoured side's opens it above, the opponent's takes its floor to 0 (compareBrackets keeps a finite figure in
 * place of an open end, so the ends are set here from the brackets themselves).
 */
function favouredRatio(m: Matchup): Span | null {
  if (!m.cmp) return null;
  const r: Span = { value: m.cmp.ratio.median, low: m.cmp.ratio.low, high: m.cmp.ratio.high };
  const s = m.cmp.a === m.fav.stack ? r : invert(r);
  if (m.metric === 'capacity') {
    if (m.opp.capacity?.high === null) s.low = 0;
    if (m.fav.capacity?.high === null) s.high = null;
  }
  if (s.high !== null && !Number.isFinite(s.high)) s.high = null;
  return { ...s, value: m.ratio };
}

function boundNotes(m: Matchup): string[] {
  const out: string[] = [];
  for (const f of [m.fav, m.opp]) {
    if (m.metric === 'rps' && f.saturated)
      out.push(`${f.stack}'s throughput is a lower bound (generator-saturated)`);
    if (m.metric === 'capacity' && f.capacity?.high === null)
      out.push(`${f.stack}'s capacity is a lower bound (no ceiling found)`);
  }
  if (!m.cmp) {
    const none = m.ratio > 1 ? m.opp.stack : m.fav.stack;
    out.push(
      m.metric === 'capacity' ? `${none} met the SLO at no rate probed` : `${none} completed no request`,
    );
  }
  return out;
}

export function matchupRow(m: Matchup): VerdictRow {
  return {
    workload: m.workload,
    metric: m.metric,
    favoured: m.fav.stack,
    opponent: m.opp.stack,
    opponentClass: classOf(m.opp),
    ratio: favouredRatio(m),
    favouredFigure: figureOf(m.fav, m.metric),
    opponentFigure: figureOf(m.opp, m.metric),
    outcome: m.outcome,
    notes: [...(m.notes ?? []), ...boundNotes(m)],
  };
}

/** The same matchup seen from the other side (a rule that compares with the favoured side second). */
export function reversed(m: Matchup): Matchup {
  const flip = { win: 'loss', loss: 'win', tie: 'tie', undecided: 'undecided' } as const;
  return { ...m, fav: m.opp, opp: m.fav, ratio: 1 / m.ratio, outcome: flip[m.outcome] };
}

/** An opponent that cannot serve the workload by its model: the favoured side wins it without a figure. */
export function cannotServeRow(
  results: Results,
  workload: WorkloadId,
  metric: ClaimTest['metric'],
  fav: StackFigures | undefined,
  opponent: string,
): VerdictRow {
  const rec = results.stacks.find((s) => s.id === opponent);
  return {
    workload,
    metric,
    favoured: fav?.stack ?? '—',
    opponent,
    opponentClass: rec ? classOf(rec) : 'unknown',
    ratio: null,
    favouredFigure: fav ? figureOf(fav, metric) : null,
    opponentFigure: null,
    outcome: 'cannot serve',
    notes: [rec?.verification[workload]?.reason ?? 'not supported'],
  };
}

/**
 * A workload's cannot-serve rows name the stack its matchups were made with (the best by the metric decided
 * on), once the rule has chosen it; until then they carry the fastest by throughput.
 */
export function alignCannotRows(rows: VerdictRow[], matchups: Matchup[]): VerdictRow[] {
  return rows.map((r) => {
    const m = r.outcome === 'cannot serve' ? matchups.find((x) => x.workload === r.workload) : undefined;
    return m
      ? { ...r, metric: m.metric, favoured: m.fav.stack, favouredFigure: figureOf(m.fav, m.metric) }
      : r;
  });
}

const point = (v: number): Span => ({ value: v, low: v, high: v });

/** Where the sweep measured: "8.7 MFLOP", "sort, 1M rows". */
export const sweepAt = (x: Crossover, s: CrossoverStep) =>
  `${x.op ? `${x.op}, ` : ''}${sizeText(x.family, s.size)}`;

/** A sweep step's outcome as a row's, seen from Python (the favoured side). */
const FROM_PYTHON = { python: 'win', node: 'loss', tie: 'tie', undecided: 'undecided' } as const;

/** Requests per second from ms per request; null (a side that failed) stays null. */
const perSecond = (ms: number | null) => (ms === null ? null : point(1000 / ms));

/**
 * The sweep's steps as rows: the leading Python stack against the fastest Node.js implementation, by size. A
 * side that failed at a size loses it, with no ratio and its failure in the notes.
 */
export function sweepRows(xs: Crossover[]): VerdictRow[] {
  return xs.flatMap((x) =>
    x.steps.map((s): VerdictRow => {
      const node = s.perImpl.find((p) => p.impl === s.nodeImpl)?.stack ?? x.node;
      const failed = s.failed
        ? [`${s.failed.side === 'python' ? x.python : `Node.js (${s.nodeImpl})`} failed: ${s.failed.why}`]
        : [];
      return {
        workload: x.family,
        metric: 'rps',
        at: sweepAt(x, s),
        favoured: x.python,
        opponent: node,
        opponentClass: 'Node.js',
        ratio: s.ratio ? { value: s.ratio.median, low: s.ratio.low, high: s.ratio.high } : null,
        favouredFigure: perSecond(s.pythonMs),
        opponentFigure: perSecond(s.nodeMs),
        outcome: FROM_PYTHON[s.outcome],
        notes: [
          `one connection; Node.js: ${s.nodeImpl}`,
          ...failed,
          ...(s.ratio && s.ratio.n < 2 ? ['one run: no interval'] : []),
        ],
      };
    }),
  );
}

/** One workload of the scaling study as a row: the best of each runtime's E(N) at the largest N both reached. */
export function scalingRow(o: ScalingOutcome, pythonClass: string): VerdictRow {
  const outcome = { node: 'win', python: 'loss', alike: 'tie', undecided: 'undecided' } as const;
  return {
    workload: o.workload,
    metric: 'efficiency',
    at: `${o.n} replicas`,
    favoured: o.node.stack,
    opponent: o.python.stack,
    opponentClass: pythonClass,
    ratio: null,
    favouredFigure: o.node.e,
    opponentFigure: o.python.e,
    outcome: outcome[o.outcome],
    notes: [
      ...([o.node.e, o.python.e].some((e) => e.high === null) ? ['an E(N) open above (a bound)'] : []),
      ...(o.reason ? [o.reason] : []),
      ...(o.source === 'split' ? ['E(N) from CPU per request at the same rate'] : []),
    ],
  };
}
