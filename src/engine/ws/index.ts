// The WebSocket load engine: runWsLoad drives a chat-like workload (rooms, fan-out) and measures every delivery.
// Fan-out convention: a message sent to a room is expected at every member of the room open at send time,
// the sender included (set includeSender: false for servers that do not echo to the sender).
export { runWsLoad } from './run.js';
export { formatWsSummary } from './summary.js';
export type { WsLoadOptions, WsLoadProgress, WsLoadResult, WsPhase } from './types.js';
