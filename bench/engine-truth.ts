// Truth: a server that stalls S ms every P ms, driven at a constant rate R; the true p50/p99/p99.9 follow from
// arithmetic (lib/truth.ts). stackbench (open loop, latency from the intended send time) should be within 10%;
// autocannon -R and plain wrk (closed loop; wrk2 is not packaged in Debian) are shown beside it.
// Usage: node dist/bench/engine-truth.js [rounds=3] [seconds=20] [rate=200] [stallMs=150] [periodMs=200]
import { join } from 'node:path';
import { startPinned } from './lib/proc.js';
import { fmt, median, publish, table } from './lib/report.js';
import { ROOT, runTool, stackbenchReady, type Tool, type ToolRun } from './lib/tools.js';
import { trueQuantileMs } from './lib/truth.js';

const [rounds, seconds, rate, stallMs, periodMs] = [3, 20, 200, 150, 200].map((d, i) =>
  Number(process.argv[i + 2] ?? d),
) as [number, number, number, number, number];
const connections = 200;

const tools: Tool[] = (await stackbenchReady()) ? ['stackbench', 'autocannon', 'wrk'] : ['autocannon', 'wrk'];
const server = await startPinned(
  1,
  ['node', join(ROOT, 'dist/bench/lib/stall-server.js'), String(stallMs), String(periodMs)],
  /^listening \d+/,
);
const url = `http://127.0.0.1:${server.readyLine.split(' ')[1]}/`;
const runs = new Map<Tool, ToolRun[]>(tools.map((t) => [t, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const tool of tools) {
      const run = await runTool(tool, { url, connections, durationS: seconds, rate }, 0);
      runs.get(tool)!.push(run);
      console.error(
        `round ${r + 1} ${tool}: p50 ${run.p50} p99 ${run.p99} p99.9 ${run.p999} (${fmt(run.rps, 0)} req/s)`,
      );
    }
  }
} finally {
  await server.stop();
}
const drainNote = /stall-server: (.*)/.exec(server.stderr())?.[1] ?? 'no stall-server report';

const truth = {
  p50: trueQuantileMs(stallMs, periodMs, 50),
  p99: trueQuantileMs(stallMs, periodMs, 99),
  p999: trueQuantileMs(stallMs, periodMs, 99.9),
};
const cell = (v: number, t: number) => `${fmt(v, 1)} (${v >= t ? '+' : ''}${fmt(((v - t) / t) * 100, 0)}%)`;
const rows: Array<Array<string | number>> = [
  ['truth (arithmetic)', fmt(truth.p50), fmt(truth.p99), fmt(truth.p999), rate, ''],
];
let within = true;
for (const t of tools) {
  const rs = runs.get(t)!;
  const m = {
    p50: median(rs.map((x) => x.p50)),
    p99: median(rs.map((x) => x.p99)),
    p999: median(rs.map((x) => x.p999)),
  };
  if (t === 'stackbench') {
    within = (['p50', 'p99', 'p999'] as const).every((k) => Math.abs(m[k] - truth[k]) <= 0.1 * truth[k]);
  }
  const mode = t === 'wrk' ? 'closed loop, no rate' : t === 'autocannon' ? `-R ${rate}` : `--rate ${rate}`;
  rows.push([
    `${t} (${mode})`,
    cell(m.p50, truth.p50),
    cell(m.p99, truth.p99),
    cell(m.p999, truth.p999),
    fmt(median(rs.map((x) => x.rps)), 0),
    rs[0]?.note ?? '',
  ]);
}
let md =
  `### Truth: stall ${stallMs} ms every ${periodMs} ms, ${rate} req/s, ${connections} connections, ${seconds} s, ` +
  `median of ${rounds} interleaved rounds\n\n` +
  table(['generator', 'p50 ms', 'p99 ms', 'p99.9 ms', 'req/s', 'notes'], rows);
md += tools.includes('stackbench')
  ? `\n\nstackbench within 10% of the truth at p50, p99 and p99.9: **${within ? 'yes' : 'NO'}**.`
  : '\n\nstackbench `load` is not built yet: only the other generators were measured.';
const drainMean = Number(/drain mean ([\d.]+)/.exec(drainNote)?.[1] ?? NaN);
if (Number.isFinite(drainMean)) {
  // The pause as the clients saw it lasted S + drain: the same arithmetic with that S is the truth of the run.
  const eff = (p: number) => trueQuantileMs(stallMs + drainMean, periodMs, p);
  md +=
    `\n\nWith the stall lengthened by the server's measured mean drain (${fmt(drainMean, 2)} ms) the truth is ` +
    `p50 ${fmt(eff(50))}, p99 ${fmt(eff(99))}, p99.9 ${fmt(eff(99.9))} ms.`;
}
md +=
  `\n\nServer's own account (${drainNote}): the drain is how long after each pause the server's loop came round ` +
  "again; it adds to every stalled request, so it is the floor of any generator's error here.";
publish('engine-truth', md);
