// The coordinator <-> agent protocol: JSON lines (one message per line, UTF-8) over any duplex byte stream — an
// agent's stdin/stdout (a local child, `ip netns exec`, `ssh`, `kubectl exec`) or a TCP socket (`agent --listen`).
// The agent speaks first (hello, with the protocol version); everything after is request and answer:
//
//   coordinator                                agent
//   ---------------------------------------    ------------------------------------------------------------
//   (connects)                                 hello {v, host, pid, bootId, cpus, version}
//   ping {id}                                  pong {id, clock}           clock: the agent's wall clock, ms
//   run {probe, opts, segment}                 ready {probe}              threads up, clients connected
//   start {probe, startAt}                     beat {probe, ...} every second while the load runs
//                                              result {probe, report}     once per probe (a repeat is ignored)
//   stop {probe}                               (the load ends early; its result follows, interrupted)
//   ping {id} every second while it runs       (an agent that hears nothing for 3 s stops and exits 1)
//   bye                                        (exits 0)
//                                              error {probe?, code, message, hint}  (a plan it refuses)
//
// start is sent once every agent is ready (a barrier), and startAt is on the agent's own clock: the coordinator
// measured its offset (ping), so no clock is trusted.
import type { LoadOptions, LoadResult } from '../engine/types.js';

/** Bumped on any change an older peer would misread; both ends refuse another version. */
export const PROTOCOL_VERSION = 1;

// The timings each end counts on from the other, side by side: a peer is given up on only when more than two of
// the other's intervals pass without a word, so one late message never ends a load.
/** The coordinator pings each agent this often while a load runs. */
export const KEEPALIVE_MS = 1000;
/** An agent that hears nothing from its coordinator this long while a load runs stops it and ends. */
export const AGENT_SILENCE_MS = 3000;
/** An agent beats this often while a load runs. */
export const BEAT_MS = 1000;
/** An agent the coordinator has heard from less recently than this while a probe runs is lost. */
export const LOST_MS = 2500;

/** Every message of either side fits one line; a longer one is a broken peer. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** The load options that travel: everything but callbacks, the signal and the hosts allowed (the agent's own). */
export type WireLoadOptions = Omit<LoadOptions, 'signal' | 'onProgress' | 'onBegin' | 'allowRemote'>;

export interface Segment {
  index: number;
  count: number;
}

export type ToAgent =
  | { t: 'ping'; id: number }
  | { t: 'run'; probe: number; opts: WireLoadOptions; segment: Segment }
  | { t: 'start'; probe: number; startAt: number }
  | { t: 'stop'; probe: number }
  | { t: 'bye' };

export interface Hello {
  t: 'hello';
  v: number;
  /** stackbench's version. */
  version: string;
  host: string;
  pid: number;
  /** The kernel's boot id: agents with the same one (and overlapping cpus) share the same cores. */
  bootId: string;
  /** The cores the agent may use (its affinity). */
  cpus: number[];
}

/** What an agent measured in one probe. */
export interface AgentReport {
  /** Its share, as runLoad returned it (histograms encoded; pacing for the open loop). */
  result: LoadResult;
  /** How late traffic began after the start it was given (its own timer); null: it never began. */
  startLateMs: number | null;
  /** When traffic began on the agent's monotonic clock (ms): comparable across agents of one host only. */
  monoStartMs: number | null;
}

export interface Beat {
  t: 'beat';
  probe: number;
  /** Requests completed (WebSocket: deliveries) and errors so far. */
  requests: number;
  errors: number;
  /** The agent process's CPU over the last second, % of one core. */
  cpuPercent: number;
}

export type FromAgent =
  | Hello
  | { t: 'pong'; id: number; clock: number }
  | { t: 'ready'; probe: number }
  | Beat
  | { t: 'result'; probe: number; report: AgentReport }
  | { t: 'error'; probe?: number; code: string; message: string; hint: string };

const TO_AGENT = new Set(['ping', 'run', 'start', 'stop', 'bye']);
const FROM_AGENT = new Set(['hello', 'pong', 'ready', 'beat', 'result', 'error']);

/** A line in, a message out, or a reason it is not one (a garbled line ends the session: the peer is broken). */
export function parseToAgent(line: string): ToAgent | string {
  return parse(line, TO_AGENT) as ToAgent | string;
}

export function parseFromAgent(line: string): FromAgent | string {
  return parse(line, FROM_AGENT) as FromAgent | string;
}

function parse(line: string, kinds: Set<string>): object | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return `not JSON: ${line.slice(0, 80)}`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `not a message: ${line.slice(0, 80)}`;
  const t = (v as { t?: unknown }).t;
  if (typeof t !== 'string' || !kinds.has(t)) return `unknown message type ${JSON.stringify(t)}`;
  return v;
}
