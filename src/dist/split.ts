// How one load is split across P agents so that together they send exactly what one generator would:
// - open loop: global request i is agent i % P's, at its one-generator intended time (models/schedule.ts);
//   inside an agent its threads stripe again (lane = thread x P + k of P x T lanes: engine/index.ts);
// - connections: c_k = floor((k+1)C/P) - floor(kC/P), which sums to C and differs from C/P by less than 1;
// - WebSocket chat: room r is agent r % P's, with all its members, so every send and delivery of a message is
//   timed on one agent's clock (no cross-host clock in any latency); messages are striped as requests are.
import { StackbenchError } from '../errors.js';
import { laneIntended } from '../engine/models/schedule.js';
import type { LoadOptions } from '../engine/types.js';
import type { Segment, WireLoadOptions } from './protocol.js';

/** Agent k's connections of C over P agents. */
export function connectionShare(connections: number, count: number, index: number): number {
  return Math.floor(((index + 1) * connections) / count) - Math.floor((index * connections) / count);
}

const isWs = (opts: Pick<LoadOptions, 'url'>) => /^ws:/i.test(opts.url);

/** Refuses a load that P agents cannot split without leaving one idle (it would send nothing, or fail). */
export function checkSplit(opts: LoadOptions, count: number): void {
  const bad = (why: string, fix: string) => new StackbenchError('SB_BAD_AGENTS', [why], [fix]);
  if (isWs(opts)) {
    const rooms = Math.max(1, Math.floor(opts.ws?.rooms ?? 1));
    if (rooms < count)
      throw bad(
        `${count} agents need at least ${count} rooms (a room and all its members are one agent's)`,
        `give --rooms ${count} or more, or fewer agents`,
      );
    return;
  }
  if (Math.floor(opts.connections) < count)
    throw bad(
      `${count} agents need at least ${count} connections (each agent holds its share)`,
      `give -c ${count} or more, or fewer agents`,
    );
}

/**
 * How many of `count` agents can each hold a share of this load: all of them, or as many as it has connections
 * (chat: rooms) — one connection is one agent's. A run sends its one-connection sweep from agent 0 this way;
 * `load --agents` asks for every agent (checkSplit refuses what they cannot split).
 */
export function agentsFor(opts: LoadOptions, count: number): number {
  const units = isWs(opts) ? Math.floor(opts.ws?.rooms ?? 1) : Math.floor(opts.connections);
  return Math.max(1, Math.min(count, units));
}

/** What agent k of `count` is told to run: the options with its connections (HTTP) and nothing local. */
export function agentOptions(opts: LoadOptions, segment: Segment): WireLoadOptions {
  const { signal: _s, onProgress: _p, onBegin: _b, allowRemote: _a, ...wire } = opts;
  // WebSocket: the agent opens the members of its rooms out of all the clients, so it gets the whole count.
  if (isWs(opts)) return wire;
  return {
    ...wire,
    connections: connectionShare(Math.floor(opts.connections), segment.count, segment.index),
  };
}

/** Open loop: the requests (messages) of the measured window that are agent k's; 0 for the closed loop. */
export function agentIntended(opts: LoadOptions, segment: Segment): number {
  if (opts.model !== 'open' || !(opts.rate! > 0)) return 0;
  const schedule = { rate: opts.rate!, rampMs: isWs(opts) ? 0 : (opts.rampMs ?? 0) };
  const lane = { lane: segment.index, lanes: segment.count };
  return laneIntended(schedule, lane, opts.warmupMs ?? 0, opts.durationMs);
}
