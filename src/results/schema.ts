// The results file's schema, the one statement of what results.json holds: the types the runner fills
// (types.ts re-exports them), the check `stackbench report` applies to a file before trusting it (every problem
// at once, with its path), and the JSON Schema published in docs/results.schema.json. The analysis is not
// checked: `report` recomputes it from the measured part (the published schema describes its verdicts).
import { z } from 'zod';
import type { LatencySummary as EngineLatency } from '../engine/histogram.js';
import type {
  AgentFigures,
  ErrorKind as EngineErrorKind,
  GeneratorHealth as EngineHealth,
} from '../engine/types.js';
import { ALL_WORKLOAD_IDS } from '../workloads.js';
import { PublishedAnalysis } from './verdict-schema.js';

export const RESULTS_SCHEMA = 'stackbench.results';
export const RESULTS_VERSION = 2;

const count = z.number().int().nonnegative();
const nonneg = z.number().nonnegative();
const ms = z.number().nonnegative().describe('milliseconds');
const stackId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a stack id: letters, digits, ".", "_" or "-"');
const workloadId = z.enum(ALL_WORKLOAD_IDS);
const errorKind = z.enum(['connect', 'reset', 'timeout', 'status', 'malformed']);

export const SuiteName = z.enum(['quick', 'full']);

export const Machine = z.object({
  os: z.string(),
  cpuModel: z.string(),
  cores: count,
  memoryGiB: nonneg,
  node: z.string(),
  python: z.string().optional(),
  postgres: z.string().optional(),
  serverCpus: z.array(count).describe('the server cores (taskset), disjoint from the generator cores'),
  generatorCpus: z.array(count),
  cpuNote: z.string(),
});

/** An agent of the distributed generator that sent this run's loads (`--agents`), as it introduced itself. */
export const AgentHost = z.object({
  index: count.describe('k of P: its share of every load (requests i with i % P == k; chat rooms r % P == k)'),
  agent: z.string().describe('how it was reached: local, netns:NAME, ssh:HOST, tcp:HOST:PORT (a pod: its name)'),
  host: z.string().describe('its host name, as it said'),
  version: z.string().describe('its stackbench version'),
  cpus: z.array(count).describe('the cores it may use on its host'),
});

/** One agent's part in one point: what it sent and recorded, its clock and its own health. */
export const PointAgent = z.object({
  index: count,
  agent: z.string(),
  host: z.string(),
  rttMs: nonneg.nullable().describe('the least round trip of its clock pings before the point'),
  offsetMs: z.number().nullable().describe("its clock minus the coordinator's, known within +- offsetBoundMs"),
  offsetBoundMs: nonneg.nullable(),
  startLateMs: z.number().nullable().describe('how late its traffic began after the shared start; null: never'),
  connections: count.describe('its share of the connections (chat: every client, it opens its rooms\' members)'),
  intended: count.describe('open loop: its requests (messages) intended in the window'),
  sent: count,
  achievedRps: nonneg,
  cpuPercent: nonneg.describe('its process\'s CPU over the window, % of one core'),
  count: count.describe("successful responses (deliveries) it recorded: the point's latency.count is their sum"),
  saturated: z.boolean().describe('this agent limited the figure'),
  reason: z.string(),
  lost: z.string().optional().describe('when and why it was lost: its share is missing (flag generator-lost)'),
});

export const RunConfig = z.object({
  stacks: z.array(stackId),
  workloads: z.array(workloadId),
  durationMs: ms.describe('measured duration of one closed-loop run'),
  warmupMs: ms.describe('longest warm-up of a workload (it ends once throughput is steady)'),
  repetitions: count.describe('runs per headline figure'),
  connections: z.array(count.min(1)).min(1).describe('closed-loop levels; the first is the headline level'),
  sloP99Ms: nonneg.describe('capacity: the highest rate with p99 within this'),
  maxErrorRate: z.number().min(0).max(1).describe('... and an error rate at most this'),
  probeMs: ms.describe('duration of each open-loop probe of the capacity search'),
  instances: z.array(count.min(1)).describe('server core counts measured; a stack turns N cores into workers'),
  scaling: z.lazy(() => ScalingConfig).optional().describe('the horizontal-scaling study, when it ran'),
  sweep: z.lazy(() => SweepConfig).optional().describe('the ML and data size sweep, when it ran'),
  compare: z.lazy(() => CompareConfig).optional().describe('`stackbench compare`: the targets and what was sent'),
  agents: z
    .array(AgentHost)
    .optional()
    .describe("the agents that sent every load (--agents); absent: this host's own generator"),
});

/** unsupported: the stack cannot do the workload by its model (WebSocket on WSGI), itself a finding. */
export const CellStatus = z.enum(['pass', 'fail', 'unavailable', 'unsupported']);

