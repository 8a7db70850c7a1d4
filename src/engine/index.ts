// The load engine's entry: runLoad(opts) -> LoadResult, whatever the protocol. A ws:// URL goes to the WebSocket
// session (ws/); an http:// URL is split into shards (one per thread; with one thread the shard runs on this
// event loop, which measured fastest on one core). Either way the generator's own CPU is measured over the
// measured window, histograms merge exactly, and one set of rules (health.ts) judges the generator's health.
// An HTTP run's requests (one, or a weighted mix) are serialized into a pool before it starts (mix.ts, pool.ts);
// every shard sends from that same pool, shared with worker threads without a copy.
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
  type ShardOptions,
  type ShardResult,
} from './shard.js';
import { noErrors } from './result.js';
import { parseTarget, resolveTarget, type Target } from './target.js';
import type { ErrorKind, LoadOptions, LoadResult } from './types.js';
import { runWs } from './ws/index.js';

export type {
  LoadOptions,
  LoadResult,
  LoadProgress,
  GeneratorHealth,
  ErrorKind,
  ModelName,
  WsOptions,
  WsCounts,
  HttpMethod,
  RequestTemplate,
  ValueSource,
  RequestFigures,
} from './types.js';
export { checkMix } from './mix.js';
export { modelNames } from './models/index.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const PROGRESS_MS = 500;

/** Threads when the caller does not say: one event loop per core the generator may use. */
export function defaultThreads(cores: number, connections: number): number {
  return Math.max(1, Math.min(cores, connections));
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const target = parseTarget(opts.url, ['http:', 'ws:']);
  if (target.protocol === 'ws:' && (opts.requests !== undefined || opts.values !== undefined))
    throw new StackbenchError(
      'SB_BAD_MIX',
      ['a request mix is for http:// URLs'],
      ['drop requests/values for ws://'],
    );
  // Every address the host resolves to is checked before any connection; we connect to the one checked.
  const address = await resolveTarget(target, opts.allowRemote);
  if (target.protocol === 'ws:') return runWs(opts, address);
  return runHttp(opts, target, address);
}

async function runHttp(opts: LoadOptions, target: Target, address: string): Promise<LoadResult> {
  const pool = buildPool(target, opts);
  const cores = availableParallelism();
  const connections = Math.max(1, Math.floor(opts.connections));
  const threads = Math.max(1, Math.min(opts.threads ?? defaultThreads(cores, connections), connections));
  const rate = opts.model === 'open' ? (opts.rate ?? 0) : 0;
  if (opts.model === 'open' && !(rate > 0)) throw new Error('open model needs a rate above 0');

  const shardOpts: ShardOptions[] = [];
  for (let t = 0; t < threads; t++) {
    // Spread connections as evenly as possible; the rate in proportion to them.
    const c = Math.floor(connections / threads) + (t < connections % threads ? 1 : 0);
    shardOpts.push({
      host: address,
      port: target.port,
      pool,
      // Each shard starts its own part of the send order.
      cursor: Math.floor((t * pool.order.length) / threads),
      model: opts.model,
      connections: c,
      rate: (rate * c) / connections,
      durationMs: opts.durationMs,
      warmupMs: opts.warmupMs ?? 0,
      rampMs: opts.rampMs ?? 0,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      timelineMs: opts.timelineMs ?? 0,
    });
  }

  const counters = new Float64Array(new SharedArrayBuffer(threads * COUNTERS * 8));
  const cpu = new CpuWindow(threads);
  const aborters: Array<() => void> = [];
  const onAbort = () => aborters.forEach((a) => a());
  const progress = startProgress(opts, counters, threads);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let results: ShardResult[];
  try {
    const runs = shardOpts.map((so, t) => {
      const view = counters.subarray(t * COUNTERS, (t + 1) * COUNTERS);
      return threads === 1 ? runHere(so, view, cpu, aborters) : runInWorker(so, view, cpu, aborters);
    });
    if (opts.signal?.aborted) onAbort();
    results = await Promise.all(runs);
  } finally {
    progress.stop();
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return combine(opts, pool, connections, threads, cores, rate, results, cpu.percent());
}

/** The shards' timelines, slice by slice. */
function mergeTimelines(sliceMs: number, results: ShardResult[]): NonNullable<LoadResult['timeline']> {
  const len = Math.max(0, ...results.map((r) => r.timeline?.ok.length ?? 0));
  const sum = (key: 'ok' | 'errors') =>
    Array.from({ length: len }, (_, i) => results.reduce((a, r) => a + (r.timeline?.[key][i] ?? 0), 0));
  return { sliceMs, ok: sum('ok'), errors: sum('errors') };
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

function runHere(so: ShardOptions, counters: Float64Array, cpu: CpuWindow, aborters: Array<() => void>) {
  const shard = new Shard(so, counters, { onMeasureStart: () => cpu.start(), onMeasureEnd: () => cpu.end() });
  aborters.push(() => shard.abort());
  return shard.run();
}

function runInWorker(
  so: ShardOptions,
  counters: Float64Array,
  cpu: CpuWindow,
  aborters: Array<() => void>,
): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: { opts: so, counters } });
    let result: ShardResult | undefined;
    aborters.push(() => w.postMessage('abort'));
    w.on('message', (m: { type: string; result?: ShardResult }) => {
      if (m.type === 'start') cpu.start();
      else if (m.type === 'end') cpu.end();
      else if (m.type === 'result') result = m.result;
    });
    w.on('error', reject);
    w.on('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`load worker exited (code ${code}) without a result`));
    });
  });
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
  let requests = 0;
  let ok = 0;
  let okInWindow = 0;
  let bytesRead = 0;
  let measuredMs = 0;
  let interrupted = false;
  for (const r of results) {
    requests += r.requests;
    ok += r.ok;
    okInWindow += r.okInWindow;
    bytesRead += r.bytesRead;
    measuredMs = Math.max(measuredMs, r.measuredMs);
    interrupted ||= r.interrupted;
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
    bytesRead,
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
  if (interrupted) result.interrupted = true;
  if (opts.timelineMs) result.timeline = mergeTimelines(opts.timelineMs, results);
  if (pool.names.length > 1) {
    const parts = results.map((r) => r.perRequest).filter((p): p is ShardBreakdown => p !== undefined);
    result.perRequest = mergeBreakdowns(pool.names, parts);
  }
  return result;
}
