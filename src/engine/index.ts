// The load engine's entry: runLoad(opts) -> LoadResult, whatever the protocol. A ws:// URL goes to the WebSocket
// session (ws/); an http:// URL is split into shards (one per thread; with one thread the shard runs on this
// event loop, which measured fastest on one core). Either way the generator's own CPU is measured over the
// measured window, histograms merge exactly, and one set of rules (health.ts) judges the generator's health.
// An HTTP run's requests (one, or a weighted mix) are serialized into a pool before it starts (mix.ts, pool.ts);
// every shard sends from that same pool, shared with worker threads without a copy.
import { mergeTimelines } from './timeline.js';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { StackbenchError } from '../errors.js';
import { mergeBreakdowns, type ShardBreakdown } from './breakdown.js';
import { mergeEncoded, encodeHistogram, summarize } from './histogram.js';
import { assessHealth } from './health.js';
import { buildPool } from './mix.js';
import type { RequestPool } from './pool.js';
import type { Pacing } from './models/model.js';
import {
  COUNTERS,
  COUNTER_ERRORS,
  COUNTER_REQUESTS,
  Shard,
  monoMs,
  type ShardOptions,
  type ShardResult,
} from './shard.js';
import { noErrors } from './result.js';
import { parseTarget, resolveTarget, type Target } from './target.js';
import type { ErrorKind, LoadOptions, LoadPart, LoadResult } from './types.js';
import { runWs } from './ws/index.js';

export { checkMix } from './mix.js';
export { modelNames } from './models/index.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const PROGRESS_MS = 500;

/** Threads when the caller does not say: one event loop per core the generator may use. */
export function defaultThreads(cores: number, connections: number): number {
  return Math.max(1, Math.min(cores, connections));
}

/**
 * Run a load and measure it. `part` is for the distributed generator (src/dist): one agent's segment of the
 * schedule and the shared start; without it the load is the whole schedule, started at once.
 */
export async function runLoad(opts: LoadOptions, given: LoadPart = {}): Promise<LoadResult> {
  const part: LoadPart = opts.onBegin
    ? {
        ...given,
        onBegin: (lateMs) => {
          given.onBegin?.(lateMs);
          opts.onBegin!();
        },
      }
    : given;
  const target = parseTarget(opts.url, ['http:', 'ws:']);
  if (target.protocol === 'ws:' && (opts.requests !== undefined || opts.values !== undefined))
    throw new StackbenchError(
      'SB_BAD_MIX',
      ['a request mix is for http:// URLs'],
      ['drop requests/values for ws://'],
    );
  // Every address the host resolves to is checked before any connection; we connect to the one checked.
  const address = await resolveTarget(target, opts.allowRemote);
  if (target.protocol === 'ws:') return runWs(opts, address, part);
  return runHttp(opts, target, address, part);
}