export const StackRecord = z.object({
  id: stackId,
  runtime: z.enum(['node', 'python', 'other']).describe("other: a user's service of another runtime, or not said"),
  framework: z.string(),
  server: z.string(),
  serverClass: z.enum(['event loop', 'event loop x N', 'WSGI sync', 'WSGI gthread', 'WSGI gevent', 'ASGI', 'unknown']),
  model: z.string().describe('the concurrency model, in words'),
  workerRule: z.string().describe('the instance rule, in words'),
  workers: count.describe('instances at the headline (all server cores)'),
  versions: z.record(z.string(), z.string()),
  available: z.boolean(),
  implements: z
    .array(workloadId)
    .optional()
    .describe("a user's stack (config file): the lab workloads it implements; the others are not measured"),
  verification: z
    .partialRecord(workloadId, z.object({ status: CellStatus, reason: z.string().optional(), fix: z.string().optional() }))
    .describe("per workload: only 'pass' workloads are measured"),
  failure: z
    .object({
      reason: z.string(),
      fix: z.string().optional(),
      log: z.array(z.string()),
      workload: workloadId.optional().describe('the workload it crashed during: its figures there are not its own'),
    })
    .optional()
    .describe('set when the stack could not be measured (missing, failed to start, crashed mid-run)'),
});

export const LatencySummary = z.object({
  count,
  minMs: ms,
  meanMs: ms,
  stdevMs: ms,
  maxMs: ms,
  percentilesMs: z.record(z.string().regex(/^\d+(\.\d+)?$/), ms).describe('"99" -> ms'),
});

export const GeneratorHealth = z.object({
  cpuPercent: nonneg.describe('CPU of the generator over the measured window, % of one core'),
  cores: count,
  threads: count,
  intendedRps: nonneg.optional(),
  achievedRps: nonneg,
  lateSends: count,
  unsent: count,
  saturated: z.boolean().describe('the generator, not the server, limited the figure'),
  reason: z.string(),
  queuedSends: count.optional(),
  note: z.string().optional(),
});

export const ServerUsage = z.object({
  cpuSeconds: nonneg.describe("CPU seconds (user + system) of the stack's whole process tree during the point"),
  cpuUsPerRequest: nonneg,
  peakPssMiB: nonneg.describe('peak memory of the whole tree, MiB: PSS (pages shared by workers are split)'),
  processes: count,
});

/**
 * closed: a headline run; probe: a capacity probe of the main run; scaling: any point of the scaling study;
 * sweep: one size of the ML and data sweep.
 */
export const PointKind = z.enum(['closed', 'probe', 'scaling', 'sweep']);

/** A sweep point's size: MFLOP per request (ml) or rows (data), and what computed it. */
export const SweepTag = z.object({
  family: z.enum(['ml', 'data']),
  size: nonneg.describe('ml: MFLOP per request; data: rows'),
  label: z.string().describe('"64x256" (batch x width) or "groupby 200000"'),
  op: z.enum(['groupby', 'join', 'sort']).optional(),
  impl: z.string().describe('loops, arquero, numpy, pandas'),
});

export const Point = z.object({
  stack: stackId,
  workload: workloadId,
  kind: PointKind,
  model: z.enum(['closed', 'open']),
  instances: count.min(1).describe('server cores the stack was given: the N of its instance rule'),
  connections: count,
  rate: nonneg.optional().describe('open model: intended requests (or messages) per second'),
  rep: count,
  durationMs: ms,
  requests: count,
  rps: nonneg.describe('successful responses per second'),
  windowRps: nonneg.describe('successful responses that arrived inside the window, per second (open loop: the delivered rate)'),
  errorRate: z.number().min(0).max(1),
  errors: z.record(errorKind, count),
  latency: LatencySummary,
  histogram: z.string().describe('compressed HdrHistogram (µs), base64, for exact merging'),
  generator: GeneratorHealth,
  server: ServerUsage,
  flags: z.array(z.string()).describe("why this figure must not be read as the server's"),
  sweep: SweepTag.optional(),
  agents: z
    .array(PointAgent)
    .optional()
    .describe('sent by agents (--agents): each one\'s part; the histogram above is theirs merged exactly'),
});

