// Runs the WebSocket engine once from its own process and prints its result as JSON with the process's RSS
// once every connection is open and at the end. Usage:
// node dist/bench/lib/ws-hold-main.js URL CONNECTIONS CONNECT_RATE MSG_RATE ROOMS DURATION_MS
import { runWsLoad } from '../../src/engine/ws/index.js';

const [url, conns, connectRate, msgRate, rooms, durationMs] = process.argv.slice(2);
let rssOpenBytes = 0;
let rssPeakBytes = 0;
const result = await runWsLoad({
  url: url!,
  connections: Number(conns),
  connectRate: Number(connectRate),
  messageRate: Number(msgRate),
  rooms: Number(rooms),
  durationMs: Number(durationMs),
  graceMs: 3000,
  connectTimeoutMs: 20_000,
  onProgress: (p) => {
    const rss = process.memoryUsage.rss();
    rssPeakBytes = Math.max(rssPeakBytes, rss);
    if (p.phase === 'measure' && !rssOpenBytes) rssOpenBytes = rss;
  },
});
const { histogram: _h, ...rest } = result;
console.log(JSON.stringify({ ...rest, rssOpenBytes, rssPeakBytes, rssEndBytes: process.memoryUsage.rss() }));
