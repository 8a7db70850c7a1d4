// The WebSocket side of the engine: runLoad (../index.ts) hands a ws:// URL here. Fan-out convention: a message
// sent to a room is expected at every member of the room open at send time, the sender included (set
// ws.includeSender: false for servers that do not echo to the sender).
import type { LoadOptions, LoadPart, LoadResult } from '../types.js';
import { WsSession } from './session.js';

/** `address`: where the host was resolved and checked to be (see ../target.ts); every client connects there. */
export function runWs(opts: LoadOptions, address: string, part: LoadPart = {}): Promise<LoadResult> {
  if (opts.model !== 'open' || !(opts.rate !== undefined && opts.rate > 0))
    throw new RangeError('WebSocket load is an open loop: give a rate (messages per second) above 0');
  return new WsSession(opts, address, part).run();
}