export const Capacity = z.object({
  stack: stackId,
  workload: workloadId,
  instances: count.min(1),
  rps: nonneg.describe('the capacity: what the highest rate that met the SLO achieved; 0 when none did'),
  p99Ms: ms,
  low: nonneg.describe('the bracket: the true capacity lies in [low, high] (low = rps)'),
  high: nonneg
    .nullable()
    .describe('the lowest upper bound a probe set (a missed rate, or the throughput ceiling); null: none found'),
  precision: z.number().positive().describe('the search stops once high / low <= 1 + precision'),
  resolved: z.boolean().describe('the bracket reached the precision'),
  limitedBy: z
    .enum(['slo', 'errors', 'throughput', 'generator', 'max-probes', 'balancer'])
    .describe(
      "what bounds it from above: p99, errors, the throughput ceiling; generator: we could not push harder (a lower bound); max-probes: nothing missed (a lower bound); balancer: the scaling study's balancer ran out of CPU (a lower bound of the replicas' capacity)",
    ),
  probes: z.array(
    z.object({ rate: nonneg, rps: nonneg, p99Ms: ms, errorRate: z.number().min(0).max(1), met: z.boolean() }),
  ),
  deployment: z.lazy(() => Deployment).optional().describe('scaling study only: how the N instances ran'),
});

/** How a scaling study's capacity was deployed (absent on the main run's capacities). */
export const Deployment = z.object({
  form: z.enum(['replicas', 'native']).describe('N replicas behind a balancer, or the stack\'s own N workers'),
  n: count.min(1),
  budget: z.object({
    kind: z.enum(['pinned', 'quota']),
    coresEach: nonneg.describe('cores per replica (native: per unit of N)'),
    periodUs: count.optional().describe('CFS period of a quota'),
    text: z.string().describe('"4 replicas x 0.25 core, CPU quota (20 ms period), 1 physical core"'),
  }),
  balancer: z
    .object({
      kind: z.enum(['haproxy', 'nginx']),
      version: z.string(),
      cpuUsPerRequest: nonneg.describe("the balancer's own CPU per request answered through it"),
      cores: nonneg.optional().describe('the CPU the balancer had (one thread: at most 1 core)'),
      shares: z.array(nonneg).optional().describe("each replica's share of the requests (or connections)"),
    })
    .optional(),
  /** Quota: the share of CFS periods in which the replicas ran out of quota during the search. */
  throttled: z.number().min(0).max(1).optional(),
  /** Chat: rooms span the replicas through the lab's Redis; the cross-replica check's problems (empty: passed). */
  crossReplica: z.array(z.string()).optional(),
});

export const Fault = z.object({
  stack: stackId,
  workload: workloadId,
  n: count.min(2),
  killedAtMs: ms.describe('when one replica was SIGKILLed, from the start of the window'),
  requests: count,
  errors: count,
  errorKinds: z.record(errorKind, count),
  recoveryMs: ms.nullable().describe('from the kill to the last error seen through the balancer; null: errors never stopped'),
  reconnects: count.optional().describe('chat: members dropped with the replica that joined again'),
  drops: count.optional(),
  timeline: z.object({ sliceMs: count.min(1), ok: z.array(count), errors: z.array(count) }),
});

/**
 * One probe of the split-cost study: a fixed open-loop rate offered to N replicas sharing the same cores with no
 * quota (each in an accounting cgroup), the CPU they spent per request counted apart from the balancer's and
 * Redis's. Rounds interleave the N's in a shuffled order and rotate which replicas serve.
 */
export const SplitProbe = z.object({
  stack: stackId,
  workload: workloadId,
  n: count.min(1),
  round: count,
  slice: count.optional().describe('its slice of the interleaved load (older results: a probe of its own)'),
  active: z.array(count).describe('the replicas (by index) the balancer sent to'),
  rate: nonneg.describe('offered: requests/s (chat: messages/s)'),
  units: count.describe('requests answered (chat: deliveries) in the metered window'),
  errors: count,
  p99Ms: ms.optional().describe('the p99 of the answers in the slice (absent: none)'),
  replicasUs: nonneg.describe("the replicas' CPU per request (chat: per delivery), µs"),
  accounting: z.enum(['cgroup', 'proc']).describe("cgroup: each replica's cpuacct usage; proc: 10 ms ticks of its process tree"),
  balancerUs: nonneg.describe("HAProxy's CPU per request, µs"),
  redisUs: nonneg.optional().describe("chat: Redis's CPU per delivery, µs"),
  systemUs: nonneg.describe('all CPU busy on the server cores per request, µs (everything above, the kernel, neighbours)'),
  steal: z.number().min(0).max(1).describe("the server cores' time stolen by the hypervisor, a share of the window"),
  softirq: z.number().min(0).max(1),
  repeated: z.boolean().optional().describe('older results: steal was over 2 %, measured again, the less stolen kept'),
  saturationRps: nonneg.optional().describe('a closed loop at the headline concurrency at this N (its slice of the saturation load)'),
  saturationUs: nonneg.optional().describe("the replicas' CPU per request in that closed loop, µs"),
});

