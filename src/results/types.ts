// The one result type. The runner fills it point by point (and rewrites results.json atomically after each);
// analysis derives comparisons and verdicts from it; every reporter is a pure function of it. What the file
// holds is stated once, in schema.ts (zod): the types of its measured part are inferred from there; the analysis
// types below are derived output. Schema changes bump RESULTS_VERSION; docs/RESULTS.md documents every field.
import type { z } from 'zod';
import type { StackFacts, StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import type * as S from './schema.js';
import type * as V from './verdict-schema.js';

export { RESULTS_SCHEMA, RESULTS_VERSION } from './schema.js';

export type SuiteName = z.infer<typeof S.SuiteName>;
export type Machine = z.infer<typeof S.Machine>;
export type RunConfig = z.infer<typeof S.RunConfig>;
/** unsupported: the stack cannot do the workload by its model (WebSocket on WSGI), itself a finding. */
export type CellStatus = z.infer<typeof S.CellStatus>;
/** A stack as this run saw it: its facts (from the registry), how many instances it ran, what was checked. */
export type StackRecord = z.infer<typeof S.StackRecord> & StackFacts;
export type PointKind = z.infer<typeof S.PointKind>;
export type Point = z.infer<typeof S.Point>;
export type SweepTag = z.infer<typeof S.SweepTag>;
export type ServerUsage = z.infer<typeof S.ServerUsage>;
export type Capacity = z.infer<typeof S.Capacity>;
export type DeploymentRecord = z.infer<typeof S.Deployment>;
export type Fault = z.infer<typeof S.Fault>;
export type SplitProbe = z.infer<typeof S.SplitProbe>;
export type ScalingConfig = z.infer<typeof S.ScalingConfig>;
export type CompareConfig = z.infer<typeof S.CompareConfig>;
export type CompareRequest = z.infer<typeof S.CompareRequest>;
export type AgentHost = z.infer<typeof S.AgentHost>;
export type PointAgent = z.infer<typeof S.PointAgent>;

export type Results = Omit<z.infer<typeof S.ResultsFile>, 'analysis'> & {
  /** Derived by src/analysis from the measured part; recomputed by `stackbench report`. */
  analysis?: Analysis;
};

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
  /** Neither a win nor a tie can be claimed: a bound against a bound, or brackets too wide (capacity only). */
  undecided?: boolean;
  text: string;
  /** What qualifies the ratio (a capacity that is only a lower bound, ...). */
  note?: string;
}

/** undecided: measured, but the figures cannot decide it (a bound against a bound, overlapping brackets). */
export type VerdictValue = z.infer<typeof V.VerdictValue>;
/** A verdict: its headline (one line, the decisive figure as data), its matchups as rows, summary, evidence. */
export type Verdict = z.infer<typeof V.Verdict>;
export type Headline = z.infer<typeof V.Headline>;
export type HeadlineFigure = z.infer<typeof V.HeadlineFigure>;
export type VerdictRow = z.infer<typeof V.VerdictRow>;
export type Span = z.infer<typeof V.Span>;

/** Why a stack has figures on a workload, or why not. */
export type RowStatus =
  'measured' | 'unavailable' | 'failed' | 'not verified' | 'not supported' | 'not measured';

