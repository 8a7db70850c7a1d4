// The distributed generator against one generator, side by side in one run, with three network namespaces as the
// agents' hosts (test/helpers/netns.ts; root). The server is on core 1; the one generator, the three agents and
// the coordinator all on core 0 — on 2 cores the agents share the generator core, so this shows the merge is
// exact and free, not that more hosts give more throughput.
// (a) a stall server (450 ms of every 500 stalled: p50 200, p99 445, p99.9 449.5 ms by arithmetic) at a fixed
//     rate: p50/p99/p99.9 of one generator and of 3 agents, and their ratios. Bar: within 5 %.
// (b) nginx `return 200` at a fixed rate: the generator's CPU per request (its measured window), one generator
//     against the 3 agents together; the coordinator's own CPU beside it; and one generator at a third of the
//     rate, which is what each agent's share costs on its own. Bar: agents within 10 % of one generator.
// Rounds interleave one generator and the agents; figures are medians over rounds.
// Usage: node dist/bench/agents.js [rounds=3] [seconds=5] [stallRate=300] [nginxRate=20000]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Coordinator } from '../src/dist/index.js';
import { runLoad } from '../src/engine/index.js';
import type { LoadOptions, LoadResult } from '../src/engine/types.js';
import { createNetnsLab, netnsUnavailable } from '../test/helpers/netns.js';
import { startNginx } from './lib/nginx.js';
import { startPinned } from './lib/proc.js';
import { fmt, median, publish, table } from './lib/report.js';
import { ROOT } from './lib/tools.js';

const [rounds, seconds, stallRate, nginxRate] = [3, 5, 300, 20000].map((d, i) =>
  Number(process.argv[i + 2] ?? d),
) as [number, number, number, number];
const SERVER_CORE = 1;
const GEN_CORE = 0;
const STALL_MS = 450;
const PERIOD_MS = 500;

const why = netnsUnavailable();
if (why) throw new Error(why);
// This process (one generator, and the coordinator) on the generator core; the agents are pinned there too.
spawnSync('taskset', ['-a', '-pc', String(GEN_CORE), String(process.pid)]);
const lab = createNetnsLab(3);

interface Sides {
  one: Side[];
  three: Side[];
  /** One generator at a third of the rate: one agent's share, alone. */
  third: Side[];
}

interface Side {
  result: LoadResult;
  /** The coordinator's own CPU over the probe, µs per request (agents only). */
  coordinatorUs?: number;
}

/** The generator's CPU per request: its CPU over the measured window (all agents together), µs. */
const cpuPerRequest = (r: LoadResult) =>
  ((r.generator.cpuPercent / 100) * r.durationMs * 1000) / Math.max(1, r.requests);

async function sideBySide(opts: LoadOptions, coordinator: Coordinator, withThird = false): Promise<Sides> {
  const one: Side[] = [];
  const three: Side[] = [];
  const third: Side[] = [];
  for (let r = 0; r < rounds; r++) {
    one.push({ result: await runLoad({ ...opts, threads: 1 }) });
    if (withThird) third.push({ result: await runLoad({ ...opts, rate: opts.rate! / 3, threads: 1 }) });
    const cpu0 = process.cpuUsage();
    const result = await coordinator.run({ ...opts, threads: 1 });
    const c = process.cpuUsage(cpu0);
    three.push({ result, coordinatorUs: (c.user + c.system) / Math.max(1, result.requests) });
    const last = (s: Side[]) => s[s.length - 1]!.result;
    console.error(
      `round ${r + 1}: one p99 ${fmt(last(one).latency.percentilesMs['99']!, 1)} ms, ${fmt(cpuPerRequest(last(one)), 2)} µs/req; ` +
        `3 agents p99 ${fmt(result.latency.percentilesMs['99']!, 1)} ms, ${fmt(cpuPerRequest(result), 2)} µs/req`,
    );
  }
  return { one, three, third };
}

const pct = (s: Side[], p: string) => median(s.map((x) => x.result.latency.percentilesMs[p]!));
const flagged = (s: Side[]) => s.filter((x) => x.result.generator.saturated).length;

