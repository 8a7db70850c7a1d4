// The load engine's public contract: what a caller (the `load` command, the lab's runner) asks for and what
// comes back. One shape for every protocol: an http:// URL is driven by the HTTP/1.1 shards, a ws:// URL by the
// WebSocket session (open loop: messages per second over held connections, fanned out by rooms). Everything the
// engine measures flows out as one LoadResult, judged by one set of generator-health rules (health.ts).
import type { LatencySummary } from './histogram.js';
import type { Pacing } from './models/model.js';

export type { Pacing } from './models/model.js';

/** Keys of the load-model registry (src/engine/models/). */
export type ModelName = 'closed' | 'open';

/** Methods a request of a mix may use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One request of a mix (the config file's request entry fits as it is). `path` (with its query) and `body` may
 * hold placeholders `{name}`, each filled from LoadOptions.values: in the path percent-encoded as one component
 * ("a b" -> a%20b, "a/b" -> a%2Fb), in the body as it is. The same name in one request gets the same value in
 * its path and its body.
 */
export interface RequestTemplate {
  /** Its name in the breakdown (unique in the mix); default "METHOD path", a repeat numbered " #2". */
  name?: string;
  method: HttpMethod;
  /** Starts with "/"; printable ASCII without spaces (RFC 9112's request line). */
  path: string;
  /** Added to (and overriding, by name) LoadOptions.headers. Sent as given: no placeholders. */
  headers?: Record<string, string>;
  body?: string;
  /** Share of the sends, relative to the other requests' weights (any positive number). Default 1. */
  weight?: number;
}

/** Where a placeholder's values come from: whole numbers from lo to hi inclusive, or one of a list. */
export type ValueSource = { range: [number, number] } | { list: Array<string | number> };

export interface LoadOptions {
  /**
   * http://host:port/path (or ws://... for the WebSocket engine). With `requests`, only the host and port are
   * used: each request of the mix brings its own path, and the URL's path is ignored.
   */
  url: string;
  /** The single request of a run (with the URL's path); not with `requests`. */
  method?: 'GET' | 'POST';
  /** Every request's headers (with `requests`: each request's own headers override these by name). */
  headers?: Record<string, string>;
  /** The single request's body; not with `requests`. */
  body?: string;
  /**
   * HTTP only: a weighted mix of requests instead of the single method/URL path/body (exclusive with
   * `method` and `body`). Every request is serialized before the run, so the mix costs nothing per send.
   */
  requests?: RequestTemplate[];
  /** Values for the placeholders of `requests`, drawn by a seeded generator (the same sequence every run). */
  values?: Record<string, ValueSource>;
  /** Seed of the value draws and of the send order. Default 1. */
  seed?: number;
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
  /**
   * Called once, when traffic starts (the warm-up's first send): the measured window opens `warmupMs` later.
   * What samples the server over that window starts from here, not from the call: a worker thread's boot or
   * an agent's barrier can take longer than a short window.
   */
  onBegin?: () => void;
  /** ws:// only: how the clients are grouped into rooms and what they send. */
  ws?: WsOptions;
  /** Count successes and errors per slice of this many ms of the window (LoadResult.timeline): a fault's shape. */
  timelineMs?: number;
}

/**
 * WebSocket load (a ws:// URL, open model): `connections` clients join rooms, `rate` messages per second in
 * total are sent by the open clients in turn, and every delivery of every message to every member of its room
 * is checked off and timed. `timeoutMs` bounds each handshake.
 */
export interface WsOptions {
  /** Clients are split across this many rooms (client i joins room i % rooms). Default 1. */
  rooms?: number;
  /** Handshakes started per second. Default 1000. */
  connectRate?: number;
  /** Size of each message text, padded up to this many bytes. Default 64. */
  payloadBytes?: number;
  /** The server echoes a message to its sender too (the chat contract). Default true. */
  includeSender?: boolean;
  /** How long deliveries still owed may arrive after the window. Default 2000 ms. */
  graceMs?: number;
  /** A member the server drops joins again (counted in WsCounts.reconnects). Default false. */
  reconnect?: boolean;
  /**
   * Send only in these slices of the measured window (slice k: from k x sliceMs after it opens), at `rate`
   * while on; nothing in the warm-up. Several sessions held open at once take turns this way: the split-cost
   * study's N's, each in its own rooms, interleaved slice by slice.
   */
  slices?: { sliceMs: number; on: number[] };
}

/** What only a WebSocket run counts, beside the common figures (requests = deliveries). */
export interface WsCounts {
  rooms: number;
  connectionsOpened: number;
  /** Handshakes refused, answered with another status, malformed or timed out. */
  connectionsFailed: number;
  /** Time from the first handshake to the last one settled (open or failed). */
  connectMs: number;
  /** Messages sent in the measured window. */
  messagesSent: number;
  /** Sum over measured messages of the members expected to receive each at send time. */
  expectedDeliveries: number;
  deliveries: number;
  /** expectedDeliveries - deliveries (never negative). */
  drops: number;
  /** Deliveries beyond the expected ones (a server sending a message twice). */
  duplicates: number;
  /** Open connections closed by the server or the network, not by the engine. */
  disconnects: number;
  /** Of those, how many joined again (ws.reconnect). */
  reconnects: number;
  /** Messages that were not ours (unparsable, or an unknown sequence number). */
  unexpected: number;
}

