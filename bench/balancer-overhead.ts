// Balancer overhead: node:http (servers/node/dist/http.js, GET /json) on core 1 served directly, and through
// HAProxy and nginx (src/lab/balancer.ts) in front of 1 and 2 replicas. Everything server-side is on core 1 —
// the balancer shares the replicas' core here, so its cost shows as lost throughput; stackbench `load` runs on
// core 0. Closed loop, 32 connections, configurations interleaved round by round (rotated), medians. The
// balancer's own CPU per request comes from /proc (its process group's ticks over the run: 10 ms resolution).
// Usage: node dist/bench/balancer-overhead.js [rounds=3] [seconds=5]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startBalancer, type Balancer, type BalancerKind } from '../src/lab/balancer.js';
import { sampleTree, waitIdle } from '../src/probes/proctree.js';
import { freePort, waitReady } from '../src/machine/net.js';
import { start, type Managed } from '../src/machine/process.js';
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
  kind: BalancerKind | null;
  replicas: 1 | 2;
}

const CONFIGS: Config[] = [
  { label: 'direct', kind: null, replicas: 1 },
  { label: 'HAProxy, 1 replica', kind: 'haproxy', replicas: 1 },
  { label: 'HAProxy, 2 replicas', kind: 'haproxy', replicas: 2 },
  { label: 'nginx, 1 replica', kind: 'nginx', replicas: 1 },
  { label: 'nginx, 2 replicas', kind: 'nginx', replicas: 2 },
];

interface Run {
  load: ToolRun;
  /** Balancer CPU µs per request (0 direct). */
  lbUs: number;
  /** Replicas' CPU µs per request. */
  serverUs: number;
  /** HAProxy only: the share of requests the first replica got. */
  share?: number;
  /** Other work on the server's or the generator's core, in cores (the larger of the two). */
  foreign: number;
  /** Runs it took to get one without other work (ATTEMPTS at most; the last one is kept either way). */
  attempts: number;
}

const server = join(ROOT, 'servers/node/dist/http.js');
if (!existsSync(server) || !(await stackbenchReady())) throw new Error('run `npm run build` first');

const replicas: Array<{ proc: Managed; port: number }> = [];
const balancers = new Map<Config, Balancer>();
const runs = new Map<Config, Run[]>(CONFIGS.map((c) => [c, []]));

async function measure(c: Config): Promise<Run> {
  const lb = balancers.get(c);
  const ups = replicas.slice(0, c.replicas);
  const url = lb ? `${lb.url}/json` : `http://127.0.0.1:${ups[0]!.port}/json`;
  let run: Run | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    for (const r of ups) await waitIdle(r.proc.pid, 5000);
    // Pool connections the previous configuration left idle in the replicas cost nothing; in-flight ones do.
    const before = lb ? await lb.stats() : undefined;
    const q0 = sampleCores();
    const lbCpu = lb ? sampleTree(lb.proc.pid) : undefined;
    const serverCpu = ups.map((r) => sampleTree(r.proc.pid));
    const load = await runTool('stackbench', { url, connections: CONNECTIONS, durationS: seconds }, GEN_CORE);
    const lbSeconds = lbCpu?.stop().cpuSeconds ?? 0;
    const serverSeconds = serverCpu.reduce((s, t) => s + t.stop().cpuSeconds, 0);
    const q1 = sampleCores();
    const others = foreignCores(
      q0,
      q1,
      new Map([
        [SERVER_CORE, lbSeconds + serverSeconds],
        [GEN_CORE, childSeconds(q0, q1)],
      ]),
    );
    run = {
      load,
      lbUs: (lbSeconds * 1e6) / load.requests,
      serverUs: (serverSeconds * 1e6) / load.requests,
      foreign: Math.max(...others.values()),
      attempts: attempt,
    };
    const after = lb ? await lb.stats() : undefined;
    if (before?.perUpstream && after?.perUpstream && c.replicas === 2) {
      const got = after.perUpstream.map((u, i) => u.requests - before.perUpstream![i]!.requests);
      run.share = got[0]! / (got[0]! + got[1]!);
    }
    if (run.foreign <= FOREIGN_MAX) break;
    console.error(`  other work took ${fmt(run.foreign, 2)} of a core during the run: measuring again`);
  }
  return run!;
}

