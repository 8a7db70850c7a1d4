// Suites: how long and how often each figure is measured. quick answers the article in minutes on a laptop;
// full follows TechEmpower's concurrency levels and searches capacity finely.
import { StackbenchError } from '../errors.js';
import type { LabRun } from '../lab/session.js';
import type { Point, Results, SuiteName } from '../results/types.js';
import type { WorkloadId } from '../workloads.js';
import type { Send } from './generator.js';
import type { SplitSettings } from './split.js';
import type { Objective } from './objective.js';
import type { SweepOptions } from './sweep.js';

/** What the main run hands a study that follows it (the sweep, the scaling study). */
export interface StudyContext {
  lab: LabRun;
  suite: Suite;
  objective: Objective;
  signal?: AbortSignal;
  results: Results;
  save: () => void;
  onPoint: (p: Point) => Promise<void>;
  /** The run's generator (the sweep sends through it; this host's engine unless --agents). */
  send?: Send;
  /** Say which step begins (the progress line): a study of minutes is not silent. */
  step?: (stack: string, note: string) => void;
}

/** The capacity objective unless the user says otherwise: p99 within 100 ms, at most 0.1 % errors. */
export const DEFAULT_SLO_MS = 100;
export const DEFAULT_MAX_ERROR_RATE = 0.001;

/**
 * The CFS period of the replicas' CPU quotas. Not the kernel's (and Kubernetes') 100 ms: there a quarter-core
 * replica that spends its quota early waits up to 75 ms, which alone uses most of a 100 ms SLO, and a 1 s
 * window gains or loses up to a tenth of its CPU at its edges; 20 ms keeps both small (bench/cpu-quota.ts,
 * docs/BENCHMARKS.md). A replica's tail still includes its throttling, as it does in production; --cfs-period
 * sets 100 ms to see it at production's default.
 */
export const DEFAULT_CFS_PERIOD_US = 20_000;

/** What the scaling study sweeps in a suite (run --scaling on). */
export interface ScalingDefaults {
  workloads: WorkloadId[];
  replicas: number[];
  forms: Array<'replicas' | 'native'>;
  stacks: 'leading' | 'all';
  faults: WorkloadId[];
  /** What splitting costs (runner/split.ts): the study's figure for the claim. */
  split: SplitSettings;
  /** Capacity at each N under CPU quotas too (the older, noisier form: see docs/ARCHITECTURE.md). */
  capacity: boolean;
}

export interface Suite {
  name: SuiteName;
  /**
   * The reference stacks measured unless --stacks names them: every one, or the leading stack of each server
   * class per runtime (registry `leads`), which every verdict compares, at two thirds of the time.
   */
  stacks: 'all' | 'leaders';
  /** Longest warm-up of a workload (it ends earlier once throughput stops climbing: src/runner/warmup.ts). */
  warmupMs: number;
  /** Warm-up before every later point of the same workload (new connections, not a cold server). */
  rewarmMs: number;
  durationMs: number;
  repetitions: number;
  /** Closed-loop levels; the first is the headline level (measured `repetitions` times, others once). */
  connections: number[];
  /** Search capacity on every workload, or only where the claim is about concurrency (WorkloadDef). */
  searchAll: boolean;
  /** Open-loop probes of the capacity search (at most), and their duration. */
  probes: number;
  probeMs: number;
  /** The capacity search narrows its bracket until high / low <= 1 + precision. */
  precision: number;
  /**
   * Probe duration in the scaling study: longer, because a replica under a CPU quota gets its CPU in bursts, one
   * per CFS period, and a window must span many periods for a burst at its edges not to count.
   */
  scalingProbeMs: number;
  scaling: ScalingDefaults;
  /** The ML and data sweep (run --sweep on), on the families the run selects. */
  sweep: Omit<SweepOptions, 'families'>;
}