export interface LoadProgress {
  elapsedMs: number;
  durationMs: number;
  phase: 'connect' | 'warmup' | 'measure' | 'grace';
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

/**
 * One agent's part of a distributed load (src/dist), beside its LoadOptions: which segment of the schedule it
 * sends and when traffic starts. Its LoadOptions keep the whole load's rate; their `connections` are its own.
 */
export interface LoadPart {
  /**
   * Agent `index` of `count`: it sends the open-loop requests i with i % count == index, each at its intended
   * time in the whole schedule; WebSocket: the rooms r with r % count == index and their members. Default 0 of 1.
   */
  segment?: { index: number; count: number };
  /**
   * When traffic starts, on this host's monotonic clock (monoMs() of shard.ts); default: as soon as ready. A
   * function is called once everything is ready to send (threads started; WebSocket: clients connected) and
   * resolves with the start: the distributed generator's barrier.
   */
  startAt?: number | (() => Promise<number>);
  /** Traffic began, `lateMs` after `startAt` (the latest thread's lateness). */
  onBegin?: (lateMs: number) => void;
}

export interface LoadResult {
  url: string;
  model: ModelName;
  connections: number;
  durationMs: number;
  /** Completed requests in the measured window (any status); WebSocket: deliveries. */
  requests: number;
  /** 2xx/3xx responses per second over the measured window; WebSocket: deliveries per second. */
  rps: number;
  /**
   * What the server delivered during the window: successful responses (deliveries) that arrived inside it, per
   * second, whatever their intended time. Open loop: below the intended rate when the server could not keep up,
   * and then the server's throughput ceiling (the capacity search's upper bound).
   */
  windowRps: number;
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
  /** Open loop: the schedule's counts in the window (intended, sent, late, queued, unsent), summed over threads. */
  pacing?: Pacing;
  /** A load from several agents (src/dist): each one's part; the figures above are their exact merge. */
  agents?: AgentFigures[];
  /** WebSocket runs only. */
  ws?: WsCounts;
  /**
   * With timelineMs: successes and errors per slice of the measured window, from its start, and each slice's
   * p99 latency (ms; null for a slice with no answer; over several threads the highest thread's).
   */
  timeline?: { sliceMs: number; ok: number[]; errors: number[]; p99Ms: Array<number | null> };
  /**
   * A mix of more than one request: the figures of each, in the order of LoadOptions.requests. Each response
   * (and each failure of a request in flight) is counted for the request sent on its connection, so `requests`
   * add up to the total; connect failures, which have no request on the wire, belong to none.
   */
  perRequest?: RequestFigures[];
}

/** One agent of a distributed load: how it was reached, its clock, its share and its own health. */
export interface AgentFigures {
  /** k of P: it sent the open-loop requests i with i % P == k (WebSocket: rooms r % P == k). */
  index: number;
  /** How it was reached: local, netns:NAME, ssh:HOST, tcp:HOST:PORT. */
  agent: string;
  /** Its host name, as it said (empty if it never did). */
  host: string;
  /** The least round trip of the clock pings, ms. */
  rttMs: number | null;
  /** Its clock minus the coordinator's, ms, known within +- offsetBoundMs (half that round trip). */
  offsetMs: number | null;
  offsetBoundMs: number | null;
  /** How late its traffic began after the start it was given, by its own clock; null: it never began. */
  startLateMs: number | null;
  /** When its traffic began on its host's monotonic clock (ms): comparable between agents of one host only. */
  monoStartMs: number | null;
  connections: number;
  /** Open loop: its requests (messages) intended in the window, and how many left. */
  intended: number;
  sent: number;
  achievedRps: number;
  /** Its process's CPU over the window, % of one core. */
  cpuPercent: number;
  /** Successful responses (deliveries) it recorded: the count of its histogram. */
  count: number;
  /** Its latency histogram (compressed base64 HdrHistogram, µs): the merge is exactly the sum of these. */
  histogram: string;
  /** True when this agent limited the figure (its CPU, its pacing, a late start, cores shared with others). */
  saturated: boolean;
  reason: string;
  /** Why and when it was lost (its share is missing); absent when it finished. */
  lost?: string;
}

/** One request of a mix: its share of the result, counted by the same rules as the whole. */
export interface RequestFigures {
  /** The request's name, or "METHOD /path" as given, placeholders included (a repeat gets " #2", " #3"). */
  name: string;
  /** Completed responses in the measured window (any status). */
  requests: number;
  /** Non-2xx/3xx responses, and resets, timeouts and malformed responses of this request. */
  errors: number;
  /** Successful-response latency. */
  latency: LatencySummary;
  /** Compressed base64 HdrHistogram (µs). */
  histogram: string;
}