let md = '';
const coordinator = await Coordinator.open(
  lab.names.map((n) => ({ kind: 'netns' as const, target: n })),
  { allowRemote: [lab.hostAddress], cpus: [GEN_CORE] },
);
try {
  // (a) the stall server
  const stall = await startPinned(
    SERVER_CORE,
    [
      'node',
      join(ROOT, 'dist/bench/lib/stall-server.js'),
      String(STALL_MS),
      String(PERIOD_MS),
      lab.hostAddress,
    ],
    /^listening \d+/,
  );
  const stallUrl = `http://${lab.hostAddress}:${stall.readyLine.split(' ')[1]}/`;
  let a: Sides;
  try {
    a = await sideBySide(
      {
        url: stallUrl,
        model: 'open',
        rate: stallRate,
        connections: 300,
        durationMs: seconds * 1000,
        warmupMs: 1000,
        allowRemote: [lab.hostAddress],
      },
      coordinator,
    );
  } finally {
    await stall.stop();
  }
  const rows = (['50', '99', '99.9'] as const).map((p) => {
    const one = pct(a.one, p);
    const three = pct(a.three, p);
    return [
      `p${p}`,
      fmt(one, 1),
      fmt(three, 1),
      fmt(three / one, 3),
      Math.abs(three / one - 1) <= 0.05 ? 'yes' : 'NO',
    ];
  });
  const spread = median(
    a.three.map((s) => {
      const starts = s.result.agents!.map((g) => g.monoStartMs ?? 0);
      return Math.max(...starts) - Math.min(...starts);
    }),
  );
  md +=
    `### Agents (a): stall ${STALL_MS} ms every ${PERIOD_MS} ms, ${stallRate} req/s, 300 connections, 1 s warm-up + ${seconds} s, ` +
    `median of ${rounds} interleaved rounds\n\n` +
    table(['percentile', 'one generator ms', '3 netns agents ms', 'ratio', 'within 5 %'], rows) +
    `\n\nTruth by arithmetic: p50 ${STALL_MS - PERIOD_MS / 2}, p99 ${STALL_MS - PERIOD_MS / 100}, p99.9 ${STALL_MS - PERIOD_MS / 1000} ms. ` +
    `Runs the generator itself flagged as limited: one ${flagged(a.one)}/${rounds}, agents ${flagged(a.three)}/${rounds}. ` +
    `True start spread of the agents (one host's monotonic clock): median ${fmt(spread, 2)} ms.`;

  // (b) nginx, CPU per request
  const nginx = await startNginx(SERVER_CORE, lab.hostAddress);
  let b: Sides;
  try {
    b = await sideBySide(
      {
        url: nginx.url,
        model: 'open',
        rate: nginxRate,
        connections: 60,
        durationMs: seconds * 1000,
        warmupMs: 1000,
        allowRemote: [lab.hostAddress],
      },
      coordinator,
      true,
    );
  } finally {
    await nginx.stop();
  }
  const oneCpu = median(b.one.map((s) => cpuPerRequest(s.result)));
  const threeCpu = median(b.three.map((s) => cpuPerRequest(s.result)));
  const coordCpu = median(b.three.map((s) => s.coordinatorUs ?? 0));
  const thirdCpu = median(b.third.map((s) => cpuPerRequest(s.result)));
  const ratio = threeCpu / oneCpu;
  md +=
    `\n\n### Agents (b): nginx \`return 200\` at ${nginxRate} req/s, 60 connections, 1 s warm-up + ${seconds} s, median of ${rounds} interleaved rounds\n\n` +
    table(
      ['generator', 'CPU µs per request', 'runs', 'p99 ms'],
      [
        [
          'one generator',
          fmt(oneCpu, 2),
          b.one.map((s) => fmt(cpuPerRequest(s.result), 2)).join(', '),
          fmt(pct(b.one, '99'), 2),
        ],
        [
          '3 netns agents (together)',
          fmt(threeCpu, 2),
          b.three.map((s) => fmt(cpuPerRequest(s.result), 2)).join(', '),
          fmt(pct(b.three, '99'), 2),
        ],
        [
          'the coordinator (whole probe)',
          fmt(coordCpu, 2),
          b.three.map((s) => fmt(s.coordinatorUs ?? 0, 2)).join(', '),
          '',
        ],
        [
          `one generator at ${fmt(nginxRate / 3, 0)} req/s (one agent's share, alone)`,
          fmt(thirdCpu, 2),
          b.third.map((s) => fmt(cpuPerRequest(s.result), 2)).join(', '),
          fmt(pct(b.third, '99'), 2),
        ],
      ],
    ) +
    `\n\n3 agents / one generator, CPU per request = **${fmt(ratio, 3)}x** (bar: within 10 %, ${Math.abs(ratio - 1) <= 0.1 ? 'met' : 'NOT met'}); ` +
    `3 agents / one generator at a third of the rate = ${fmt(threeCpu / thirdCpu, 3)}x. ` +
    'All three agents share the generator core with the one generator (2 cores: server 1, generator 0), so more ' +
    'throughput from more hosts cannot be shown here.';
} finally {
  await coordinator.close();
  lab.remove();
}
publish('agents', md);