/** A capacity known to lie in [low, high]: between what the highest met rate achieved and the lowest upper bound. */
export interface CapacityFigure {
  value: number;
  low: number;
  /** null: no upper bound was found (the search never missed, or the generator was the limit): a lower bound. */
  high: number | null;
  /** The bracket reached the search's precision. */
  resolved: boolean;
  precision: number;
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

// ---- the scaling study (src/analysis/scaling.ts) ----

export interface UslFit {
  sigma: number;
  kappa: number;
  /** Where capacity would peak (κ > 0); null when it keeps growing (κ = 0). */
  peakN: number | null;
  /** Share of the variance of C(N) the curve explains; null when the fit has no degrees of freedom left. */
  r2: number | null;
  /** The fit's quality in words. */
  note: string;
}

export interface ScalingStep {
  n: number;
  value: number;
  low: number;
  /** null: no ceiling was found (a lower bound). */
  high: number | null;
  resolved: boolean;
  budget: string;
  /** Each replica's share of the requests (replicas form, HAProxy). */
  shares?: number[];
  balancerUsPerRequest?: number;
  /** Share of CFS periods the replicas were throttled in (quota budgets). */
  throttled?: number;
}

export interface Efficiency {
  n: number;
  /** E(N) from the figures, and the interval the brackets and the between-run noise allow. */
  value: number;
  low: number;
  /** null when a bound leaves it open (JSON has no Infinity). */
  high: number | null;
}

export interface ScalingCurve {
  stack: StackId;
  runtime: StackFacts['runtime'];
  serverClass: StackFacts['serverClass'];
  workload: WorkloadId;
  form: 'replicas' | 'native';
  steps: ScalingStep[];
  efficiency: Efficiency[];
  usl?: UslFit;
}

/** A figure with its 95 % interval, both ends finite: a mean over rounds, or a ratio of them. */
export interface Interval {
  value: number;
  low: number;
  high: number;
}

/** The split-cost study at one N (src/analysis/split.ts): medians over rounds, ratios paired by round. */
export interface SplitStep {
  n: number;
  rounds: number;
  /** The replicas' CPU per request (chat: per delivery), µs: the median over rounds. */
  usPerRequest: number;
  balancerUs: number;
  redisUs?: number;
  systemUs: number;
  p99Ms: number;
  /** CPU per request at N over at 1, paired by round (1 at N = 1). */
  ratio: Interval;
  /** 1 / ratio: the share of one replica's efficiency N replicas keep; 100 % is free splitting. */
  efficiency: Efficiency;
  /** Closed-loop throughput at N over at 1 on the same cores (where measured). */
  saturation?: Interval;
  /** Probes whose steal stayed over 2 % after the repeat. */
  stolen: number;
  /** Model, not measured: N real cores at one replica's whole-core capacity x efficiency. */
  modelRps?: number;
}

export interface SplitCurve {
  stack: StackId;
  runtime: StackFacts['runtime'];
  serverClass: StackFacts['serverClass'];
  workload: WorkloadId;
  /** How the probes ran, in words. */
  form: string;
  /** One replica's capacity on a whole server core (the main run's), the model's C(1). */
  wholeCoreRps?: number;
  steps: SplitStep[];
}

// ---- the ML and data sweep (src/analysis/crossover.ts) ----

export interface CrossoverStep {
  /** Work per request: MFLOP (ml) or rows (data). */
  size: number;
  label: string;
  /**
   * Median time per request on one connection, leading Python stack and fastest Node.js implementation; null:
   * that side failed at this size (`failed`).
   */
  pythonMs: number | null;
  nodeMs: number | null;
  nodeImpl: string;
  /** Python's speed over that Node.js implementation (above 1: Python is faster), with its interval; null: a side failed. */
  ratio: Estimate | null;
  /**
   * Who is ahead at this size (a side that failed here loses it); tie: alike within a narrow interval;
   * undecided: an interval that contains 1 but is too wide for a tie.
   */
  outcome: 'node' | 'python' | 'tie' | 'undecided';
  /** A side every run of which failed at this size (its requests errored or got no answer), and why, in words. */
  failed?: { side: 'node' | 'python'; why: string };
  /** Each Node.js implementation's time; null: it failed at this size. */
  perImpl: Array<{ stack: StackId; impl: string; ms: number | null }>;
}

export interface Crossover {
  family: 'ml' | 'data';
  op?: string;
  node: string;
  python: StackId;
  steps: CrossoverStep[];
  /** Python wins at every size from `below` up; `above` is the last size where it did not. */
  flip?: { above: number; below: number };
  text: string;
}

export interface Analysis {
  workloads: WorkloadAnalysis[];
  verdicts: Verdict[];
  /** The article's question answered for this machine: choose what, when. */
  recommendation: string[];
  /** The horizontal-scaling study, one curve per stack, workload and form. */
  scaling: ScalingCurve[];
  /** The split-cost study: CPU per request of N replicas against one, per stack and workload. */
  split: SplitCurve[];
  /** Where NumPy and pandas overtake Node.js, per family (and op), from the size sweep. */
  crossover: Crossover[];
  /** `--against BASELINE`: every headline figure and ratio of this run tested against the baseline's. */
  agreement?: {
    against: string;
    summary: string;
    /** agrees / noisy (a ratio outside the two-sample interval) / slower (a regression) / faster / bounds / missing. */
    rows: Array<{
      kind: 'ratio' | 'figure';
      verdict: 'agrees' | 'noisy' | 'faster' | 'slower' | 'bounds' | 'missing';
      text: string;
    }>;
  };
}
