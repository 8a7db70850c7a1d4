// The figures the HTML report's charts draw, taken from the analysis (so the page only plots): throughput and
// capacity per stack, the latency percentile spectrum of the merged headline runs, throughput against
// concurrency, CPU per request and peak memory.
import { analysisOf } from '../analysis/index.js';
import { uslCapacity } from '../analysis/usl.js';
import type { Results } from '../results/types.js';
import type { Runtime, StackId } from '../stacks/registry.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';
import { verdictCharts, type VerdictChart } from './verdict-charts.js';

/** Node.js stacks in greens, Python stacks in blues and violets: the runtime shows at a glance. */
export const STACK_COLORS: Record<string, string> = {
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
/** Stacks without a colour of their own (a user's): one from their runtime's family, by a hash of the id. */
const SPARE = {
  node: ['#37b24d', '#20c997', '#94d82d'],
  python: ['#4263eb', '#7048e8', '#be4bdb'],
  other: ['#f08c00', '#e8590c', '#868e96'],
};

export function colorOf(stack: string, runtime: Runtime): string {
  if (STACK_COLORS[stack]) return STACK_COLORS[stack];
  const h = [...stack].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
  return SPARE[runtime][h % SPARE[runtime].length]!;
}

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

/** The scaling chart of one workload: capacity against N per stack, its ideal line and its USL curve. */
export interface ScalingChart {
  workload: WorkloadId;
  unit: string;
  series: Array<{
    stack: StackId;
    points: Array<{ n: number; value: number; low: number; high: number | null }>;
    /** N x C(1) at each N: linear scaling. */
    ideal: Array<{ n: number; value: number }>;
    /** The Universal Scalability Law through the points, sampled between 1 and the largest N. */
    usl?: Array<{ n: number; value: number }>;
  }>;
}

/** The sweep chart of one family (and op): time per request against size, per implementation. */
export interface CrossoverChart {
  id: string;
  title: string;
  /** Axis title of the size. */
  sizeLabel: string;
  series: Array<{ label: string; stack: StackId; points: Array<{ x: number; y: number }> }>;
  /** The bracket where Python takes over, when it does. */
  flip?: { above: number; below: number };
}

export interface ChartData {
  sloP99Ms: number;
  scaling: ScalingChart[];
  crossover: CrossoverChart[];
  colors: Record<string, string>;
  runtimes: Record<string, Runtime>;
  workloads: WorkloadCharts[];
  /** Best Node.js over best Python per workload (> 1: Node.js faster). */
  overview: Array<{ workload: WorkloadId; ratio: number; node: StackId; python: StackId }>;
  /** The small picture of each verdict card, in the verdicts' order. */
  verdicts: VerdictChart[];
}

export const nines = (p: number) => -Math.log10(1 - p / 100);

function concurrency(
  stacks: Array<{ stack: StackId; levels?: Array<{ connections: number; rps: number }> }>,
): WorkloadCharts['concurrency'] {
  const levels = [...new Set(stacks.flatMap((s) => (s.levels ?? []).map((l) => l.connections)))].sort(
    (a, b) => a - b,
  );
  if (levels.length < 2) return undefined;
  const series = stacks
    .filter((s) => s.levels)
    .map((s) => ({
      stack: s.stack,
      values: levels.map((c) => s.levels!.find((l) => l.connections === c)?.rps ?? null),
    }));
  return { levels, series };
}

export function chartData(results: Results): ChartData {
  const a = analysisOf(results);
  const runtimes: Record<string, Runtime> = {};
  const colors: Record<string, string> = {};
  for (const v of a.workloads)
    for (const r of v.stacks) {
      runtimes[r.stack] = r.runtime;
      colors[r.stack] = colorOf(r.stack, r.runtime);
    }
  const workloads = a.workloads.map((v): WorkloadCharts => {
    const measured = v.stacks.filter((r) => r.status === 'measured');
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
          lowerBound: r.saturated,
        })),
      capacity: measured
        .filter((r) => r.capacity)
        .map((r) => ({ stack: r.stack, value: r.capacity!.value, lowerBound: r.capacity!.high === null })),
      latency: measured
        .filter((r) => r.spectrum?.length)
        .map((r) => ({
          stack: r.stack,
          points: r
            .spectrum!.filter(([p]) => p < 100)
            .map(([p, ms]): [number, number, number] => [nines(p), Math.max(ms, 0.001), p]),
        })),
      concurrency: concurrency(measured),
      cpu: measured
        .filter((r) => r.cpuUsPerRequest !== undefined)
        .map((r) => ({ stack: r.stack, value: r.cpuUsPerRequest!, lowerBound: false })),
      memory: measured
        .filter((r) => r.peakPssMiB !== undefined)
        .map((r) => ({ stack: r.stack, value: r.peakPssMiB!, lowerBound: false })),
    };
  });
  const overview = a.workloads.flatMap((v) => {
    const c = v.runtimes.rps;
    if (!c) return [];
    const nodeFirst = runtimes[c.a] === 'node';
    const ratio = nodeFirst ? c.ratio.median : 1 / c.ratio.median;
    return [{ workload: v.workload, ratio, node: nodeFirst ? c.a : c.b, python: nodeFirst ? c.b : c.a }];
  });
  const scaling = [...new Set(a.scaling.map((c) => c.workload))].map((workload): ScalingChart => ({
    workload,
    unit: { req: 'requests', stream: 'streams', msg: 'deliveries' }[WORKLOADS[workload].unit],
    series: a.scaling
      .filter((c) => c.workload === workload && c.form === 'replicas')
      .map((c) => {
        const one = c.steps.find((x) => x.n === 1);
        const top = Math.max(...c.steps.map((x) => x.n));
        return {
          stack: c.stack,
          points: c.steps.map((x) => ({ n: x.n, value: x.value, low: x.low, high: x.high })),
          ideal: one ? c.steps.map((x) => ({ n: x.n, value: x.n * one.value })) : [],
          ...(c.usl && one
            ? {
                usl: Array.from({ length: 21 }, (_, i) => 1 + ((top - 1) * i) / 20).map((n) => ({
                  n,
                  value: uslCapacity(one.value, n, c.usl!),
                })),
              }
            : {}),
        };
      }),
  }));
  for (const c of a.scaling) {
    runtimes[c.stack] ??= c.runtime;
    colors[c.stack] ??= colorOf(c.stack, c.runtime);
  }
  const crossover = a.crossover.map((x): CrossoverChart => {
    const node = new Map<string, CrossoverChart['series'][number]>();
    // A size an implementation failed at has no time to draw (its table says "failed").
    for (const st of x.steps)
      for (const p of st.perImpl) {
        const label = `${p.stack} (${p.impl})`;
        const s = node.get(label) ?? { label, stack: p.stack, points: [] };
        if (p.ms !== null) s.points.push({ x: st.size, y: p.ms });
        node.set(label, s);
      }
    return {
      id: `crossover-${x.family}${x.op ? `-${x.op}` : ''}`,
      title:
        x.family === 'ml'
          ? 'ML inference: time per request by size'
          : `data ${x.op}: time per request by rows`,
      sizeLabel: x.family === 'ml' ? 'MFLOP per request' : 'rows',
      series: [
        ...node.values(),
        {
          label: x.python,
          stack: x.python,
          points: x.steps.flatMap((st) => (st.pythonMs === null ? [] : [{ x: st.size, y: st.pythonMs }])),
        },
      ],
      ...(x.flip ? { flip: x.flip } : {}),
    };
  });
  const verdicts = verdictCharts(a, results.config.sloP99Ms);
  return {
    sloP99Ms: results.config.sloP99Ms,
    colors,
    runtimes,
    workloads,
    overview,
    scaling,
    crossover,
    verdicts,
  };
}
