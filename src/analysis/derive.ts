// Figures derived from Results, per workload and stack: the headline runs, capacity, cost, flags — or why a stack
// has no figure. This is the one reading of the raw points: comparisons, verdicts and every reporter read these.
import { mergeEncoded, spectrum } from '../engine/histogram.js';
import type {
  Capacity,
  CapacityFigure,
  Point,
  Results,
  StackFigures,
  StackRecord,
} from '../results/types.js';
import type { StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import { acrossRuns, estimate, median } from './stats.js';

/**
 * Flags that make a point unusable for any figure: an interrupted point covers only part of its window; a
 * point during which the server exited, or a service it needed died, measured a failure, not the stack; one
 * during which an agent of the generator was lost is missing that agent's share of the load.
 */
const EXCLUDED: Array<[string, string]> = [
  ['interrupted', 'cut short by an interruption'],
  ['server-exited', 'during which the server exited'],
  ['service-died', 'during which a service it needs died'],
  ['generator-lost', 'during which an agent of the generator was lost (its share is missing)'],
];
const UNUSABLE = new Set(EXCLUDED.map(([flag]) => flag));
export const SATURATED = 'generator-saturated';

export interface WorkloadFigures {
  workload: WorkloadId;
  /** Every stack of the run: measured first (fastest first), then the rest with their reason. */
  stacks: StackFigures[];
}

export interface Derived {
  workloads: WorkloadFigures[];
  /** Headline closed-loop connections. */
  connections: number;
  /** Largest instance count measured (server cores given to a stack). */
  maxInstances: number;
}

export const measured = (w: WorkloadFigures | undefined): StackFigures[] =>
  (w?.stacks ?? []).filter((s) => s.status === 'measured');

/**
 * Whether a scaling capacity was the balancer's ceiling rather than the replicas': at the rate found it used
 * over 80 % of the CPU it had (one thread: one core at most). Then the figure is a lower bound of the
 * replicas'. Older results said so in `limitedBy`.
 */
export function balancerBound(c: Capacity): boolean {
  const b = c.deployment?.balancer;
  if (c.limitedBy === 'balancer') return true;
  if (!b?.cores || c.limitedBy === 'generator') return false;
  return (c.rps * b.cpuUsPerRequest) / 1e6 > 0.8 * b.cores;
}

/** The capacity at the most instances searched, with the bracket the search established. */
function headlineCapacity(caps: Capacity[]): CapacityFigure | undefined {
  if (caps.length === 0) return undefined;
  const c = caps.reduce((best, x) => (x.instances > best.instances ? x : best));
  return {
    value: c.rps,
    low: c.low,
    high: c.limitedBy === 'generator' || balancerBound(c) ? null : c.high,
    resolved: c.resolved,
    precision: c.precision,
    instances: c.instances,
    limitedBy: c.limitedBy,
    p99Ms: c.p99Ms,
  };
}

/** Why a stack has no figures on a workload: its status, in words, with the fix where there is one. */
function whyMissing(
  results: Results,
  rec: StackRecord | undefined,
  stack: StackId,
  workload: WorkloadId,
  points: Point[],
): Pick<StackFigures, 'status' | 'reason' | 'fix'> {
  if (!rec) return { status: 'not measured', reason: `${stack} was not run` };
  if (!rec.available)
    return {
      status: 'unavailable',
      reason: rec.failure?.reason ?? 'not available here',
      fix: rec.failure?.fix,
    };
  if (rec.implements && !rec.implements.includes(workload))
    return {
      status: 'not measured',
      reason: `not implemented (its config lists ${rec.implements.join(', ')})`,
    };
  const v = rec.verification[workload];
  if (v?.status === 'fail') return { status: 'not verified', reason: v.reason, fix: v.fix };
  if (v?.status === 'unavailable') return { status: 'unavailable', reason: v.reason, fix: v.fix };
  if (v?.status === 'unsupported') return { status: 'not supported', reason: v.reason };
  if (rec.failure) return { status: 'failed', reason: rec.failure.reason, fix: rec.failure.fix };
  const reason: Record<string, string> = {
    interrupted: 'not reached before the run was interrupted',
    running: 'not measured yet',
  };
  if (points.length > 0) return { status: 'not measured', reason: 'only interrupted runs' };
  return { status: 'not measured', reason: reason[results.status] ?? 'no measurements' };
}

/** p99 and the percentile spectrum of some points' merged histograms (exact); undefined without samples. */
function mergedLatency(points: Point[]): { p99Ms: number; spectrum: Array<[number, number]> } | undefined {
  if (points.length === 0) return undefined;
  const h = mergeEncoded(points.map((p) => p.histogram));
  try {
    if (h.totalCount === 0) return undefined;
    return { p99Ms: h.getValueAtPercentile(99) / 1000, spectrum: spectrum(h) };
  } finally {
    h.destroy();
  }
}

/** Closed-loop throughput at every level measured at the most instances (the concurrency chart). */
function levelsOf(closed: Point[]): StackFigures['levels'] {
  const top = Math.max(0, ...closed.map((p) => p.instances));
  const at = closed.filter((p) => p.instances === top && !p.flags.some((f) => UNUSABLE.has(f)));
  const conns = [...new Set(at.map((p) => p.connections))].sort((a, b) => a - b);
  if (conns.length < 2) return undefined;
  return conns.map((c) => ({
    connections: c,
    rps: median(at.filter((p) => p.connections === c).map((p) => p.rps)),
  }));
}

function figuresFor(
  results: Results,
  stack: StackId,
  workload: WorkloadId,
  connections: number,
): StackFigures {
  const rec = results.stacks.find((s) => s.id === stack);
  const closed = results.points.filter(
    (p) => p.stack === stack && p.workload === workload && p.kind === 'closed',
  );
  const atLevel = closed.filter((p) => p.connections === connections);
  // Headline = the most instances measured at the headline level (all server cores).
  const top = Math.max(0, ...atLevel.map((p) => p.instances));
  const atTop = atLevel.filter((p) => p.instances === top);
  const usable = atTop.filter((p) => !p.flags.some((f) => UNUSABLE.has(f)));
  // The main run's capacity: the scaling study's deployments are read by analysis/scaling.ts.
  const capacity = headlineCapacity(
    results.capacities.filter((c) => c.stack === stack && c.workload === workload && !c.deployment),
  );
  // The workload a stack crashed during: whatever it measured there is not the stack's figure.
  if (rec?.failure && rec.failure.workload === workload) {
    return {
      stack,
      runtime: rec.runtime,
      serverClass: rec.serverClass,
      status: 'failed',
      reason: rec.failure.reason,
      ...(rec.failure.fix ? { fix: rec.failure.fix } : {}),
      runs: [],
      flags: [],
      notes: [],
      saturated: false,
    };
  }
  const fig: StackFigures = {
    stack,
    runtime: rec?.runtime ?? 'node',
    serverClass: rec?.serverClass ?? 'event loop',
    status: 'measured',
    runs: usable.map((p) => p.rps),
    flags: [...new Set(usable.flatMap((p) => p.flags))].sort(),
    notes: [],
    saturated: usable.some((p) => p.flags.includes(SATURATED) || p.generator.saturated),
  };
  if (usable.length === 0 && !capacity)
    return { ...fig, ...whyMissing(results, rec, stack, workload, atTop) };
  for (const [flag, what] of EXCLUDED) {
    const n = atTop.filter((p) => p.flags.includes(flag)).length;
    if (n > 0) fig.notes.push(`excluded ${n} ${n > 1 ? 'runs' : 'run'} ${what}`);
  }
  if (capacity?.limitedBy === 'generator') fig.notes.push('capacity limited by the generator');
  if (usable.length > 0) {
    fig.rps = acrossRuns(estimate(fig.runs), 1);
    const latency = mergedLatency(usable);
    if (latency) Object.assign(fig, latency);
    const cpu = median(usable.map((p) => p.server.cpuUsPerRequest).filter((x) => x > 0));
    if (Number.isFinite(cpu)) fig.cpuUsPerRequest = cpu;
    // A service reached by URL (compare) is not ours to sample: no figure rather than a zero.
    const peak = Math.max(...usable.map((p) => p.server.peakPssMiB));
    if (peak > 0) fig.peakPssMiB = peak;
  }
  const levels = levelsOf(closed);
  if (levels) fig.levels = levels;
  if (capacity) fig.capacity = capacity;
  return fig;
}

/** The stacks of a run: the configured ones, or (for a file that lacks them) the ones it recorded. */
export function stackIds(results: Results): StackId[] {
  return results.config.stacks.length ? results.config.stacks : results.stacks.map((s) => s.id);
}

export function derive(results: Results): Derived {
  const connections = results.config.connections[0] ?? 0;
  const workloads = results.config.workloads.map((workload): WorkloadFigures => {
    const all = stackIds(results).map((stack) => figuresFor(results, stack, workload, connections));
    const rank = (x: StackFigures, y: StackFigures) =>
      (y.rps?.median ?? -1) - (x.rps?.median ?? -1) || (y.capacity?.value ?? 0) - (x.capacity?.value ?? 0);
    // Measured first, fastest first by median rps (stacks with only a capacity after them, by capacity).
    const stacks = [
      ...all.filter((s) => s.status === 'measured').sort(rank),
      ...all.filter((s) => s.status !== 'measured'),
    ];
    return { workload, stacks };
  });
  const maxInstances = Math.max(
    1,
    ...results.capacities.map((c) => c.instances),
    ...results.config.instances,
  );
  return { workloads, connections, maxInstances };
}

export function figures(d: Derived, workload: WorkloadId): WorkloadFigures | undefined {
  return d.workloads.find((w) => w.workload === workload);
}