try {
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const proc = start({
      name: `node-http-${i + 1}`,
      cmd: process.execPath,
      args: [server],
      cwd: ROOT,
      env: { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port) },
      cpus: [SERVER_CORE],
    });
    replicas.push({ proc, port });
    await waitReady(proc, port, '/json');
  }
  for (const c of CONFIGS) {
    if (!c.kind) continue;
    const upstreams = replicas.slice(0, c.replicas).map((r) => r.port);
    const lb = await startBalancer({ kind: c.kind, port: await freePort(), upstreams, cpus: [SERVER_CORE] });
    balancers.set(c, lb);
  }
  // JIT warm-up of both replicas, and the balancers' pools of upstream connections.
  for (const c of CONFIGS) {
    const lb = balancers.get(c);
    const url = lb ? `${lb.url}/json` : `http://127.0.0.1:${replicas[0]!.port}/json`;
    await runTool('stackbench', { url, connections: CONNECTIONS, durationS: 2 }, GEN_CORE);
  }
  for (let r = 0; r < rounds; r++) {
    const order = CONFIGS.map((_, i) => CONFIGS[(i + r) % CONFIGS.length]!);
    for (const c of order) {
      const run = await measure(c);
      runs.get(c)!.push(run);
      console.error(
        `round ${r + 1} ${c.label}: ${fmt(run.load.rps, 0)} req/s, p99 ${fmt(run.load.p99, 2)} ms, ` +
          `balancer ${fmt(run.lbUs, 1)} µs/req, replicas ${fmt(run.serverUs, 1)} µs/req, errors ${run.load.errors}, ` +
          `other work ${fmt(run.foreign, 2)} cores`,
      );
    }
  }
} finally {
  for (const lb of balancers.values()) await lb.stop();
  for (const r of replicas) await r.proc.stop();
}

// Figures from the runs without other work on the cores where there are some (see bench/lib/quiet.ts).
const med = (c: Config, f: (r: Run) => number) => median(quietRuns(runs.get(c)!, FOREIGN_MAX).map(f));
const base = CONFIGS[0]!;
const baseRps = med(base, (r) => r.load.rps);
const rows = CONFIGS.map((c) => {
  const lb = balancers.get(c);
  const all = runs.get(c)!;
  const shares = all.flatMap((r) => (r.share === undefined ? [] : [r.share]));
  const rps = med(c, (r) => r.load.rps);
  const p50 = med(c, (r) => r.load.p50);
  const p99 = med(c, (r) => r.load.p99);
  const lbUs = med(c, (r) => r.lbUs);
  const serverUs = med(c, (r) => r.serverUs);
  const core1 = med(c, (r) => ((r.lbUs + r.serverUs) * r.load.rps) / 1e4);
  const share = median(shares);
  return [
    c.label + (lb ? ` (${lb.version})` : ''),
    fmt(rps, 0),
    `${fmt(rps / baseRps, 2)}x`,
    fmt(p50, 2),
    fmt(p99, 2),
    lb ? fmt(lbUs, 1) : '-',
    fmt(serverUs, 1),
    fmt(core1, 0),
    shares.length ? `${fmt(share * 100, 0)} / ${fmt((1 - share) * 100, 0)}` : '-',
    String(all.reduce((n, r) => n + r.load.errors, 0)),
    quietCount(all, FOREIGN_MAX),
    all.map((r) => fmt(r.load.rps, 0) + (r.foreign > FOREIGN_MAX ? '*' : '')).join(', '),
  ];
});
let md =
  `### Balancer overhead: node:http \`/json\`, ${CONNECTIONS} connections closed loop, ${seconds} s, ` +
  `${rounds} interleaved rounds; replicas AND balancer share core 1\n\n` +
  table(
    [
      'path',
      'median req/s',
      'vs direct',
      'p50 ms',
      'p99 ms',
      'balancer CPU µs/req',
      'replicas CPU µs/req',
      'core 1 used %',
      'share % (HAProxy counters)',
      'errors',
      'runs without other work',
      'runs req/s',
    ],
    rows,
  ) +
  '\n\nThe balancer runs on the replicas\' core, so "vs direct" is the whole cost of a balancer that takes its CPU ' +
  "from the same budget; on a core of its own it would not take the replicas' CPU (the extra hop's latency " +
  'remains; not measured here). ' +
  'CPU per request is from /proc ticks (10 ms resolution) over each run. "core 1 used" is what the replicas and ' +
  'the balancer took of their core: well under 100 % in a closed loop means other work shared the core.';
const all = [...runs.values()].flat();
const again = all.reduce((n, r) => n + r.attempts - 1, 0);
const dirty = all.filter((r) => r.foreign > FOREIGN_MAX).length;
md +=
  `\n\nOther work on cores ${GEN_CORE} and ${SERVER_CORE} (from /proc/stat, minus the replicas, the balancer and ` +
  `the generator): ${again} run(s) were measured again because it took more than ${FOREIGN_MAX} of a core; ` +
  (dirty
    ? `${dirty} of ${all.length} kept runs still had it after ${ATTEMPTS} attempts (marked *); medians use the ` +
      'runs without it where a configuration has some, otherwise all of its runs (then called noisy).'
    : 'every kept run had less.');
publish('balancer-overhead', md);
