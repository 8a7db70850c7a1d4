// The results file's schema, the one statement of what results.json holds: the types the runner fills
// (types.ts re-exports them), the check `stackbench report` applies to a file before trusting it (every problem
// at once, with its path), and the JSON Schema published in docs/results.schema.json. The analysis is not
// checked: `report` recomputes it from the measured part.
import { z } from 'zod';
import { WORKLOAD_IDS } from '../workloads.js';

export const RESULTS_SCHEMA = 'stackbench.results';
export const RESULTS_VERSION = 2;

const count = z.number().int().nonnegative();
const nonneg = z.number().nonnegative();
const ms = z.number().nonnegative().describe('milliseconds');
const stackId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a stack id: letters, digits, ".", "_" or "-"');
const workloadId = z.enum(WORKLOAD_IDS);
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
});

/** unsupported: the stack cannot do the workload by its model (WebSocket on WSGI), itself a finding. */
export const CellStatus = z.enum(['pass', 'fail', 'unavailable', 'unsupported']);

export const StackRecord = z.object({
  id: stackId,
  runtime: z.enum(['node', 'python']),
  framework: z.string(),
  server: z.string(),
  serverClass: z.enum(['event loop', 'event loop x N', 'WSGI sync', 'WSGI gthread', 'WSGI gevent', 'ASGI']),
  model: z.string().describe('the concurrency model, in words'),
  workerRule: z.string().describe('the instance rule, in words'),
  workers: count.describe('instances at the headline (all server cores)'),
  versions: z.record(z.string(), z.string()),
  available: z.boolean(),
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

export const PointKind = z.enum(['closed', 'probe']);

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
    .enum(['slo', 'errors', 'throughput', 'generator', 'max-probes'])
    .describe(
      'what bounds it from above: p99, errors, the throughput ceiling; generator: we could not push harder (a lower bound); max-probes: nothing missed (a lower bound)',
    ),
  probes: z.array(
    z.object({ rate: nonneg, rps: nonneg, p99Ms: ms, errorRate: z.number().min(0).max(1), met: z.boolean() }),
  ),
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
  return z.toJSONSchema(ResultsFile, { unrepresentable: 'any' }) as Record<string, unknown>;
}
