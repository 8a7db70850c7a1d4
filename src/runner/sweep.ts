// ML and data where they live: the time one request takes at sizes from the headline's small batch up to where
// BLAS and columnar libraries pay (ml: an MLP of width W on a batch of B rows, 2·B·(W² + 10W) FLOP; data: a
// group-by, a join and a sort over 10k..1M rows), on the leading Node.js and Python stacks, each runtime
// idiomatically (Node: plain typed-array loops, and arquero for tables; Python: NumPy, pandas). One connection,
// closed loop: the request's own compute, not the server's queueing. The analysis finds the size where the
// answer flips (analysis/crossover.ts).
import { derive, measured } from '../analysis/derive.js';
import type { Results, StackRecord, SweepTag } from '../results/types.js';
import { StackbenchError } from '../errors.js';
import { measurePoint } from './measure.js';
import { stackSubject, type Subject } from './subject.js';
import type { StudyContext } from './suites.js';

export interface MlSize {
  batch: number;
  width: number;
}

export interface SweepOptions {
  /** The families swept: those of ml and data that the run selected. */
  families: Array<'ml' | 'data'>;
  ml: MlSize[];
  dataRows: number[];
  dataOps: Array<'groupby' | 'join' | 'sort'>;
  /** Runs per size (>= 2 for an interval). */
  reps: number;
}

/** The ranges the servers accept (servers/*: /ml/sized, /data/sized); a size outside is bad input. */
export const ML_BATCH = { min: 1, max: 1024 } as const;
export const ML_WIDTH = { min: 8, max: 2048 } as const;
export const DATA_ROWS = { min: 10_000, max: 1_000_000 } as const;

export const mflop = (s: MlSize) => (2 * s.batch * (s.width * s.width + 10 * s.width)) / 1e6;

/** "64x256" -> {batch: 64, width: 256}; a size outside the servers' range is bad input naming the range. */
export function parseMlSize(text: string): MlSize {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  const bad = () =>
    new StackbenchError(
      'SB_BAD_NUMBER',
      [
        '--ml-sizes',
        text,
        `BATCHxWIDTH with batch ${ML_BATCH.min}..${ML_BATCH.max} and width ${ML_WIDTH.min}..${ML_WIDTH.max}`,
      ],
      ['--ml-sizes'],
    );
  if (!m) throw bad();
  const s = { batch: Number(m[1]), width: Number(m[2]) };
  if (s.batch < ML_BATCH.min || s.batch > ML_BATCH.max || s.width < ML_WIDTH.min || s.width > ML_WIDTH.max)
    throw bad();
  return s;
}

export function parseDataRows(text: string): number {
  const n = Number(text.trim().replace(/k$/i, '000').replace(/m$/i, '000000'));
  if (!Number.isInteger(n) || n < DATA_ROWS.min || n > DATA_ROWS.max)
    throw new StackbenchError(
      'SB_BAD_NUMBER',
      ['--data-rows', text, `rows from ${DATA_ROWS.min} to ${DATA_ROWS.max} (10k, 200k, 1m)`],
      ['--data-rows'],
    );
  return n;
}

/** The leading stack of each runtime on a workload in the main run (node-http, fastapi-uvicorn without one). */
function leaders(results: Results, workload: 'ml' | 'data'): StackRecord[] {
  // The reference stacks only: a user's stack implements the headline sizes, not the sweep's /ml/sized.
  const user = new Set(results.stacks.filter((s) => s.implements).map((s) => s.id));
  const figs = measured(derive(results).workloads.find((w) => w.workload === workload)).filter(
    (f) => !user.has(f.stack),
  );
  const best = (rt: 'node' | 'python') =>
    figs.filter((f) => f.runtime === rt).sort((a, b) => (b.rps?.median ?? 0) - (a.rps?.median ?? 0))[0]
      ?.stack;
  const ids = [best('node') ?? 'node-http', best('python') ?? 'fastapi-uvicorn'];
  return ids
    .map((id) => results.stacks.find((s) => s.id === id && s.available && !s.failure))
    .filter((s): s is StackRecord => s !== undefined);
}

/**
 * The time one request takes is the measure (analysis/crossover.ts reads it from the answers' latency): a window
 * holds MIN_ANSWERS answers at least. 600 ms holds hundreds at the small sizes; a slow size is measured again in
 * a window made for it, up to MAX_WINDOW_MS (the engine's request timeout is 10 s). A fixed 600 ms window read
 * pandas' 1 s sort of 1M rows and arquero's 1.8 s as "failed: no answer within 0.6 s".
 */
const WINDOW_MS = 600;
const MAX_WINDOW_MS = 8000;
const MIN_ANSWERS = 2;

/** A window that holds MIN_ANSWERS requests of `ms` each with room to spare, in 100 ms steps. */
export function windowFor(ms: number): number {
  const want = Math.ceil(((MIN_ANSWERS + 0.5) * ms) / 100) * 100;
  return Math.min(MAX_WINDOW_MS, Math.max(WINDOW_MS, want));
}

/** What measuring a size needs of the run. */
type SizeContext = Pick<StudyContext, 'signal' | 'objective' | 'results' | 'onPoint'>;

/** The warm-up's loads, each longer, until every process has answered at the size. */
const WARM_MS = [300, 1200, 4800, 9600];

/**
 * A process builds a size's model or table at its first request there (not the measured work), and a pre-fork
 * server's workers each build their own: one connection per process, until as many answers came back. (One
 * 150 ms call ended before its answer: two of flask-gunicorn's three workers stayed cold at 1M rows, and each
 * measured run that reached one paid the 0.5 s build.) Returns the time of one request as the last load saw it,
 * or undefined.
 */
