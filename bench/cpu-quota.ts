// CPU budgets by CFS quota: node:http (servers/node/dist/http.js, GET /json) pinned to core 1 inside one cgroup
// budget whose limit changes between runs — none ("1 core pinned"), then 100, 50 and 25 % of a core with CFS
// periods of 100, 20 and 10 ms; closed loop, 32 connections, stackbench `load` pinned to core 0. The same
// server process serves every configuration (same JIT state); configurations are interleaved round by round and
// rotated, so drift of the machine spreads over all of them. Medians of the rounds.
// Usage: node dist/bench/cpu-quota.js [rounds=3] [seconds=5]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupSupport, createCpuBudget, type CpuBudgetStats } from '../src/machine/cgroup.js';
import { waitIdle } from '../src/probes/proctree.js';
import { freePort, waitReady } from '../src/machine/net.js';
import { start } from '../src/machine/process.js';
import { fmt, median, publish, table } from './lib/report.js';
import { ROOT, runTool, stackbenchReady, type ToolRun } from './lib/tools.js';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 5);
const SERVER_CORE = 1;
const GEN_CORE = 0;
const CONNECTIONS = 32;

interface Config {
  label: string;
  cores: number | 'max';
  periodUs: number;
}

const CONFIGS: Config[] = [{ label: 'none (1 core pinned)', cores: 'max', periodUs: 100_000 }];
for (const cores of [1, 0.5, 0.25]) {
  for (const periodUs of [100_000, 20_000, 10_000]) {
    CONFIGS.push({ label: `${cores * 100} %`, cores, periodUs });
  }
}

interface Run {
  load: ToolRun;
  /** Cores the group used while the load ran (its usage counter over the load's duration). */
  cores: number;
  /** Share of the enforcement periods that ran out of quota. */
  throttled: number;
}

const support = cgroupSupport();
if (!support.ok) throw new Error(`cgroups unavailable: ${support.reason} — ${support.fix}`);
const server = join(ROOT, 'servers/node/dist/http.js');
if (!existsSync(server) || !(await stackbenchReady())) throw new Error('run `npm run build` first');

const budget = createCpuBudget({ name: 'cpu-quota-bench', cores: 1 }, support);
budget.setQuota('max');
const port = await freePort();
const [cmd, ...args] = budget.argvPrefix([process.execPath, server]);
const proc = start({
  name: 'node-http',
  cmd: cmd!,
  args,
  cwd: ROOT,
  env: { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port) },
  cpus: [SERVER_CORE],
});
const url = `http://127.0.0.1:${port}/json`;
const runs = new Map<Config, Run[]>(CONFIGS.map((c) => [c, []]));

async function measure(c: Config): Promise<Run> {
  budget.setQuota(c.cores, c.periodUs);
  await waitIdle(proc.pid, 5000); // the previous closed-loop run's queued requests are done
  const s0: CpuBudgetStats = budget.stats();
  const load = await runTool('stackbench', { url, connections: CONNECTIONS, durationS: seconds }, GEN_CORE);
  const s1 = budget.stats();
  const periods = s1.nrPeriods - s0.nrPeriods;
  return {
    load,
    cores: ((s1.usageUs ?? NaN) - (s0.usageUs ?? NaN)) / (seconds * 1e6),
    throttled: periods > 0 ? (s1.nrThrottled - s0.nrThrottled) / periods : 0,
  };
}

try {
  await waitReady(proc, port, '/json');
  await runTool('stackbench', { url, connections: CONNECTIONS, durationS: 3 }, GEN_CORE); // JIT warm-up
  for (let r = 0; r < rounds; r++) {
    const order = CONFIGS.map((_, i) => CONFIGS[(i + r) % CONFIGS.length]!);
    for (const c of order) {
      const run = await measure(c);
      runs.get(c)!.push(run);
      console.error(
        `round ${r + 1} quota ${c.label} period ${c.periodUs / 1000} ms: ${fmt(run.load.rps, 0)} req/s, ` +
          `p99 ${fmt(run.load.p99, 2)} ms, p99.9 ${fmt(run.load.p999, 2)} ms, ${fmt(run.cores, 3)} cores, throttled ${fmt(run.throttled * 100, 0)} %`,
      );
    }
  }
} finally {
  await proc.stop();
  await budget.remove();
}

const med = (c: Config, f: (r: Run) => number) => median(runs.get(c)!.map(f));
const base = CONFIGS[0]!;
const baseRps = med(base, (r) => r.load.rps);
const rows = CONFIGS.map((c) => {
  const m = (f: (r: Run) => number) => med(c, f);
  const each = (f: (r: Run) => string) => runs.get(c)!.map(f).join(', ');
  return [
    c.label,
    c.cores === 'max' ? '-' : String(c.periodUs / 1000),
    fmt(
      m((r) => r.load.rps),
      0,
    ),
    `${fmt(m((r) => r.load.rps) / baseRps, 2)}x`,
    fmt(
      m((r) => r.load.p50),
      2,
    ),
    fmt(
      m((r) => r.load.p99),
      2,
    ),
    fmt(
      m((r) => r.load.p999),
      2,
    ),
    fmt(
      m((r) => r.cores),
      3,
    ),
    fmt(m((r) => r.throttled) * 100, 0),
    each((r) => fmt(r.load.rps, 0)),
    each((r) => fmt(r.load.p99, 1)),
  ];
});
let md =
  `### CPU quota: node:http \`/json\` on core 1, ${CONNECTIONS} connections closed loop, ${seconds} s, ` +
  `${rounds} interleaved rounds\n\n` +
  table(
    [
      'quota',
      'period ms',
      'median req/s',
      'vs no quota',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'cores used',
      'throttled periods %',
      'runs req/s',
      'runs p99 ms',
    ],
    rows,
  );

// The two forms of "one replica x one core": a pinned core alone, or the same pinned core under a 100 % quota.
const full = CONFIGS.filter((c) => c.cores === 1);
md +=
  '\n\n1 replica x 1 core, pinned vs by quota (100 % on the same pinned core): ' +
  full
    .map((c) => {
      const ratio = med(c, (r) => r.load.rps) / baseRps;
      const p99 = med(c, (r) => r.load.p99);
      return `${c.periodUs / 1000} ms period ${fmt(ratio, 2)}x throughput, p99 ${fmt(p99, 2)} ms`;
    })
    .join('; ') +
  ` (pinned alone: p99 ${fmt(
    med(base, (r) => r.load.p99),
    2,
  )} ms).`;
const baseCores = med(base, (r) => r.cores);
md +=
  `\n\nWith no quota the server used ${fmt(baseCores, 2)} of its core in a closed loop` +
  (baseCores < 0.9
    ? ': other work shared the core, so the quotas bound less than they would on a quiet machine (noisy figures).'
    : ' (a quiet core).');
md +=
  '\n\nGenerator notes (first round): ' +
  [...new Set(CONFIGS.map((c) => runs.get(c)![0]?.load.note ?? ''))].filter(Boolean).join('; ') +
  '.';
publish('cpu-quota', md);
