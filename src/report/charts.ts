// The figures the HTML report's charts draw, computed here (in Node) from Results so the page only plots:
// throughput and capacity per stack, the latency percentile spectrum from the merged HdrHistograms, throughput
// against concurrency, CPU per request and peak memory.
import { mergeEncoded, spectrum } from '../engine/histogram.js';
import type { Results } from '../results/types.js';
import type { StackId } from '../stacks/registry.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';
import { headlinePoints, median, workloadViews } from './view.js';

/** Node.js stacks in greens, Python stacks in blues and violets: the runtime shows at a glance. */
export const STACK_COLORS: Record<StackId, string> = {
  'node-http': '#2f9e44',
  fastify: '#0ca678',
  express: '#74b816',
  'node-cluster': '#087f5b',
  'flask-gunicorn': '#1c7ed6',
  'flask-gevent': '#4dabf7',
  'django-gunicorn': '#5f3dc4',
  'django-asgi': '#9775fa',
  'fastapi-uvicorn': '#ae3ec9',
};

export interface Bar {
  stack: StackId;
  value: number;
  /** The true figure can only be higher (generator-limited, search ended early). */
  lowerBound: boolean;
  low?: number;
  high?: number;
}

export interface WorkloadCharts {
  workload: WorkloadId;
  /** What the throughput counts: "requests", "streams" or "deliveries" (per second). */
  unit: string;
  throughput: Bar[];
  capacity: Bar[];
  /** Per stack: [nines, ms, percentile] with nines = -log10(1 - p/100). */
  latency: Array<{ stack: StackId; points: Array<[number, number, number]> }>;
  /** Present only when more than one connection level was measured. */
  concurrency?: { levels: number[]; series: Array<{ stack: StackId; values: Array<number | null> }> };
  cpu: Bar[];
  memory: Bar[];
}

export interface ChartData {
  sloP99Ms: number;
  colors: Record<string, string>;
  runtimes: Record<string, 'node' | 'python'>;
  workloads: WorkloadCharts[];
  /** Best Node.js over best Python per workload (> 1: Node.js faster). */
  overview: Array<{ workload: WorkloadId; ratio: number; node: StackId; python: StackId }>;
}

export const nines = (p: number) => -Math.log10(1 - p / 100);

function latencySpectrum(
  results: Results,
  stack: StackId,
  workload: WorkloadId,
): Array<[number, number, number]> {
  const pts = headlinePoints(results, stack, workload);
  if (!pts.length) return [];
  try {
    const h = mergeEncoded(pts.map((p) => p.histogram));
    const out = spectrum(h)
      .filter(([p]) => p < 100)
      .map(([p, ms]): [number, number, number] => [nines(p), Math.max(ms, 0.001), p]);
    h.destroy();
    return out;
  } catch {
    return [];
  }
}

function concurrency(
  results: Results,
  workload: WorkloadId,
  stacks: StackId[],
): WorkloadCharts['concurrency'] {
  const closed = results.points.filter((p) => p.workload === workload && p.kind === 'closed');
  const levels = [...new Set(closed.map((p) => p.connections))].sort((a, b) => a - b);
  if (levels.length < 2) return undefined;
  const series = stacks.map((stack) => {
    const mine = closed.filter((p) => p.stack === stack);
    const instances = Math.max(0, ...mine.map((p) => p.instances));
    const values = levels.map((c) => {
      const at = mine.filter((p) => p.connections === c && p.instances === instances);
      return at.length ? median(at.map((p) => p.rps)) : null;
    });
    return { stack, values };
  });
  return { levels, series: series.filter((s) => s.values.some((v) => v !== null)) };
}

export function chartData(results: Results): ChartData {
  const views = workloadViews(results);
  const runtimes: Record<string, 'node' | 'python'> = {};
  for (const v of views) for (const r of v.rows) runtimes[r.stack] = r.runtime;
  const workloads = views.map((v): WorkloadCharts => {
    const measured = v.rows.filter((r) => r.status === 'measured');
    const stacks = measured.map((r) => r.stack);
    return {
      workload: v.workload,
      unit: { req: 'requests', stream: 'streams', msg: 'deliveries' }[WORKLOADS[v.workload].unit],
      throughput: measured
        .filter((r) => r.rps)
        .map((r) => ({
          stack: r.stack,
          value: r.rps!.median,
          low: r.rps!.low,
          high: r.rps!.high,
          lowerBound: r.flags.includes('generator-saturated'),
        })),
      capacity: measured
        .filter((r) => r.capacity)
        .map((r) => ({
          stack: r.stack,
          value: r.capacity!.rps,
          lowerBound: r.capacity!.limitedBy === 'generator' || r.capacity!.limitedBy === 'max-probes',
        })),
      latency: stacks
        .map((stack) => ({ stack, points: latencySpectrum(results, stack, v.workload) }))
        .filter((s) => s.points.length),
      concurrency: concurrency(results, v.workload, stacks),
      cpu: measured
        .filter((r) => r.cpuUsPerRequest !== undefined)
        .map((r) => ({ stack: r.stack, value: r.cpuUsPerRequest!, lowerBound: false })),
      memory: measured
        .filter((r) => r.peakRssMiB !== undefined)
        .map((r) => ({ stack: r.stack, value: r.peakRssMiB!, lowerBound: false })),
    };
  });
  const overview = views.flatMap((v) => {
    const best = (rt: 'node' | 'python') =>
      v.rows.filter((r) => r.runtime === rt && r.rps).sort((a, b) => b.rps!.median - a.rps!.median)[0];
    const n = best('node');
    const p = best('python');
    if (!n?.rps || !p?.rps || p.rps.median <= 0) return [];
    return [{ workload: v.workload, ratio: n.rps.median / p.rps.median, node: n.stack, python: p.stack }];
  });
  return { sloP99Ms: results.config.sloP99Ms, colors: STACK_COLORS, runtimes, workloads, overview };
}