async function warmSize(
  ctx: SizeContext,
  subject: Subject,
  workload: 'ml' | 'data',
  path: string,
): Promise<number | undefined> {
  const connections = Math.max(1, subject.workers ?? subject.instances);
  for (const [i, durationMs] of WARM_MS.entries()) {
    if (ctx.signal?.aborted || subject.exited()) return undefined;
    // The requests a shorter load left unanswered are still being worked on: queued behind them, the next
    // load's answers would read as 4 s for arquero's 1.9 s sort.
    if (i > 0) await subject.settle();
    // The sized endpoints are GETs (docs/WORKLOADS.md), whatever the headline's method.
    const r = await subject.drive(workload, {
      model: 'closed',
      connections,
      durationMs,
      path,
      method: 'GET',
      signal: ctx.signal,
    });
    // Its fastest answer, shared by the connections that queued for the core: the mean would count the builds.
    if (r.requests >= connections) return r.latency.minMs / connections;
  }
  return undefined;
}

/** One size on one stack: warmed, then `reps` runs in windows that hold its answers (WINDOW_MS). */
export async function measureSize(
  ctx: SizeContext,
  subject: Subject,
  workload: 'ml' | 'data',
  path: string,
  tag: SweepTag,
  reps: number,
): Promise<void> {
  // A slow size starts in a window made for it, rather than in 600 ms and 2.4 s that end before its answers.
  const warm = await warmSize(ctx, subject, workload, path);
  let windowMs = warm ? windowFor(warm) : WINDOW_MS;
  const measure = (rep: number) =>
    measurePoint({
      subject,
      workload,
      kind: 'sweep',
      model: 'closed',
      connections: 1,
      durationMs: windowMs,
      warmupMs: 0,
      rep,
      objective: ctx.objective,
      signal: ctx.signal,
      path,
      method: 'GET',
    });
  for (let rep = 0; rep < reps && !ctx.signal?.aborted && !subject.exited(); rep++) {
    let p = await measure(rep);
    // Too few answers for the window: again in one made for the time they took (four times as long when none
    // came back); the size's later runs start there, and only the last attempt is recorded.
    while (
      p.requests < MIN_ANSWERS &&
      windowMs < MAX_WINDOW_MS &&
      !ctx.signal?.aborted &&
      !subject.exited()
    ) {
      const next = p.latency.count > 0 ? windowFor(p.latency.meanMs) : windowMs * 4;
      windowMs = Math.min(MAX_WINDOW_MS, Math.max(next, windowMs + 100));
      p = await measure(rep);
    }
    await ctx.onPoint({ ...p, sweep: tag });
    // A size the stack fails at is a finding, said; its runs feed no crossover.
    if (p.flags.includes('errors') && rep === 0)
      ctx.results.notes.push(
        `sweep: ${subject.id} at ${tag.label}: ${(p.errorRate * 100).toFixed(1)}% of requests failed (${Object.entries(
          p.errors,
        )
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')})`,
      );
  }
}

export async function runSweep(ctx: StudyContext, opts: SweepOptions): Promise<void> {
  ctx.results.config.sweep = {
    families: opts.families,
    ml: opts.ml,
    dataRows: opts.dataRows,
    dataOps: opts.dataOps,
    reps: opts.reps,
  };
  ctx.save();
  // Stack by stack: a leader of both families is started once for both.
  const todo = opts.families.flatMap((workload) =>
    leaders(ctx.results, workload)
      .filter((rec) => !rec.verification[workload] || rec.verification[workload]!.status === 'pass')
      .map((rec) => ({ workload, rec })),
  );
  for (const rec of [...new Map(todo.map((t) => [t.rec.id, t.rec])).values()]) {
    if (ctx.signal?.aborted) return;
    const started = await ctx.lab.start(rec);
    if (!started.ok) {
      ctx.results.notes.push(`sweep: ${rec.id} did not start: ${started.failure.reason}`);
      continue;
    }
    const subject = stackSubject(started.stack, rec.runtime, ctx.objective.chatGraceMs, ctx.send);
    try {
      for (const t of todo.filter((x) => x.rec.id === rec.id)) {
        if (ctx.signal?.aborted) return;
        if (t.workload === 'ml') await sweepMl(ctx, subject, rec, opts);
        else await sweepData(ctx, subject, rec, opts);
      }
    } finally {
      await started.stack.stop();
    }
    ctx.save();
  }
}

/** ML inference at each size: typed-array loops on Node.js, NumPy on Python. */
async function sweepMl(ctx: StudyContext, subject: Subject, rec: StackRecord, opts: SweepOptions) {
  for (const s of opts.ml) {
    const path = `/ml/sized?batch=${s.batch}&width=${s.width}`;
    const impl = rec.runtime === 'node' ? 'loops' : 'numpy';
    const tag: SweepTag = { family: 'ml', size: mflop(s), label: `${s.batch}x${s.width}`, impl };
    await measureSize(ctx, subject, 'ml', path, tag, opts.reps);
  }
}

/** Each table operation at each size: loops and arquero on Node.js, pandas on Python. */
async function sweepData(ctx: StudyContext, subject: Subject, rec: StackRecord, opts: SweepOptions) {
  const impls = rec.runtime === 'node' ? ['loops', 'arquero'] : ['pandas'];
  for (const op of opts.dataOps)
    for (const impl of impls)
      for (const rows of opts.dataRows) {
        const path = `/data/sized?rows=${rows}&op=${op}${rec.runtime === 'node' ? `&impl=${impl}` : ''}`;
        const tag: SweepTag = { family: 'data', size: rows, label: `${op} ${rows}`, op, impl };
        await measureSize(ctx, subject, 'data', path, tag, opts.reps);
      }
}
