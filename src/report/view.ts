// The reporters' shared reading of Results: per workload, one row per stack with its headline figures, its
// flags, or the reason it has none. Uses the analysis when present; without it (a run still being written,
// or analysis unavailable) falls back to plain medians and min–max ranges taken from the points.
import { mergeEncoded } from '../engine/histogram.js';
import type { Capacity, Comparison, Estimate, Point, Results, StackRecord } from '../results/types.js';
import type { StackId } from '../stacks/registry.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';
import { fmtEstimate, fmtRatio, MARKS } from './format.js';

export type RowStatus =
  'measured' | 'unavailable' | 'failed' | 'not verified' | 'not supported' | 'not measured';

export interface Row {
  stack: StackId;
  runtime: 'node' | 'python';
  status: RowStatus;
  reason?: string;
  fix?: string;
  rps?: Estimate;
  p99Ms?: number;
  capacity?: { rps: number; limitedBy: Capacity['limitedBy'] | 'unknown'; p99Ms?: number };
  cpuUsPerRequest?: number;
  peakRssMiB?: number;
  /** Flags of the headline points (Point.flags) that mark the figures. */
  flags: string[];
  /** Other remarks from the analysis, in words ("excluded 1 interrupted run"). */
  notes: string[];
}

export interface WorkloadView {
  workload: WorkloadId;
  tests: string;
  rows: Row[];
  winner?: StackId;
  comparisons: Comparison[];
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The headline level of a (stack, workload): the first configured connections, at the most instances. */
export function headlinePoints(results: Results, stack: StackId, workload: WorkloadId): Point[] {
  const closed = results.points.filter(
    (p) => p.stack === stack && p.workload === workload && p.kind === 'closed',
  );
  if (!closed.length) return [];
  const level = closed.some((p) => p.connections === results.config.connections[0])
    ? results.config.connections[0]
    : Math.min(...closed.map((p) => p.connections));
  const atLevel = closed.filter((p) => p.connections === level);
  const instances = Math.max(...atLevel.map((p) => p.instances));
  return atLevel.filter((p) => p.instances === instances);
}

/** Headline capacity: the search at the most instances. */
export function headlineCapacity(
  results: Results,
  stack: StackId,
  workload: WorkloadId,
): Capacity | undefined {
  const caps = results.capacities.filter((c) => c.stack === stack && c.workload === workload);
  return caps.sort((a, b) => b.instances - a.instances)[0];
}

/** p99 of the merged histograms of some points (exact), or the median of their p99s if a histogram is bad. */
export function mergedP99(points: Point[]): number | undefined {
  if (!points.length) return undefined;
  try {
    const h = mergeEncoded(points.map((p) => p.histogram));
    const v = h.totalCount ? h.getValueAtPercentile(99) / 1000 : undefined;
    h.destroy();
    return v;
  } catch {
    return median(points.map((p) => p.latency.percentilesMs['99'] ?? 0));
  }
}

function statusOf(
  rec: StackRecord | undefined,
  workload: WorkloadId,
  measured: boolean,
): Pick<Row, 'status' | 'reason' | 'fix'> {
  if (measured) return { status: 'measured' };
  if (!rec) return { status: 'not measured', reason: 'no record of this stack in the results' };
  if (!rec.available) {
    return {
      status: 'unavailable',
      reason: rec.failure?.reason ?? rec.verification[workload]?.reason ?? 'not available',
      fix: rec.failure?.fix,
    };
  }
  const cell = rec.verification[workload];
  if (cell?.status === 'fail') return { status: 'not verified', reason: cell.reason, fix: cell.fix };
  if (cell?.status === 'unavailable') return { status: 'unavailable', reason: cell.reason, fix: cell.fix };
  if (cell?.status === 'unsupported') return { status: 'not supported', reason: cell.reason };
  if (rec.failure) return { status: 'failed', reason: rec.failure.reason, fix: rec.failure.fix };
  return { status: 'not measured', reason: 'no measurement recorded' };
}

function fallbackEstimate(points: Point[]): Estimate {
  const xs = points.map((p) => p.rps);
  return { median: median(xs), low: Math.min(...xs), high: Math.max(...xs), n: xs.length };
}

function fallbackComparisons(workload: WorkloadId, rows: Row[]): Comparison[] {
  const best = (rt: 'node' | 'python') =>
    rows.filter((r) => r.runtime === rt && r.rps).sort((a, b) => b.rps!.median - a.rps!.median)[0];
  const n = best('node');
  const p = best('python');
  if (!n || !p || !n.rps || !p.rps || p.rps.median <= 0) return [];
  const [a, b] = n.rps.median >= p.rps.median ? [n, p] : [p, n];
  const ra = a.rps!;
  const rb = b.rps!;
  const ratio: Estimate = {
    median: ra.median / rb.median,
    low: rb.high > 0 ? ra.low / rb.high : ra.median / rb.median,
    high: rb.low > 0 ? ra.high / rb.low : ra.median / rb.median,
    n: Math.min(ra.n, rb.n),
  };
  const tie = ratio.low <= 1;
  const text = `${a.stack} ${tie ? 'ties with' : 'is'} ${fmtRatio(ratio.median)} ${b.stack} (range ${fmtRatio(ratio.low)}–${fmtRatio(ratio.high)}, from ${fmtEstimate(ra)} vs ${fmtEstimate(rb)} req/s)`;
  return [{ workload, metric: 'rps', a: a.stack, b: b.stack, ratio, tie, text }];
}

export function workloadViews(results: Results): WorkloadView[] {
  const stackIds: StackId[] = results.config.stacks.length
    ? results.config.stacks
    : results.stacks.map((s) => s.id);
  return results.config.workloads.map((workload) => {
    const a = results.analysis?.workloads.find((w) => w.workload === workload);
    const rows: Row[] = stackIds.map((stack) => {
      const rec = results.stacks.find((s) => s.id === stack);
      const pts = headlinePoints(results, stack, workload);
      const cap = headlineCapacity(results, stack, workload);
      const est = a?.stacks.find((s) => s.stack === stack);
      const measured = pts.length > 0 || cap !== undefined || est?.rps !== undefined;
      const row: Row = {
        stack,
        runtime:
          rec?.runtime ?? (stack.includes('gunicorn') || stack.includes('uvicorn') ? 'python' : 'node'),
        ...statusOf(rec, workload, measured),
        // With an analysis, its flags describe the runs it used (it may exclude interrupted ones).
        flags: [...new Set(est ? est.flags : pts.flatMap((p) => p.flags))].filter((f) => MARKS[f]),
        notes: (est?.flags ?? []).filter(
          (f) =>
            !MARKS[f] &&
            !(f.startsWith('capacity limited by the generator') && cap?.limitedBy === 'generator'),
        ),
      };
      if (!measured) return row;
      row.rps = est?.rps ?? (pts.length ? fallbackEstimate(pts) : undefined);
      row.p99Ms = est?.p99Ms ?? mergedP99(pts);
      if (cap) row.capacity = { rps: cap.rps, limitedBy: cap.limitedBy, p99Ms: cap.p99Ms };
      else if (est?.capacity !== undefined) row.capacity = { rps: est.capacity, limitedBy: 'unknown' };
      row.cpuUsPerRequest =
        est?.cpuUsPerRequest ?? (pts.length ? median(pts.map((p) => p.server.cpuUsPerRequest)) : undefined);
      row.peakRssMiB =
        est?.peakRssMiB ?? (pts.length ? Math.max(...pts.map((p) => p.server.peakRssMiB)) : undefined);
      return row;
    });
    const ranked = rows.filter((r) => r.rps).sort((x, y) => y.rps!.median - x.rps!.median);
    return {
      workload,
      tests: WORKLOADS[workload]?.tests ?? '',
      rows,
      winner: a ? a.winner : ranked[0]?.stack,
      comparisons: a ? a.comparisons : fallbackComparisons(workload, rows),
    };
  });
}

/** Every flag that shows anywhere in the tables (for the legend). */
export function flagsInUse(views: WorkloadView[]): string[] {
  const out = new Set<string>();
  for (const v of views) {
    for (const r of v.rows) {
      r.flags.forEach((f) => out.add(f));
      if (r.capacity?.limitedBy === 'generator') out.add('generator-saturated');
      if (r.capacity?.limitedBy === 'max-probes') out.add('max-probes');
    }
  }
  return [...out];
}
