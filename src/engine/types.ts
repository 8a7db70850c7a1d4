// The load engine's public contract: what a caller (the `load` command, the lab's runner) asks for and what
// comes back. Everything the engine measures flows out as one LoadResult.
import type { LatencySummary } from './histogram.js';

/** Keys of the load-model registry (src/engine/models/). */
export type ModelName = 'closed' | 'open';

export interface LoadOptions {
  /** http://host:port/path (or ws://... for the WebSocket engine). */
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  model: ModelName;
  /** closed: concurrent connections; open: connections available to carry the rate. */
  connections: number;
  /** open model only: total requests per second. */
  rate?: number;
  durationMs: number;
  /** Traffic sent before measurement starts; not counted. */
  warmupMs?: number;
  /** Linear ramp of connections (closed) or rate (open) from the start of traffic (inside the warm-up if any). */
  rampMs?: number;
  /** Per-request timeout; a request taking longer counts as a timeout error. Default 10 s. */
  timeoutMs?: number;
  /** Worker threads generating load; default chosen from the cores the generator may use. */
  threads?: number;
  signal?: AbortSignal;
  /** Non-loopback hosts the caller explicitly allowed (--allow-remote); anything else is refused. */
  allowRemote?: string[];
  /** Called about every 500 ms while measuring. */
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  elapsedMs: number;
  durationMs: number;
  phase: 'warmup' | 'measure';
  requests: number;
  errors: number;
  /** Requests per second over the last interval. */
  rps: number;
}

export type ErrorKind = 'connect' | 'reset' | 'timeout' | 'status' | 'malformed';

export interface GeneratorHealth {
  /** CPU used by the generator process over the measured window, in % of one core (can exceed 100). */
  cpuPercent: number;
  /** Cores the generator was allowed to use (its affinity). */
  cores: number;
  threads: number;
  /** open model: intended rate; closed: undefined. */
  intendedRps?: number;
  achievedRps: number;
  /** open model: sends that left more than 1 ms after their intended time. */
  lateSends: number;
  /** open model: intended sends that never left (no free connection before the window closed). */
  unsent: number;
  /** True when the generator, not the server, limited the figure. */
  saturated: boolean;
  /** Why it is saturated, in words; empty when healthy. */
  reason: string;
  /** open model: late sends whose request waited for a busy connection (the server's slowness, not ours). */
  queuedSends?: number;
  /** Context that is not a generator fault, in words (e.g. "the server was slow: ..."); absent when none. */
  note?: string;
}

export interface LoadResult {
  url: string;
  model: ModelName;
  connections: number;
  durationMs: number;
  /** Completed requests in the measured window (any status). */
  requests: number;
  /** 2xx/3xx responses per second over the measured window. */
  rps: number;
  bytesRead: number;
  statusCodes: Record<string, number>;
  errors: Record<ErrorKind, number>;
  /** Successful-response latency; open model: from the intended send time (coordinated omission corrected). */
  latency: LatencySummary;
  /** Compressed base64 HdrHistogram (µs), for exact merging across threads, runs and shards. */
  histogram: string;
  generator: GeneratorHealth;
  /** True when the run was aborted (opts.signal) before the window ended; figures cover what was measured. */
  interrupted?: boolean;
}