async function runHttp(
  opts: LoadOptions,
  target: Target,
  address: string,
  part: LoadPart,
): Promise<LoadResult> {
  const pool = buildPool(target, opts);
  const cores = availableParallelism();
  const connections = Math.max(1, Math.floor(opts.connections));
  const threads = Math.max(1, Math.min(opts.threads ?? defaultThreads(cores, connections), connections));
  const rate = opts.model === 'open' ? (opts.rate ?? 0) : 0;
  if (opts.model === 'open' && !(rate > 0)) throw new Error('open model needs a rate above 0');
  const seg = part.segment ?? { index: 0, count: 1 };

  const shardOpts: ShardOptions[] = [];
  for (let t = 0; t < threads; t++) {
    // Connections as evenly as possible; the schedule striped: thread t of agent k sends lane t x P + k of
    // P x T lanes, so each thread's requests interleave with every other sender's (models/schedule.ts).
    const c = Math.floor(connections / threads) + (t < connections % threads ? 1 : 0);
    const lane = t * seg.count + seg.index;
    const lanes = threads * seg.count;
    shardOpts.push({
      host: address,
      port: target.port,
      pool,
      // Each lane starts its own part of the send order.
      cursor: Math.floor((lane * pool.order.length) / lanes),
      model: opts.model,
      connections: c,
      rate,
      lane,
      lanes,
      durationMs: opts.durationMs,
      warmupMs: opts.warmupMs ?? 0,
      rampMs: opts.rampMs ?? 0,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      timelineMs: opts.timelineMs ?? 0,
    });
  }

  const counters = new Float64Array(new SharedArrayBuffer(threads * COUNTERS * 8));
  const cpu = new CpuWindow(threads);
  const began = new Began(threads, part.onBegin);
  const runs = shardOpts.map((so, t) => {
    const view = counters.subarray(t * COUNTERS, (t + 1) * COUNTERS);
    return threads === 1 ? runHere(so, view, cpu, began) : runInWorker(so, view, cpu, began);
  });
  const onAbort = () => runs.forEach((r) => r.abort());
  const progress = startProgress(opts, counters, threads);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let results: ShardResult[];
  try {
    // One start for every thread, once all are ready (a worker takes some ms to boot): their lanes interleave.
    await Promise.all(runs.map((r) => r.ready));
    const given = typeof part.startAt === 'function' ? await part.startAt() : part.startAt;
    const startAt = Math.max(given ?? 0, threads > 1 ? monoMs() + 2 : monoMs());
    for (const r of runs) r.start(startAt);
    if (opts.signal?.aborted) onAbort();
    results = await Promise.all(runs.map((r) => r.result));
  } finally {
    progress.stop();
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return combine(opts, pool, connections, threads, cores, rate / seg.count, results, cpu.percent());
}

/** Reports when traffic began: once, when the last thread has begun, with the latest thread's lateness. */
class Began {
  private left: number;
  private lateMs = 0;
  constructor(
    threads: number,
    private readonly report: ((lateMs: number) => void) | undefined,
  ) {
    this.left = threads;
  }
  one(lateMs: number): void {
    this.lateMs = Math.max(this.lateMs, lateMs);
    if (--this.left === 0) this.report?.(this.lateMs);
  }
}

/** One thread's shard, as the parent drives it: ready to start, started at a shared time, aborted, its result. */
interface ShardRun {
  ready: Promise<void>;
  start(at: number): void;
  abort(): void;
  result: Promise<ShardResult>;
}

/** Process CPU (all threads) between the first shard entering its window and the last leaving it. */
class CpuWindow {
  private started = 0;
  private ended = 0;
  private usage0: NodeJS.CpuUsage | undefined;
  private wall0 = 0;
  private cpuMs = 0;
  private wallMs = 0;
  constructor(private readonly shards: number) {}
  start(): void {
    if (this.started++ === 0) {
      this.usage0 = process.cpuUsage();
      this.wall0 = performance.now();
    }
  }
  end(): void {
    if (++this.ended !== this.shards || !this.usage0) return;
    const u = process.cpuUsage(this.usage0);
    this.cpuMs = (u.user + u.system) / 1000;
    this.wallMs = performance.now() - this.wall0;
  }
  percent(): number {
    return this.wallMs > 0 ? (100 * this.cpuMs) / this.wallMs : 0;
  }
}

function runHere(so: ShardOptions, counters: Float64Array, cpu: CpuWindow, began: Began): ShardRun {
  const shard = new Shard(so, counters, {
    onMeasureStart: () => cpu.start(),
    onMeasureEnd: () => cpu.end(),
    onBegin: (lateMs) => began.one(lateMs),
  });
  let start: (at: number) => void = () => {};
  const result = new Promise<ShardResult>((resolve) => {
    start = (at) => resolve(shard.run(at));
  });
  return { ready: Promise.resolve(), start, abort: () => shard.abort(), result };
}

function runInWorker(so: ShardOptions, counters: Float64Array, cpu: CpuWindow, began: Began): ShardRun {
  const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: { opts: so, counters } });
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const result = new Promise<ShardResult>((resolve, reject) => {
    let out: ShardResult | undefined;
    w.on('message', (m: { type: string; result?: ShardResult; lateMs?: number }) => {
      if (m.type === 'ready') onReady();
      else if (m.type === 'begin') began.one(m.lateMs ?? 0);
      else if (m.type === 'start') cpu.start();
      else if (m.type === 'end') cpu.end();
      else if (m.type === 'result') out = m.result;
    });
    w.on('error', reject);
    w.on('exit', (code) => {
      onReady();
      if (out) resolve(out);
      else reject(new Error(`load worker exited (code ${code}) without a result`));
    });
  });
  return {
    ready,
    start: (at) => w.postMessage({ start: at }),
    abort: () => w.postMessage('abort'),
    result,
  };
}

