// Figures derived from Results, per workload and stack: the headline runs, capacity, cost, flags, and why a stack
// has no figure. Everything else in src/analysis reads these, never the raw points.
import type { Capacity, Estimate, Point, Results } from '../results/types.js';
import type { StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import { estimate, median, type Bracket } from './stats.js';

export type Runtime = 'node' | 'python';

// Complete by construction (Record over StackId): adding a stack without classifying it fails to compile.
const RUNTIME: Record<StackId, Runtime> = {
  'node-http': 'node',
  fastify: 'node',
  express: 'node',
  'node-cluster': 'node',
  'flask-gunicorn': 'python',
  'flask-gevent': 'python',
  'django-gunicorn': 'python',
  'django-asgi': 'python',
  'fastapi-uvicorn': 'python',
};

/** The concurrency model in the article's terms: WSGI (sync, threaded) vs ASGI vs the Node event loop. */
export const SERVER_CLASS: Record<StackId, string> = {
  'node-http': 'event loop',
  fastify: 'event loop',
  express: 'event loop',
  'node-cluster': 'event loop x N',
  'flask-gunicorn': 'WSGI sync',
  'flask-gevent': 'WSGI gevent',
  'django-gunicorn': 'WSGI gthread',
  'django-asgi': 'ASGI',
  'fastapi-uvicorn': 'ASGI',
};

export const isWsgi = (s: StackId) => SERVER_CLASS[s].startsWith('WSGI');

/** Flags that make a point unusable for the headline: an interrupted point covers only part of its window. */
const UNUSABLE = new Set(['interrupted']);
export const SATURATED = 'generator-saturated';

export interface StackFigures {
  stack: StackId;
  runtime: Runtime;
  /** rps of each usable headline run (closed loop, config.connections[0]). */
  runs: number[];
  rps?: Estimate;
  capacity?: Bracket & { instances: number; limitedBy: Capacity['limitedBy']; p99Ms: number };
  p99Ms?: number;
  cpuUsPerRequest?: number;
  peakRssMiB?: number;
  /** Distinct flags on the headline points, plus notes such as 'excluded 1 interrupted run'. */
  flags: string[];
  /** Some headline run was generator-limited: the server's rps is a lower bound. */
  saturated: boolean;
}

export interface WorkloadFigures {
  workload: WorkloadId;
  /** Stacks with at least a throughput or a capacity figure, fastest first. */
  stacks: StackFigures[];
  /** Stacks asked for but without figures, and why. */
  missing: Array<{ stack: StackId; reason: string }>;
}

export interface Derived {
  workloads: WorkloadFigures[];
  /** Headline closed-loop connections. */
  connections: number;
  /** Largest instance count measured (server cores given to a stack). */
  maxInstances: number;
}

export function runtimeOf(results: Results, stack: StackId): Runtime {
  return results.stacks.find((s) => s.id === stack)?.runtime ?? RUNTIME[stack];
}

/** The capacity at the most instances searched, as a bracket between the last rate met and the first missed. */
function headlineCapacity(caps: Capacity[]): StackFigures['capacity'] {
  if (caps.length === 0) return undefined;
  const c = caps.reduce((best, x) => (x.instances > best.instances ? x : best));
  const missed = c.probes.filter((p) => !p.met && p.rate > c.rps).map((p) => p.rate);
  const open = missed.length === 0 || c.limitedBy === 'generator';
  const high = open ? c.rps : Math.min(...missed);
  return {
    value: c.rps,
    low: c.rps,
    high,
    open,
    instances: c.instances,
    limitedBy: c.limitedBy,
    p99Ms: c.p99Ms,
  };
}

function whyMissing(results: Results, stack: StackId, workload: WorkloadId, points: Point[]): string {
  const rec = results.stacks.find((s) => s.id === stack);
  if (!rec) return `${stack} was not run`;
  if (rec.failure) return `${stack} could not be measured: ${rec.failure.reason}`;
  if (!rec.available) return `${stack} is not available on this machine`;
  const v = rec.verification[workload];
  if (v && v.status !== 'pass') {
    const what = {
      fail: `failed verification on ${workload}`,
      unavailable: `was unavailable on ${workload}`,
      unsupported: `cannot serve ${workload}`,
    }[v.status];
    return `${stack} ${what}${v.reason ? `: ${v.reason}` : ''}`;
  }
  if (points.length > 0) return `${stack} on ${workload}: only interrupted runs`;
  if (results.status === 'interrupted')
    return `${stack} on ${workload}: not reached before the run was interrupted`;
  if (results.status === 'running') return `${stack} on ${workload}: not measured yet`;
  return `${stack} on ${workload}: no measurements`;
}

function figuresFor(
  results: Results,
  stack: StackId,
  workload: WorkloadId,
  connections: number,
): StackFigures | string {
  const all = results.points.filter(
    (p) =>
      p.stack === stack && p.workload === workload && p.kind === 'closed' && p.connections === connections,
  );
  // Headline = the most instances measured at the headline level (all server cores).
  const top = Math.max(0, ...all.map((p) => p.instances));
  const atTop = all.filter((p) => p.instances === top);
  const usable = atTop.filter((p) => !p.flags.some((f) => UNUSABLE.has(f)));
  const capacity = headlineCapacity(
    results.capacities.filter((c) => c.stack === stack && c.workload === workload),
  );
  if (usable.length === 0 && !capacity) return whyMissing(results, stack, workload, atTop);
  const flags = [...new Set(usable.flatMap((p) => p.flags))].sort();
  const excluded = atTop.length - usable.length;
  if (excluded > 0) flags.push(`excluded ${excluded} interrupted run${excluded > 1 ? 's' : ''}`);
  if (capacity?.limitedBy === 'generator') flags.push('capacity limited by the generator');
  const runs = usable.map((p) => p.rps);
  const fig: StackFigures = {
    stack,
    runtime: runtimeOf(results, stack),
    runs,
    flags,
    saturated: usable.some((p) => p.flags.includes(SATURATED) || p.generator.saturated),
  };
  if (usable.length > 0) {
    fig.rps = estimate(runs);
    fig.p99Ms = median(usable.map((p) => p.latency.percentilesMs['99'] ?? NaN).filter(Number.isFinite));
    fig.cpuUsPerRequest = median(usable.map((p) => p.server.cpuUsPerRequest).filter((x) => x > 0));
    fig.peakRssMiB = Math.max(...usable.map((p) => p.server.peakRssMiB));
    for (const k of ['p99Ms', 'cpuUsPerRequest', 'peakRssMiB'] as const)
      if (!Number.isFinite(fig[k])) delete fig[k];
  }
  if (capacity) fig.capacity = capacity;
  return fig;
}

export function derive(results: Results): Derived {
  const connections = results.config.connections[0] ?? 0;
  const workloads: WorkloadFigures[] = results.config.workloads.map((workload) => {
    const stacks: StackFigures[] = [];
    const missing: WorkloadFigures['missing'] = [];
    for (const stack of results.config.stacks) {
      const f = figuresFor(results, stack, workload, connections);
      if (typeof f === 'string') missing.push({ stack, reason: f });
      else stacks.push(f);
    }
    // Fastest first by median rps; stacks with only a capacity go last, by capacity.
    stacks.sort(
      (x, y) =>
        (y.rps?.median ?? -1) - (x.rps?.median ?? -1) || (y.capacity?.value ?? 0) - (x.capacity?.value ?? 0),
    );
    return { workload, stacks, missing };
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
