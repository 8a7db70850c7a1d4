// Memory: (1) stackbench `load` RSS after a 60 s run vs a 10 s run at the same open-loop rate against nginx
// (bar: at most 10% more); (2) 10,000 WebSocket connections held from one process (the engine) against the
// lab's node-http chat server in another process, pinned apart, with the engine's RSS recorded.
// Usage: node dist/bench/engine-memory.js [rate=5000] [shortS=10] [longS=60] [wsConnections=10000]
import { join } from 'node:path';
import { freePort, httpGetStatus } from '../src/machine/net.js';
import { startNginx } from './lib/nginx.js';
import { runPinned, startPinned } from './lib/proc.js';
import { fmt, publish, table } from './lib/report.js';
import { ROOT, runTool, stackbenchReady } from './lib/tools.js';

const [rate, shortS, longS, wsConns] = [5000, 10, 60, 10_000].map((d, i) =>
  Number(process.argv[i + 2] ?? d),
) as [number, number, number, number];
const mib = (kb: number) => fmt(kb / 1024, 1);
let md = '';

// --- (1) HTTP: 10 s vs 60 s at the same rate.
if (await stackbenchReady()) {
  const nginx = await startNginx(1);
  try {
    const rows: Array<Array<string | number>> = [];
    const rss: number[] = [];
    for (const s of [shortS, longS]) {
      const r = await runTool('stackbench', { url: nginx.url, connections: 100, durationS: s, rate }, 0);
      rss.push(r.rssLastKb);
      rows.push([`${s} s`, fmt(r.rps, 0), r.requests, mib(r.rssLastKb), mib(r.rssPeakKb), r.note ?? '']);
      console.error(`http ${s}s: rss ${mib(r.rssLastKb)} MiB`);
    }
    const growth = (rss[1]! / rss[0]! - 1) * 100;
    md +=
      `### Memory: stackbench \`load --rate ${rate} -c 100\` against nginx, RSS at the end of the run\n\n` +
      table(['run', 'req/s', 'requests', 'RSS at end MiB', 'peak RSS MiB', 'notes'], rows) +
      `\n\n${longS} s vs ${shortS} s: **${growth >= 0 ? '+' : ''}${fmt(growth, 1)}%** (bar: <= +10%, ${growth <= 10 ? 'met' : 'NOT met'}).\n\n`;
  } finally {
    await nginx.stop();
  }
} else {
  md += 'stackbench `load` is not built yet: the HTTP memory figure was not measured.\n\n';
}

// --- (2) 10,000 WebSocket connections from one process, against the lab's own node-http server's /chat.
const port = await freePort();
const server = await startPinned(
  1,
  ['node', join(ROOT, 'servers/node/dist/http.js')],
  async () => (await httpGetStatus(port, '/json', 500)) === 200,
  10_000,
  { HOST: '127.0.0.1', PORT: String(port), NODE_ENV: 'production' },
);
try {
  const url = `ws://127.0.0.1:${port}/chat`;
  const [connectRate, msgRate, rooms, durationMs] = [2000, 20, 100, 10_000];
  const out = await runPinned(
    0,
    [
      'node',
      join(ROOT, 'dist/bench/lib/ws-hold-main.js'),
      url,
      String(wsConns),
      String(connectRate),
      String(msgRate),
      String(rooms),
      String(durationMs),
    ],
    180_000,
  );
  if (out.code !== 0) throw new Error(`ws-hold failed: ${out.stderr.slice(-800)}`);
  const j = JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, number> & {
    latency: { percentilesMs: Record<string, number> };
  };
  md +=
    `### Memory: ${wsConns} WebSocket connections held from one process\n\n` +
    `Engine pinned to core 0, the lab's node-http server (its /chat, \`ws\`) pinned to core 1; connect at ${connectRate}/s, ` +
    `${rooms} rooms, ${msgRate} msg/s for ${durationMs / 1000} s (fan-out to every member, sender included).\n\n` +
    table(
      [
        'opened',
        'failed',
        'connect s',
        'messages',
        'deliveries / expected',
        'drops',
        'p99 ms',
        'RSS all open MiB',
        'RSS peak MiB',
        'RSS per conn KiB',
      ],
      [
        [
          j.connectionsOpened!,
          j.connectionsFailed!,
          fmt(j.connectMs! / 1000, 1),
          j.messagesSent!,
          `${j.deliveries} / ${j.expectedDeliveries}`,
          j.drops!,
          fmt(j.latency.percentilesMs['99']!, 1),
          fmt(j.rssOpenBytes! / 2 ** 20, 1),
          mib(out.rssPeakKb),
          fmt(j.rssOpenBytes! / 1024 / Math.max(1, j.connectionsOpened!), 1),
        ],
      ],
    );
} finally {
  await server.stop();
}
publish('engine-memory', md);
