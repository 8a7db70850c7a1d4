// Measuring one cell (a subject on a workload), written once for every schedule: a warm-up until steady, the
// headline runs (closed loop; chat holds its clients and sends at a fixed rate), the other concurrency levels,
// and the capacity search under the objective. `run` measures a cell whole; `compare` interleaves the headline
// runs of its targets (A B C, A B C) so a drift of the machine touches each alike.
import { median } from '../analysis/stats.js';
import type { Point } from '../results/types.js';
import { CHAT_RATE, WORKLOADS, type WorkloadId } from '../workloads.js';
import { searchCapacity } from './capacity.js';
import { measurePoint } from './measure.js';
import type { Objective } from './objective.js';
import type { Recorder } from './record.js';
import type { Subject } from './subject.js';
import type { Suite } from './suites.js';
import { warmUntilSteady } from './warmup.js';

export interface CellContext {
  suite: Suite;
  objective: Objective;
  record: Recorder;
  signal?: AbortSignal;
  /** Per subject, workload and connections: the stretch its closed runs needed (see closedRun). */
  stretched?: Map<string, number>;
}

/**
 * Closed runs longer than the suite's, for a cell whose answers take longer than its run: re-warm (the load
 * running, unmeasured) and window, ms. On 300 ms runs fastapi-uvicorn's /data (pandas; ~1 s a request with 64
 * at once on one core) and flask-gevent's /db saw nothing come back and read 0 req/s with every request a
 * timeout, three quick runs in a row: the run's own end, not the server's.
 */
const STRETCH = [{ warmMs: 1000, windowMs: 1000 }] as const;

/** When to stop measuring a subject: an interruption, the subject gone, or what else the schedule says. */
export type Halted = () => boolean;

function pointSpec(ctx: CellContext, subject: Subject, workload: WorkloadId) {
  return {
    subject,
    workload,
    objective: ctx.objective,
    signal: ctx.signal,
    onProgress: (rps: number) =>
      ctx.record.emit({ type: 'load', stack: subject.id, workload, phase: '', rps }),
  };
}

export function warm(ctx: CellContext, subject: Subject, workload: WorkloadId): Promise<number[]> {
  return warmUntilSteady(subject, workload, ctx.suite.connections[0]!, ctx.suite.warmupMs, ctx.signal);
}

/**
 * One closed-loop run (chat: its fixed message rate over held clients) at `connections`, recorded. A run whose
 * window saw answers from fewer than a quarter of its connections ended before most had come back (a server that
 * shares its core among every request in flight answers them all late, together): it is measured again, longer,
 * with the load running first (STRETCH), and the cell's later runs start there. Only the last attempt is
 * recorded. (Two answers a connection as the bar, with a 4 s + 2 s second stretch, made a quick run 4 minutes
 * longer: WSGI workers answer a few requests steadily, and their short runs were already right.)
 */
export async function closedRun(
  ctx: CellContext,
  subject: Subject,
  workload: WorkloadId,
  rep: number,
  connections = ctx.suite.connections[0]!,
): Promise<Point> {
  const chat = WORKLOADS[workload].protocol === 'ws';
  const key = `${subject.id}/${workload}/${connections}`;
  const stretched = (ctx.stretched ??= new Map());
  let level = stretched.get(key) ?? 0;
  for (;;) {
    const s = STRETCH[level - 1];
    const p = await measurePoint({
      ...pointSpec(ctx, subject, workload),
      kind: 'closed',
      model: chat ? 'open' : 'closed',
      rate: chat ? CHAT_RATE : undefined,
      connections,
      durationMs: Math.max(ctx.suite.durationMs, s?.windowMs ?? 0),
      warmupMs: Math.max(ctx.suite.rewarmMs, s?.warmMs ?? 0),
      rep,
    });
    const short = !chat && p.requests < connections / 4 && level < STRETCH.length && !ctx.signal?.aborted;
    if (!short || subject.exited()) {
      stretched.set(key, level);
      await ctx.record.point(p);
      return p;
    }
    level++;
  }
}

/**
 * The capacity search, from the headline runs' median throughput. It stops when `halted` says so (a search of a
 * dead server would probe until its probes ran out); what it found is kept unless `lost` says the cell's figures
 * are void (a service the workload needs died).
 */
export async function capacity(
  ctx: CellContext,
  subject: Subject,
  workload: WorkloadId,
  headlineRps: number[],
  halted: Halted,
  lost: Halted = () => false,
): Promise<void> {
  const cap = await searchCapacity({
    ...pointSpec(ctx, subject, workload),
    durationMs: ctx.suite.probeMs,
    warmupMs: ctx.suite.rewarmMs,
    estimateRps: median(headlineRps) || 100,
    connections: ctx.suite.connections[0]!,
    probes: ctx.suite.probes,
    precision: ctx.suite.precision,
    onPoint: (p) => ctx.record.point(p),
    halted,
  });
  if (!lost()) ctx.record.capacity(cap);
}

export interface CellRules {
  /** Stop measuring: an interruption, the subject gone, a service it needs dead. */
  halted: Halted;
  /** The cell's figures are void (a service the workload needs died): no capacity is kept. */
  lost?: Halted;
  /** Search capacity on this cell (the suite's rule, or compare's choice). */
  search: boolean;
}

/** A whole cell: warm-up, the headline runs, the other levels, then the capacity search. */
export async function measureCell(
  ctx: CellContext,
  subject: Subject,
  workload: WorkloadId,
  { halted, lost, search }: CellRules,
): Promise<void> {
  const [headline, ...levels] = ctx.suite.connections;
  await warm(ctx, subject, workload);
  const rps: number[] = [];
  for (let rep = 0; rep < ctx.suite.repetitions && !halted(); rep++)
    rps.push((await closedRun(ctx, subject, workload, rep, headline)).rps);
  for (const c of levels) {
    if (halted()) return;
    await closedRun(ctx, subject, workload, 0, c);
  }
  if (halted() || !search || ctx.suite.probes === 0) return;
  await capacity(ctx, subject, workload, rps, halted, lost);
}