export const ScalingConfig = z.object({
  workloads: z.array(workloadId),
  replicas: z.array(count.min(1)).describe('the N swept'),
  forms: z.array(z.enum(['replicas', 'native'])),
  stacks: z.union([z.literal('leading'), z.literal('all'), z.array(stackId)]),
  budget: z.enum(['pinned', 'quota']),
  coresEach: nonneg,
  periodUs: count.optional(),
  balancer: z.enum(['haproxy', 'nginx']),
  /** The split-cost study: rounds, slice length, the load offered (older results: probes, a share of saturation). */
  split: z
    .object({
      rounds: count.min(1),
      sliceMs: count.min(1).optional().describe('each slice of the interleaved load'),
      maxRounds: count.optional().describe('rounds in all, at most: more loads while a ratio is wider than `within`'),
      within: z.number().positive().optional().describe("the ratios' goal: an interval within ± this share of the value"),
      saturation: z.boolean().optional().describe('a closed loop interleaved the same way, too'),
      busy: z.number().positive().max(1).optional().describe('the rate keeps the server cores this busy with one replica'),
      costMs: count.min(1).optional(),
      saturationMs: count.optional(),
      load: z.number().positive().max(1).optional(),
      text: z.string().describe('how the study ran, in words'),
    })
    .optional(),
  /** Why the study could not run here (no cgroup, no balancer), when it could not. */
  notMeasured: z.string().optional(),
});

export const CompareRequest = z.object({
  name: z.string(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().describe('may hold {name} placeholders, filled from values'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  weight: z.number().positive(),
});

export const CompareConfig = z.object({
  targets: z.array(
    z.object({
      name: stackId,
      url: z.string().optional().describe('a service already running'),
      command: z.string().optional().describe('a service started by stackbench, {port} filled in'),
    }),
  ),
  requests: z.array(CompareRequest).min(1),
  values: z
    .record(z.string(), z.union([z.object({ range: z.tuple([z.number(), z.number()]) }), z.object({ list: z.array(z.string()) })]))
    .optional(),
});

export const SweepConfig = z.object({
  families: z.array(z.enum(['ml', 'data'])),
  ml: z.array(z.object({ batch: count.min(1), width: count.min(1) })).describe('batch x width of each ML size'),
  dataRows: z.array(count.min(1)),
  dataOps: z.array(z.enum(['groupby', 'join', 'sort'])),
  reps: count.min(1).describe('runs per size'),
  /** Why the sweep could not run here, when it could not. */
  notMeasured: z.string().optional(),
});

export const ResultsFile = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  version: z.literal(RESULTS_VERSION),
  tool: z.object({ name: z.literal('stackbench'), version: z.string() }),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  status: z
    .enum(['running', 'complete', 'interrupted', 'failed'])
    .describe('running: being written; interrupted: Ctrl-C, what was measured is kept; failed: a runtime error'),
  suite: SuiteName,
  machine: Machine,
  config: RunConfig,
  stacks: z.array(StackRecord),
  points: z.array(Point).describe('every measured point, in the order measured'),
  capacities: z.array(Capacity).describe('one capacity search per (stack, workload, instances)'),
  analysis: z.unknown().optional().describe('derived from the above by src/analysis; recomputed by `report`'),
  notes: z.array(z.string()),
  faults: z.array(z.lazy(() => Fault)).optional().describe('scaling study: one replica SIGKILLed mid-run'),
  splits: z.array(z.lazy(() => SplitProbe)).optional().describe('scaling study: the split-cost probes, as measured'),
  failures: z
    .array(z.string())
    .describe('runtime failures the run met (a crash, a failed verification, a dead service): run exits 1'),
});

/** Every problem of a parsed file, one line each: "points[3].rps: Too small: expected number to be >=0". */
export function problemsOf(data: unknown): string[] {
  const r = ResultsFile.safeParse(data);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.length ? formatPath(i.path) : '(the file)'}: ${i.message}`);
}

function formatPath(path: PropertyKey[]): string {
  return path
    .map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k ? '.' : ''}${String(p)}`))
    .join('');
}

/** The results file's JSON Schema (docs/results.schema.json is this, written by `npm run schema`). */
export function resultsJsonSchema(): Record<string, unknown> {
  // The analysis is not checked on reading, but what its verdicts hold is published.
  const published = ResultsFile.extend({ analysis: PublishedAnalysis.optional() });
  return z.toJSONSchema(published, { unrepresentable: 'any' }) as Record<string, unknown>;
}

// The engine's types, restated above for the file's check: the compiler holds the two equal, so a field the
// engine adds or renames fails the build here instead of failing `stackbench report` on a new results file.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameLatency: Same<z.infer<typeof LatencySummary>, EngineLatency> = true;
const _sameHealth: Same<z.infer<typeof GeneratorHealth>, EngineHealth> = true;
const _sameErrorKind: Same<z.infer<typeof errorKind>, EngineErrorKind> = true;
const _samePointAgent: Same<z.infer<typeof PointAgent>, Omit<AgentFigures, 'histogram' | 'monoStartMs'>> = true;
