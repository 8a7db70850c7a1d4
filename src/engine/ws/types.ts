// The WebSocket engine's contract: open N connections at a rate, spread them over rooms, send messages at a
// total rate and measure every delivery of every message at every member of its room (fan-out).
import type { LatencySummary } from '../histogram.js';
import type { GeneratorHealth } from '../types.js';

export interface WsLoadOptions {
  /** ws://127.0.0.1:port/path; a ?room= already in the URL is used as the room name prefix. */
  url: string;
  connections: number;
  /** Connections opened per second. */
  connectRate: number;
  /** Messages per second in total, sent by the open connections in turn (round-robin). */
  messageRate: number;
  durationMs: number;
  /** Messages sent before measurement starts; their deliveries are not counted. */
  warmupMs?: number;
  /** Connections are split across this many rooms (connection i joins room i % rooms). Default 1. */
  rooms?: number;
  /** Size of the whole message text, padded up to this many bytes. Default 64. */
  payloadBytes?: number;
  /**
   * Whether the server sends a message back to its sender too. Default true: expected deliveries of a
   * message = open members of its room, sender included.
   */
  includeSender?: boolean;
  /** How long to wait for outstanding deliveries after the last message. Default 2000 ms. */
  graceMs?: number;
  /** Handshake timeout of one connection. Default 10 s. */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called about every 500 ms. */
  onProgress?: (p: WsLoadProgress) => void;
}

export type WsPhase = 'connect' | 'warmup' | 'measure' | 'grace';

export interface WsLoadProgress {
  phase: WsPhase;
  elapsedMs: number;
  durationMs: number;
  open: number;
  messagesSent: number;
  deliveries: number;
  /** Deliveries per second over the last interval. */
  deliveriesPerSec: number;
}

export interface WsLoadResult {
  url: string;
  connections: number;
  rooms: number;
  durationMs: number;
  connectionsOpened: number;
  /** Handshakes refused, failed or timed out. */
  connectionsFailed: number;
  /** Time from the first connect attempt to the last connection settled (open or failed). */
  connectMs: number;
  /** Messages sent in the measured window. */
  messagesSent: number;
  /** Sum over measured messages of the receivers expected at send time (fan-out convention above). */
  expectedDeliveries: number;
  /** Deliveries of measured messages received before the grace period ended. */
  deliveries: number;
  /** expectedDeliveries - deliveries (never negative). */
  drops: number;
  /** Deliveries beyond the expected ones (a server sending a message twice); 0 when well behaved. */
  duplicates: number;
  /** Open connections closed by the server or the network, not by the engine. */
  disconnects: number;
  /** Error events on open connections, plus messages that were not ours (unparsable or unknown seq). */
  errors: number;
  /** Delivery latency (receive time - intended send time) of every counted delivery. */
  latency: LatencySummary;
  /** Compressed base64 HdrHistogram (µs) of the delivery latency. */
  histogram: string;
  generator: GeneratorHealth;
}
