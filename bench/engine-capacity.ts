// Capacity: requests per second each generator drives against nginx `return 200` (the server on core 1, the
// generator on core 0), 100 connections, closed loop, runs interleaved (sb, ac, wrk, sb, ac, wrk, ...), median.
// Bar: stackbench >= 1.2x autocannon; the ratio to wrk is recorded.
// Usage: node dist/bench/engine-capacity.js [rounds=3] [seconds=5]
import { startNginx } from './lib/nginx.js';
import { fmt, median, publish, table } from './lib/report.js';
import { runTool, stackbenchReady, type Tool, type ToolRun } from './lib/tools.js';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 5);
const SERVER_CORE = 1;
const GEN_CORE = 0;

const tools: Tool[] = (await stackbenchReady()) ? ['stackbench', 'autocannon', 'wrk'] : ['autocannon', 'wrk'];
const nginx = await startNginx(SERVER_CORE);
const runs = new Map<Tool, ToolRun[]>(tools.map((t) => [t, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const tool of tools) {
      const run = await runTool(tool, { url: nginx.url, connections: 100, durationS: seconds }, GEN_CORE);
      runs.get(tool)!.push(run);
      console.error(`round ${r + 1} ${tool}: ${fmt(run.rps, 0)} req/s, errors ${run.errors}`);
    }
  }
} finally {
  await nginx.stop();
}

const med = (t: Tool) => median(runs.get(t)?.map((x) => x.rps) ?? []);
const rows = tools.map((t) => [
  t,
  fmt(med(t), 0),
  runs
    .get(t)!
    .map((x) => fmt(x.rps, 0))
    .join(', '),
  fmt(median(runs.get(t)!.map((x) => x.p99)), 2),
  runs.get(t)![0]?.note ?? '',
]);
let md =
  `### Capacity: nginx \`return 200\`, 100 connections, ${seconds} s, ${rounds} interleaved rounds\n\n` +
  table(['generator', 'median req/s', 'runs', 'p99 ms (median)', 'notes'], rows);
if (tools.includes('stackbench')) {
  const vsAc = med('stackbench') / med('autocannon');
  const vsWrk = med('stackbench') / med('wrk');
  md += `\n\nstackbench / autocannon = **${fmt(vsAc, 2)}x** (bar: >= 1.2x, ${vsAc >= 1.2 ? 'met' : 'NOT met'}); `;
  md += `stackbench / wrk = **${fmt(vsWrk, 2)}x**.`;
} else {
  md += '\n\nstackbench `load` is not built yet: only the other generators were measured.';
}
md += `\n\nwrk / autocannon = ${fmt(med('wrk') / med('autocannon'), 2)}x.`;
publish('engine-capacity', md);