export const SUITES: Record<SuiteName, Suite> = {
  // About 4.5 s per stack x workload: 54 cells in about 4.5 minutes on 2 cores (short runs: --suite full for
  // precision). Each figure below was a price paid for the 8-minute quick run (docs/BENCHMARKS.md).
  quick: {
    name: 'quick',
    stacks: 'leaders',
    // Most cells settle within 3-5 chunks of 200 ms; on a noisy 2-core VM some never read steady and ran to
    // the cap: 0.8 s (at 2 s, 4 of 9 cells of a stack ran to it; --suite full: 10 s).
    warmupMs: 800,
    rewarmMs: 50,
    // 300 ms runs: ~1,000-5,000 answers each on this machine, the median of 3 for the headline.
    durationMs: 300,
    repetitions: 3,
    connections: [64],
    searchAll: false,
    // Most searches settle in 4-6 probes; a server that collapses far past its ceiling can take 9 or 10, since
    // its delivery under overload only steers (runner/capacity.ts).
    probes: 10,
    // 300 ms probes: ~100 answers at the slowest stacks' capacities here, so a probe's p99 is its 2nd-highest
    // latency at worst; --suite full probes 3 s.
    probeMs: 300,
    // Brackets within 15 % (a probe fewer than 10 % on most searches); --suite full narrows them to 5 %.
    precision: 0.15,
    scalingProbeMs: 1000,
    // The article's claim, at the least cost: the leading stack of each runtime, on a request, a wait and chat.
    scaling: {
      workloads: ['json', 'io', 'chat'],
      replicas: [1, 2, 4],
      forms: ['replicas'],
      stacks: 'leading',
      faults: ['chat'],
      // 10 rounds of 400 ms slices: 12 s of load per stack and workload, the N's taking turns; a round's log
      // ratio spreads 0.1-0.2 here, so a ratio's interval is about ±7-15 %. With the main run, that is all the
      // 8 minutes allow; alone (--scaling only), 10 rounds more where a ratio is wider than ±10 % (api/run.ts).
      // --suite full: 24 rounds of 500 ms (up to 48, to ±6 %), and a saturation load too (docs/BENCHMARKS.md).
      split: { rounds: 10, maxRounds: 10, within: 0.1, sliceMs: 400, saturation: false, busy: 0.5 },
      capacity: false,
    },
    // From the headline's size to where BLAS and columnar code pay: 0.13, 8.7 and 537 MFLOP; 10k to 1M rows.
    sweep: {
      ml: [
        { batch: 16, width: 64 },
        { batch: 64, width: 256 },
        { batch: 256, width: 1024 },
      ],
      dataRows: [10_000, 200_000, 1_000_000],
      dataOps: ['groupby', 'sort'],
      reps: 2,
    },
  },
  full: {
    name: 'full',
    stacks: 'all',
    warmupMs: 10000,
    rewarmMs: 500,
    durationMs: 5000,
    repetitions: 5,
    connections: [64, 16, 32, 128, 256, 512],
    searchAll: true,
    probes: 12,
    probeMs: 3000,
    precision: 0.05,
    scalingProbeMs: 3000,
    scaling: {
      workloads: ['json', 'io', 'db', 'chat'],
      replicas: [1, 2, 4],
      forms: ['replicas', 'native'],
      stacks: 'all',
      faults: ['json', 'chat'],
      split: { rounds: 24, maxRounds: 48, within: 0.06, sliceMs: 500, saturation: true, busy: 0.5 },
      capacity: true,
    },
    sweep: {
      ml: [
        { batch: 16, width: 64 },
        { batch: 64, width: 128 },
        { batch: 64, width: 256 },
        { batch: 128, width: 512 },
        { batch: 256, width: 1024 },
      ],
      dataRows: [10_000, 50_000, 200_000, 1_000_000],
      dataOps: ['groupby', 'join', 'sort'],
      reps: 3,
    },
  },
};

export function suiteByName(name: string): Suite {
  if (name !== 'quick' && name !== 'full') throw new StackbenchError('SB_UNKNOWN_SUITE', [name]);
  return SUITES[name];
}