function startProgress(opts: LoadOptions, counters: Float64Array, threads: number) {
  if (!opts.onProgress) return { stop() {} };
  const t0 = performance.now();
  const warmup = opts.warmupMs ?? 0;
  let last = 0;
  let lastAt = t0;
  const timer = setInterval(() => {
    const now = performance.now();
    let requests = 0;
    let errors = 0;
    for (let t = 0; t < threads; t++) {
      requests += counters[t * COUNTERS + COUNTER_REQUESTS]!;
      errors += counters[t * COUNTERS + COUNTER_ERRORS]!;
    }
    const elapsed = now - t0;
    const phase = elapsed < warmup ? 'warmup' : 'measure';
    opts.onProgress!({
      elapsedMs: Math.max(0, elapsed - warmup),
      durationMs: opts.durationMs,
      phase,
      requests,
      errors,
      rps: ((requests - last) * 1000) / (now - lastAt),
    });
    last = requests;
    lastAt = now;
  }, PROGRESS_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function combine(
  opts: LoadOptions,
  pool: RequestPool,
  connections: number,
  threads: number,
  cores: number,
  rate: number,
  results: ShardResult[],
  cpuPercent: number,
): LoadResult {
  const errors = noErrors();
  const statusCodes: Record<string, number> = {};
  const pacing: Pacing = { intended: 0, sent: 0, lateSends: 0, queuedSends: 0, unsent: 0 };
  const total = (key: 'requests' | 'ok' | 'okInWindow' | 'bytesRead') =>
    results.reduce((a, r) => a + r[key], 0);
  const requests = total('requests');
  const ok = total('ok');
  const okInWindow = total('okInWindow');
  const measuredMs = Math.max(0, ...results.map((r) => r.measuredMs));
  for (const r of results) {
    for (const k of Object.keys(errors) as ErrorKind[]) errors[k] += r.errors[k];
    for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
    for (const k of Object.keys(pacing) as Array<keyof Pacing>) pacing[k] += r.pacing[k];
  }
  const hist = mergeEncoded(results.map((r) => r.histogram));
  const seconds = measuredMs / 1000;
  const result: LoadResult = {
    url: opts.url,
    model: opts.model,
    connections,
    durationMs: Math.round(measuredMs),
    requests,
    rps: seconds > 0 ? ok / seconds : 0,
    windowRps: seconds > 0 ? okInWindow / seconds : 0,
    bytesRead: total('bytesRead'),
    statusCodes,
    errors,
    latency: summarize(hist),
    histogram: encodeHistogram(hist),
    generator: assessHealth({
      model: opts.model,
      cpuPercent,
      cores,
      threads,
      connections,
      intendedRps: opts.model === 'open' ? rate : undefined,
      achievedRps: seconds > 0 ? requests / seconds : 0,
      pacing,
    }),
  };
  hist.destroy();
  if (opts.model === 'open') result.pacing = pacing;
  if (results.some((r) => r.interrupted)) result.interrupted = true;
  if (opts.timelineMs)
    result.timeline = mergeTimelines(
      opts.timelineMs,
      results.map((r) => r.timeline),
    );
  if (pool.names.length > 1) {
    const parts = results.map((r) => r.perRequest).filter((p): p is ShardBreakdown => p !== undefined);
    result.perRequest = mergeBreakdowns(pool.names, parts);
  }
  return result;
}
