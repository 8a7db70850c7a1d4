// The small picture of each verdict card (report.html), from the verdict's rows: per workload the best of each
// side as bars with their intervals (log scale), the outcome beside them (a tie drawn as a tie); for the scaling
// study E(N) of the best of each runtime; for a claim the size sweep decides, Python's speed over Node.js by
// size, the crossover curve. A verdict with nothing measured gets no picture, only its reason.
import { spanPct, spanX } from '../analysis/headline.js';
import type { Analysis, Crossover, CrossoverStep, Span, Verdict, VerdictRow } from '../results/types.js';
import { WORKLOADS } from '../workloads.js';
import { rowWhere } from './matchups.js';

export interface CardBar {
  stack: string;
  value: number;
  low: number;
  /** null: a lower bound, open above. */
  high: number | null;
}

export interface CardGroup {
  /** "io capacity", "chat E(N) at 4 replicas". */
  label: string;
  /** The claim's side, and the strongest opponent (null: none can serve the workload). */
  fav: CardBar | null;
  opp: CardBar | null;
  outcome: VerdictRow['outcome'];
  /** The ratio or the two shares, as the card labels them. */
  text: string;
}

export interface CardCurve {
  family: 'ml' | 'data';
  label: string;
  points: Array<{ x: number; y: number; low: number; high: number; outcome: CrossoverStep['outcome'] }>;
  /** Sizes a side failed at (no ratio to draw): drawn at the edge of the side that won them. */
  failed: Array<{ x: number; side: 'node' | 'python' }>;
  flip?: { above: number; below: number };
}

export type VerdictChart =
  | { claim: string; kind: 'bars'; scale: 'log'; axis: string; sides: [string, string]; groups: CardGroup[] }
  | { claim: string; kind: 'scaling'; axis: string; groups: CardGroup[] }
  | { claim: string; kind: 'crossover'; axis: string; sizeLabel: string; curves: CardCurve[] }
  | { claim: string; kind: 'none'; reason: string };

const bar = (stack: string, s: Span | null): CardBar | null =>
  s && s.value > 0 ? { stack, value: s.value, low: s.low, high: s.high } : null;

/** Per workload (and metric): the favoured side's figure against the strongest opponent's. */
function groups(rows: VerdictRow[]): CardGroup[] {
  const keys = [...new Set(rows.map(rowWhere))];
  // One metric throughout: the workload names the group; mixed, the metric too.
  const mixed = new Set(rows.map((r) => r.metric)).size > 1;
  return keys.map((key) => {
    const mine = rows.filter((r) => rowWhere(r) === key);
    const first = mine[0]!;
    const label = mixed ? key.replace(' req/s', '') : `${first.workload}${first.at ? ` ${first.at}` : ''}`;
    const rated = mine.filter((r) => r.opponentFigure && r.opponentFigure.value > 0);
    const top = rated.reduce<VerdictRow | undefined>(
      (a, r) => (a === undefined || r.opponentFigure!.value > a.opponentFigure!.value ? r : a),
      undefined,
    );
    const r = top ?? mine[0]!;
    const text =
      r.metric === 'efficiency'
        ? `${spanPct(r.favouredFigure!)} vs ${spanPct(r.opponentFigure!)}`
        : r.ratio
          ? spanX(r.ratio)
          : '';
    return {
      label,
      fav: bar(r.favoured, r.favouredFigure),
      opp: top ? bar(r.opponent, r.opponentFigure) : null,
      outcome: top ? r.outcome : 'cannot serve',
      text,
    };
  });
}

/** The sweep's families in a verdict's rows, as curves of Python's speed over Node.js by size. */
function curves(v: Verdict, crossover: Crossover[]): CardCurve[] {
  const families = new Set(v.matchups.filter((r) => r.at && r.metric === 'rps').map((r) => r.workload));
  return crossover
    .filter((x) => families.has(x.family))
    .map((x) => ({
      family: x.family,
      label: x.op ?? (x.family === 'ml' ? 'ML inference' : x.family),
      points: x.steps.flatMap((s) =>
        s.ratio
          ? [{ x: s.size, y: s.ratio.median, low: s.ratio.low, high: s.ratio.high, outcome: s.outcome }]
          : [],
      ),
      failed: x.steps.flatMap((s) => (s.failed ? [{ x: s.size, side: s.failed.side }] : [])),
      ...(x.flip ? { flip: x.flip } : {}),
    }));
}

const SIDES: Record<string, [string, string]> = {
  'python-needs-wsgi': ['WSGI', 'ASGI'],
};

export function verdictCharts(a: Analysis, sloP99Ms: number): VerdictChart[] {
  return a.verdicts.map((v): VerdictChart => {
    const claim = v.claim;
    if (v.verdict === 'not measured' || v.matchups.length === 0)
      return { claim, kind: 'none', reason: v.headline.text.replace(`${v.verdict} — `, '') };
    const eff = v.matchups.filter((r) => r.metric === 'efficiency');
    if (eff.length) return { claim, kind: 'scaling', axis: 'E(N): 100 % is linear', groups: groups(eff) };
    const cs = curves(v, a.crossover);
    if (cs.some((c) => c.points.length + c.failed.length > 1)) {
      const sizeLabel = cs.some((c) => c.family === 'ml') ? 'MFLOP per request' : 'rows per request';
      return { claim, kind: 'crossover', axis: 'Python ÷ Node.js (one connection)', sizeLabel, curves: cs };
    }
    const head = v.matchups.filter((r) => !r.at);
    const favRuntime = head[0]?.opponentClass === 'Node.js' ? 'Python' : 'Node.js';
    const capacity = head.some((r) => r.metric === 'capacity');
    const requests = head.every((r) => WORKLOADS[r.workload].unit === 'req');
    return {
      claim,
      kind: 'bars',
      scale: 'log',
      axis: `${requests ? 'req/s' : 'per second'}, log scale${capacity ? `; capacity at p99 ≤ ${sloP99Ms} ms` : ''}`,
      sides: SIDES[claim] ?? [favRuntime, favRuntime === 'Node.js' ? 'Python' : 'Node.js'],
      groups: groups(head),
    };
  });
}
