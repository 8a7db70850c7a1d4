// Runs the WebSocket engine once from its own process and prints its result as JSON with the process's RSS
// once every connection is open and at the end. Usage:
// node dist/bench/lib/ws-hold-main.js URL CONNECTIONS CONNECT_RATE MSG_RATE ROOMS DURATION_MS
import { runLoad } from '../../src/engine/index.js';

const [url, conns, connectRate, msgRate, rooms, durationMs] = process.argv.slice(2);
let rssOpenBytes = 0;
let rssPeakBytes = 0;
const run = await runLoad({
  url: url!,
  model: 'open',
  connections: Number(conns),
  rate: Number(msgRate),
  durationMs: Number(durationMs),
  timeoutMs: 20_000,
  ws: { rooms: Number(rooms), connectRate: Number(connectRate), graceMs: 3000 },
  onProgress: (p) => {
    const rss = process.memoryUsage.rss();
    rssPeakBytes = Math.max(rssPeakBytes, rss);
    if (p.phase === 'measure' && !rssOpenBytes) rssOpenBytes = rss;
  },
});
const { histogram: _h, ws, ...rest } = run;
const result = { ...rest, ...ws };
console.log(
  JSON.stringify({ ...result, rssOpenBytes, rssPeakBytes, rssEndBytes: process.memoryUsage.rss() }),
);
