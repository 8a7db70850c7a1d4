// A simulated server as a load executor (after hyperfine's mock executor): the same LoadResult shape as a real
// run, computed from a queueing model instead of sockets, deterministic and instant. It lets the runner's warm-up
// and capacity search be tested against a server whose true ceiling is known.
//
// The server completes `capacity` requests per second at most. Closed loop with c connections: throughput
// min(capacity, c / serviceMs), latency by Little's law. Open loop at rate λ below the ceiling μ: an M/M/1-like
// tail, p-th percentile = serviceMs + ln(1 / (1 - p)) / (μ - λ); at or above it the queue grows for the whole
// window, so the tail is the backlog's wait.
import { encodeHistogram, newHistogram, summarize } from './histogram.js';
import { assessHealth } from './health.js';
import { noErrors } from './result.js';
import type { LoadOptions, LoadResult } from './types.js';

export interface SimServer {
  /** Requests per second at saturation: the true ceiling. */
  capacity: number;
  /** Latency of one request alone, ms. */
  serviceMs: number;
  /** Throughput factor of the n-th run (0-based), e.g. a JIT warming up; 1 by default. */
  warm?: (run: number) => number;
  /** The generator cannot send faster than this (its figures are flagged as generator-limited above it). */
  generatorCeiling?: number;
  /** Sent more than `above` x its ceiling, it collapses and delivers only `delivers` x its ceiling. */
  collapse?: { above: number; delivers: number };
}

const SAMPLES = 1000;

export function simulateLoad(
  sim: SimServer,
  opts: Pick<LoadOptions, 'url' | 'model' | 'connections' | 'rate' | 'durationMs'>,
  run = 0,
): LoadResult {
  const mu = sim.capacity * (sim.warm?.(run) ?? 1);
  const seconds = opts.durationMs / 1000;
  const s = sim.serviceMs / 1000;
  const intended = opts.model === 'open' ? (opts.rate ?? 0) : undefined;
  const generatorLimited = sim.generatorCeiling !== undefined && (intended ?? 0) > sim.generatorCeiling;
  const lambda = intended === undefined ? undefined : Math.min(intended, sim.generatorCeiling ?? Infinity);
  // Throughput and the latency at quantile q (seconds).
  let rps: number;
  let at: (q: number) => number;
  if (lambda === undefined) {
    rps = Math.min(mu, opts.connections / s);
    const mean = opts.connections / rps;
    at = (q) => mean * (0.5 + q);
  } else if (lambda < mu) {
    rps = lambda;
    at = (q) => s + Math.log(1 / (1 - q)) / (mu - lambda);
  } else {
    // Overloaded: the backlog grows at (λ - μ) per second; a request waits for what is queued ahead of it.
    rps = sim.collapse && lambda > sim.collapse.above * mu ? sim.collapse.delivers * mu : mu;
    at = (q) => s + (q * seconds * (lambda - mu)) / mu;
  }
  const count = Math.round(rps * seconds);
  const h = newHistogram();
  const n = Math.min(SAMPLES, count);
  for (let i = 0; i < n; i++) {
    const q = (i + 0.5) / n;
    const each = Math.floor(count / n) + (i < count % n ? 1 : 0);
    if (each > 0) h.recordValueWithCount(Math.max(1, Math.round(at(q) * 1e6)), each);
  }
  const result: LoadResult = {
    url: opts.url,
    model: opts.model,
    connections: opts.connections,
    durationMs: opts.durationMs,
    requests: count,
    rps,
    windowRps: rps,
    bytesRead: 0,
    statusCodes: count ? { '200': count } : {},
    errors: noErrors(),
    latency: summarize(h),
    histogram: encodeHistogram(h),
    generator: assessHealth({
      model: opts.model,
      cpuPercent: generatorLimited ? 100 : 20,
      cores: 1,
      threads: 1,
      connections: opts.connections,
      intendedRps: intended,
      achievedRps: lambda === undefined ? rps : lambda,
      pacing: { intended: 0, sent: 0, lateSends: 0, queuedSends: 0, unsent: 0 },
    }),
  };
  h.destroy();
  return result;
}
