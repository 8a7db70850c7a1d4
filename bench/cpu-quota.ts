// CPU budgets by CFS quota: node:http (servers/node/dist/http.js, GET /json) pinned to core 1 inside one cgroup
// budget whose limit changes between runs — none ("1 core pinned"), then 100, 50 and 25 % of a core with CFS
// periods of 100, 20 and 10 ms; closed loop, 32 connections, stackbench `load` pinned to core 0. The same
// server process serves every configuration (same JIT state); configurations are interleaved round by round and
// rotated, so drift of the machine spreads over all of them. Medians of the rounds.
// Usage: node dist/bench/cpu-quota.js [rounds=3] [seconds=5]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  cgroupSupport,
  cleanupStaleBudgets,
  createCpuBudget,
  type CpuBudgetStats,
} from '../src/machine/cgroup.js';
import { waitIdle } from '../src/probes/proctree.js';
import { freePort, waitReady } from '../src/machine/net.js';
import { start } from '../src/machine/process.js';
import { childSeconds, foreignCores, quietCount, quietRuns, sampleCores } from './lib/quiet.js';
import { fmt, median, publish, table } from './lib/report.js';
import { ROOT, runTool, stackbenchReady, type ToolRun } from './lib/tools.js';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 5);
const SERVER_CORE = 1;
const GEN_CORE = 0;
const CONNECTIONS = 32;
/** A run during which other processes took more than this of either core is measured again. */
const FOREIGN_MAX = 0.05;
const ATTEMPTS = 3;

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
  /** Other work on the server's or the generator's core, in cores (the larger of the two). */
  foreign: number;
  /** Runs it took to get one without other work (ATTEMPTS at most; the last one is kept either way). */
  attempts: number;
}

const support = cgroupSupport();
if (!support.ok) throw new Error(`cgroups unavailable: ${support.reason} — ${support.fix}`);
const server = join(ROOT, 'servers/node/dist/http.js');
if (!existsSync(server) || !(await stackbenchReady())) throw new Error('run `npm run build` first');

cleanupStaleBudgets(support); // an earlier run that was killed may have left its group
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
  let run: Run | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    await waitIdle(proc.pid, 5000); // the previous closed-loop run's queued requests are done
    const q0 = sampleCores();
    const s0: CpuBudgetStats = budget.stats();
    const load = await runTool('stackbench', { url, connections: CONNECTIONS, durationS: seconds }, GEN_CORE);
    const s1 = budget.stats();
    const q1 = sampleCores();
    const serverUs = (s1.usageUs ?? NaN) - (s0.usageUs ?? NaN);
    const others = foreignCores(
      q0,
      q1,
      new Map([
        [SERVER_CORE, serverUs / 1e6],
        [GEN_CORE, childSeconds(q0, q1)],
      ]),
    );
    const periods = s1.nrPeriods - s0.nrPeriods;
    run = {
      load,
      cores: serverUs / (seconds * 1e6),
      throttled: periods > 0 ? (s1.nrThrottled - s0.nrThrottled) / periods : 0,
      foreign: Math.max(...others.values()),
      attempts: attempt,
    };
    if (run.foreign <= FOREIGN_MAX) break;
    console.error(`  other work took ${fmt(run.foreign, 2)} of a core during the run: measuring again`);
  }
  return run!;
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
          `p99 ${fmt(run.load.p99, 2)} ms, p99.9 ${fmt(run.load.p999, 2)} ms, ${fmt(run.cores, 3)} cores, throttled ${fmt(run.throttled * 100, 0)} %, other work ${fmt(run.foreign, 2)} cores`,
      );
    }
  }
} finally {
  await proc.stop();
  await budget.remove();
}

// Figures from the runs without other work on the cores where there are some (see bench/lib/quiet.ts).
const med = (c: Config, f: (r: Run) => number) => median(quietRuns(runs.get(c)!, FOREIGN_MAX).map(f));
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
    quietCount(runs.get(c)!, FOREIGN_MAX),
    each((r) => fmt(r.load.rps, 0) + (r.foreign > FOREIGN_MAX ? '*' : '')),
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
      'runs without other work',
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
const all = [...runs.values()].flat();
const again = all.reduce((n, r) => n + r.attempts - 1, 0);
const dirty = all.filter((r) => r.foreign > FOREIGN_MAX).length;
md +=
  `\n\nOther work on cores ${GEN_CORE} and ${SERVER_CORE} (from /proc/stat, minus the server's cgroup and the ` +
  `generator): ${again} run(s) were measured again because it took more than ${FOREIGN_MAX} of a core; ` +
  (dirty
    ? `${dirty} of ${all.length} kept runs still had it after ${ATTEMPTS} attempts (marked *); medians use the ` +
      'runs without it where a configuration has some, otherwise all of its runs (then called noisy).'
    : 'every kept run had less.') +
  ` With no quota the server used ${fmt(
    med(base, (r) => r.cores),
    2,
  )} of its core in the closed loop.`;
md +=
  '\n\nGenerator notes (first round): ' +
  [...new Set(CONFIGS.map((c) => runs.get(c)![0]?.load.note ?? ''))].filter(Boolean).join('; ') +
  '.';
publish('cpu-quota', md);
