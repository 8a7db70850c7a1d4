// What a request mix costs the generator: `stackbench load` against nginx `return 200` (server on core 1,
// generator on core 0), 100 connections, closed loop, with one request, a mix of 2 and a mix of 10 (each with
// values drawn from a range and a list), runs interleaved, median. The figure that matters is the generator's CPU
// per request (its CPU time over the requests it sent): on a shared machine req/s swings with what else runs,
// while the CPU a request costs moves far less. Bar: a mix costs at most 5% more CPU per request than one request.
// Usage: node dist/bench/engine-mix.js [rounds=3] [seconds=5]
import { startNginx } from './lib/nginx.js';
import { runPinned } from './lib/proc.js';
import { fmt, median, publish, table } from './lib/report.js';
import { ROOT } from './lib/tools.js';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 5);
const SERVER_CORE = 1;
const GEN_CORE = 0;
const STACKBENCH = `${ROOT}/bin/stackbench.js`;

const values = ['--value', 'id=1..100000', '--value', 'sku=apple,pear,fig,plum'];
const cases: Array<{ name: string; args: string[] }> = [
  { name: 'one request', args: [] },
  {
    name: 'mix of 2 (3:1)',
    args: ['--request', 'GET /users/{id} 3', '--request', 'GET /orders/{sku}?n={id}', ...values],
  },
  {
    name: 'mix of 10',
    args: [
      ...Array.from({ length: 10 }, (_, i) => ['--request', `GET /r${i}/{id}?sku={sku} ${i + 1}`]).flat(),
      ...values,
    ],
  },
];

interface Run {
  rps: number;
  cpuUsPerRequest: number;
  cpuPercent: number;
}

async function run(url: string, args: string[]): Promise<Run> {
  // With --request the URL gives host and port only.
  const target = args.length ? url.replace(/\/$/, '') : url;
  const argv = ['node', STACKBENCH, 'load', target, '-c', '100', '-d', `${seconds}s`, ...args, '--json'];
  const out = await runPinned(GEN_CORE, argv, (seconds + 30) * 1000, {
    ...process.env,
    NODE_ENV: 'production',
  });
  if (out.code !== 0) throw new Error(`stackbench load failed (exit ${out.code}): ${out.stderr.slice(-500)}`);
  const j = JSON.parse(out.stdout) as { rps: number; generator: { cpuPercent: number; achievedRps: number } };
  const g = j.generator;
  return {
    rps: j.rps,
    cpuPercent: g.cpuPercent,
    cpuUsPerRequest: (g.cpuPercent / 100) * (1e6 / g.achievedRps),
  };
}

const nginx = await startNginx(SERVER_CORE);
const runs = new Map<string, Run[]>(cases.map((c) => [c.name, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const x = await run(nginx.url, c.args);
      runs.get(c.name)!.push(x);
      console.error(
        `round ${r + 1} ${c.name}: ${fmt(x.rps, 0)} req/s, CPU ${fmt(x.cpuPercent, 0)}%, ${fmt(x.cpuUsPerRequest, 2)} µs/req`,
      );
    }
  }
} finally {
  await nginx.stop();
}

const cpu = (name: string) => median(runs.get(name)!.map((x) => x.cpuUsPerRequest));
const base = cpu(cases[0]!.name);
const rows = cases.map((c) => {
  const list = runs.get(c.name)!;
  return [
    c.name,
    fmt(median(list.map((x) => x.rps)), 0),
    list.map((x) => fmt(x.rps, 0)).join(', '),
    fmt(cpu(c.name), 2),
    list.map((x) => fmt(x.cpuUsPerRequest, 2)).join(', '),
    fmt(cpu(c.name) / base, 3),
  ];
});
const worst = Math.max(...cases.map((c) => cpu(c.name) / base));
const md =
  `### Request mix: nginx \`return 200\`, 100 connections, ${seconds} s, ${rounds} interleaved rounds\n\n` +
  table(['requests', 'median req/s', 'runs', 'CPU µs/req (median)', 'runs', 'vs one request'], rows) +
  `\n\nWorst mix / one request, CPU per request = **${fmt(worst, 3)}x** (bar: <= 1.05x, ${worst <= 1.05 ? 'met' : 'NOT met'}).`;
publish('engine-mix', md);
