// A load model decides when each connection sends (k6 calls these executors). The shard owns sockets,
// parsing, timeouts and counting; a model only hears "this connection is free" and the periodic tick.
import type { Conn } from '../http1/conn.js';

/** The part of a shard's options that paces it. */
export interface ModelOptions {
  connections: number;
  /** The whole open-loop schedule's rate (every lane), requests per second; the shard sends its lane of it. */
  rate: number;
  /** The lane of that schedule this shard sends (models/schedule.ts): requests i with i % lanes == lane. */
  lane: number;
  lanes: number;
  durationMs: number;
  warmupMs: number;
  rampMs: number;
}

/** What a model may see and ask of the shard it paces (the shard implements it; models never import it). */
export interface ModelHost {
  readonly opts: ModelOptions;
  /** When traffic started (performance.now()). */
  readonly t0: number;
  readonly conns: readonly Conn[];
  /** Lazy models: open up to `want` more connections for due requests. */
  openFor(want: number): void;
}

export interface Model {
  /** True when latency is measured from intended send times (open loop). */
  readonly openLoop: boolean;
  /**
   * Connections are opened only when a due request finds none idle, and not reopened when they close.
   * An open loop must not park idle connections on a server: a pre-fork sync worker that accepts an idle
   * connection blocks on it while requests on other connections wait in the backlog.
   */
  readonly lazyConnect: boolean;
  /** A connection closed (lazy models): due requests may need a new one. */
  wake?(now: number): void;
  /** Traffic starts (t0 = shard.t0). */
  start(now: number): void;
  /** The connection is connected and has no request in flight. */
  onIdle(conn: Conn, now: number): void;
  /** The measured window ended (or the run was aborted): send nothing more. */
  stop(now: number): void;
  /** Figures only the model knows (open loop pacing), added to the shard's result. */
  pacing(): Pacing;
}

export interface Pacing {
  /** Intended sends whose intended time falls in the measured window (open loop; 0 for closed). */
  intended: number;
  /** Of those, how many left. */
  sent: number;
  /** Sent more than 1 ms after the intended time. */
  lateSends: number;
  /** Late sends whose request had to wait for a busy connection (the server's slowness, not the generator's). */
  queuedSends: number;
  /** Intended sends in the window that never left. */
  unsent: number;
}

export type ModelFactory = (host: ModelHost) => Model;
