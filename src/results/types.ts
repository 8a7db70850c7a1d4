// The one result type. The runner fills it point by point (and rewrites results.json atomically after each);
// analysis derives comparisons and verdicts from it; every reporter is a pure function of it.
// Schema changes bump RESULTS_VERSION; docs/RESULTS.md documents every field.
import type { ErrorKind, GeneratorHealth, ModelName } from '../engine/types.js';
import type { LatencySummary } from '../engine/histogram.js';
import type { StackFacts, StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';

export const RESULTS_SCHEMA = 'stackbench.results';
export const RESULTS_VERSION = 2;

export type SuiteName = 'quick' | 'full';

export interface Results {
  schema: typeof RESULTS_SCHEMA;
  version: typeof RESULTS_VERSION;
  tool: { name: 'stackbench'; version: string };
  /** ISO times. */
  startedAt: string;
  finishedAt?: string;
  /** running: being written; interrupted: Ctrl-C, what was measured is kept; failed: a runtime error. */
  status: 'running' | 'complete' | 'interrupted' | 'failed';
  suite: SuiteName;
  machine: Machine;
  config: RunConfig;
  stacks: StackRecord[];
  /** Every measured point, in the order measured. */
  points: Point[];
  /** One capacity search per (stack, workload, instances). */
  capacities: Capacity[];
  /** Derived by src/analysis from the above; recomputed by `stackbench report`. */
  analysis?: Analysis;
  /** Things a reader must know (missing Python, generator limits, ...), in words. */
  notes: string[];
}

export interface Machine {
  os: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  python?: string;
  postgres?: string;
  /** Disjoint CPU sets (taskset) for the servers and the load generator. */
  serverCpus: number[];
  generatorCpus: number[];
  cpuNote: string;
}

export interface RunConfig {
  stacks: StackId[];
  workloads: WorkloadId[];
  /** Measured duration of one closed-loop run, and its unmeasured warm-up. */
  durationMs: number;
  warmupMs: number;
  /** Runs per headline figure (>= 3). */
  repetitions: number;
  /** Closed-loop concurrency levels (connections). The first is the headline level. */
  connections: number[];
  /** Capacity: the highest rate with p99 <= sloP99Ms and error rate <= maxErrorRate. */
  sloP99Ms: number;
  maxErrorRate: number;
  /** Duration of each open-loop probe of the capacity search. */
  probeMs: number;
  /** Server core counts measured (scaling: 1..server cores); each stack's rule turns N cores into workers. */
  instances: number[];
}

/** unsupported: the stack cannot do the workload by its model (WebSocket on WSGI), itself a finding. */
export type CellStatus = 'pass' | 'fail' | 'unavailable' | 'unsupported';

/** A stack as this run saw it: its facts (from the registry), how many instances it ran, what was checked. */
export interface StackRecord extends StackFacts {
  /** Instances at the headline (all server cores). */
  workers: number;
  versions: Record<string, string>;
  available: boolean;
  /** Verification per workload: only 'pass' workloads are measured. */
  verification: Partial<Record<WorkloadId, { status: CellStatus; reason?: string; fix?: string }>>;
  /** Set when the stack could not be measured (missing, failed to start, crashed mid-run). */
  failure?: { reason: string; fix?: string; log: string[] };
}

export type PointKind = 'closed' | 'probe';

export interface Point {
  stack: StackId;
  workload: WorkloadId;
  kind: PointKind;
  model: ModelName;
  /** Server cores the stack was given: the N of its instance rule (its worker count is StackRecord.workers). */
  instances: number;
  connections: number;
  /** open model (probes): intended requests per second. */
  rate?: number;
  /** Repetition index (0-based) among points with the same stack/workload/kind/connections/rate/instances. */
  rep: number;
  durationMs: number;
  requests: number;
  /** Successful responses per second. */
  rps: number;
  /** Failed requests / all requests (errors of every kind, non-2xx included). */
  errorRate: number;
  errors: Record<ErrorKind, number>;
  latency: LatencySummary;
  /** Compressed HdrHistogram (µs) for exact merging. */
  histogram: string;
  generator: GeneratorHealth;
  server: ServerUsage;
  /** Why this figure must not be read as the server's: 'generator-saturated', 'few-samples', 'errors', 'interrupted'. */
  flags: string[];
}

export interface ServerUsage {
  /** CPU seconds (user + system) of the stack's whole process tree during the point. */
  cpuSeconds: number;
  /** CPU microseconds per successful request. */
  cpuUsPerRequest: number;
  /**
   * Peak memory of the whole tree, MiB (sampled): PSS, so the pages pre-fork workers share with their master are
   * split among them rather than counted once per process.
   */
  peakPssMiB: number;
  /** Processes in the tree at the end. */
  processes: number;
}

export interface Capacity {
  stack: StackId;
  workload: WorkloadId;
  /** Server cores the stack was given (N), as on Point. */
  instances: number;
  /** Highest probed rate that met the SLO; 0 when none did. */
  rps: number;
  /** p99 at that rate. */
  p99Ms: number;
  /** What stopped the search: 'slo' (p99 over), 'errors', 'generator' (we could not push harder), 'max-probes'. */
  limitedBy: 'slo' | 'errors' | 'generator' | 'max-probes';
  /** The probes, in order: rate, achieved rps, p99, error rate, met. */
  probes: Array<{ rate: number; rps: number; p99Ms: number; errorRate: number; met: boolean }>;
}

// ---- analysis (src/analysis) ----

export interface Estimate {
  /** Median of the runs. */
  median: number;
  /** 95% confidence interval. */
  low: number;
  high: number;
  n: number;
}

export interface Comparison {
  workload: WorkloadId;
  metric: 'rps' | 'capacity';
  /** The faster stack first: a is `ratio` times b. */
  a: StackId;
  b: StackId;
  ratio: Estimate;
  /** The interval includes 1 (or the difference is within the noise floor). */
  tie: boolean;
  text: string;
  /** What qualifies the ratio (a capacity that is only a lower bound, ...). */
  note?: string;
}

export type VerdictValue = 'supported' | 'not supported' | 'depends' | 'not measured';

export interface Verdict {
  claim: string;
  verdict: VerdictValue;
  /** The condition and the figures, in words ("supported against WSGI, not against ASGI: ..."). */
  summary: string;
  evidence: string[];
}

/** Why a stack has figures on a workload, or why not. */
export type RowStatus =
  'measured' | 'unavailable' | 'failed' | 'not verified' | 'not supported' | 'not measured';

/** A capacity known to lie in [low, high]: between the last rate that met the SLO and the first that missed. */
export interface CapacityFigure {
  value: number;
  low: number;
  high: number;
  /** No rate above `value` was seen to fail (the search ran out, or the generator was the limit): a lower bound. */
  open: boolean;
  /** Server cores the stack was given (N). */
  instances: number;
  limitedBy: Capacity['limitedBy'];
  /** p99 at `value`. */
  p99Ms: number;
}

/** One stack on one workload: its headline figures, or the reason it has none. Every reporter reads these. */
export interface StackFigures {
  stack: StackId;
  runtime: StackFacts['runtime'];
  serverClass: StackFacts['serverClass'];
  status: RowStatus;
  /** Not measured: why, and the command that fixes it where there is one. */
  reason?: string;
  fix?: string;
  /** rps of each usable headline run (closed loop at the headline connections, all server cores). */
  runs: number[];
  rps?: Estimate;
  /** p99 of the headline runs' merged histograms (exact). */
  p99Ms?: number;
  /** Latency by percentile of the same merged histograms: [percentile, ms]. */
  spectrum?: Array<[number, number]>;
  /** Median rps at each closed-loop level measured (one entry per level; the full suite has several). */
  levels?: Array<{ connections: number; rps: number }>;
  capacity?: CapacityFigure;
  cpuUsPerRequest?: number;
  peakPssMiB?: number;
  /** Point flags on the headline runs (marks in the tables). */
  flags: string[];
  /** Remarks in words ("excluded 1 interrupted run", "capacity limited by the generator"). */
  notes: string[];
  /** Some headline run was generator-limited: the server's rps is a lower bound. */
  saturated: boolean;
}

export interface WorkloadAnalysis {
  workload: WorkloadId;
  /** Every stack of the run: measured ones first, fastest first; then the others with their reason. */
  stacks: StackFigures[];
  winner?: StackId;
  /** Best Node.js vs best Python (throughput, and capacity when searched), and every stack vs the fastest. */
  comparisons: Comparison[];
  /** Best Node.js against best Python, by throughput and by capacity, where both runtimes have figures. */
  runtimes: { rps?: Comparison; capacity?: Comparison };
}

export interface Analysis {
  workloads: WorkloadAnalysis[];
  verdicts: Verdict[];
  /** The article's question answered for this machine: choose what, when. */
  recommendation: string[];
  /** `stackbench report --against BASELINE`: do this run's headline ratios agree with the baseline's? */
  agreement?: {
    against: string;
    summary: string;
    /** One line per ratio; `agrees: false` is a ratio this run calls noisy. */
    rows: Array<{ text: string; agrees: boolean }>;
  };
}
