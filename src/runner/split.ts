// The split-cost study: what it costs to serve the same traffic from N replicas instead of one. The same
// open-loop rate (a share of one replica's saturation, well below it) goes to 1, 2 and 4 replicas behind the
// balancer on the same cores, with no CPU quota (nothing is throttled: the figure is the stacks', not the
// scheduler's), and the replicas' CPU per request is read from their accounting cgroups, the balancer's and
// Redis's apart, and the cores' steal from /proc/stat. Rounds interleave the N's in a shuffled order and rotate
// which replicas serve, so drift and a bad replica touch every N alike.
import { prng } from '../analysis/stats.js';
import { STEAL_LIMIT } from '../analysis/split.js';
import type { Deployment } from '../lab/deployment.js';
import { coreDelta, coreTimes } from '../machine/procstat.js';
import { groupCpuSeconds, sampleTree } from '../probes/proctree.js';
import type { SplitProbe, StackRecord } from '../results/types.js';
import { CHAT_RATE, WORKLOADS, type WorkloadId } from '../workloads.js';
import { connectionsFor } from './capacity.js';
import { deploymentSubject, stackSubject } from './subject.js';
import type { StudyContext } from './suites.js';
import { warmUntilSteady } from './warmup.js';

/** Each replica's own warm-up: its JIT and pools, before any probe; the probes' pre-load warms each N again. */
const MEMBER_WARM_MS = 600;

export interface SplitSettings {
  rounds: number;
  /** Each cost probe's window. */
  costMs: number;
  /** A closed loop after each cost probe, for throughput at N on the same cores (0: none). */
  saturationMs: number;
  /** The offered rate as a share of one replica's closed-loop saturation through the balancer. */
  load: number;
}

/**
 * The N's of each round in a shuffled order, never the same order twice running (seeded: a rerun interleaves
 * the same way), so no N is always measured first after a settle, or always last.
 */
export function roundOrders(ns: readonly number[], rounds: number): number[][] {
  const rand = prng(0x5b17);
  const orders: number[][] = [];
  for (let r = 0; r < rounds; r++) {
    let out = [...ns];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    if (orders.length && orders.at(-1)!.join() === out.join()) out = out.reverse();
    orders.push(out);
  }
  return orders;
}

/** The replicas that serve at N in a round: a window rotating over all of them. */
const activeIn = (n: number, round: number, total: number) =>
  Array.from({ length: n }, (_, k) => (round + k) % total);

/** CPU seconds of these replicas so far: their cgroups' exact usage where they have one, else 10 ms ticks. */
function replicaMeter(dep: Deployment, active: number[]): { stop(): number; accounting: 'cgroup' | 'proc' } {
  const budgets = active.map((i) => dep.budgets[i]);
  if (budgets.every((b) => b && b.stats().usageUs !== null)) {
    const read = () => budgets.reduce((a, b) => a + b!.stats().usageUs!, 0) / 1e6;
    const t0 = read();
    return { stop: () => read() - t0, accounting: 'cgroup' };
  }
  const samplers = active.map((i) => sampleTree(dep.members[i]!.proc.pid));
  return { stop: () => samplers.reduce((a, s) => a + s.stop().cpuSeconds, 0), accounting: 'proc' };
}

export interface SplitRun {
  ctx: StudyContext;
  rec: StackRecord;
  workload: WorkloadId;
  dep: Deployment;
  settings: SplitSettings;
  replicas: number[];
}

/**
 * A VM whose host is oversubscribed loses time to steal on every busy window, not on a few: this machine's
 * quick runs read 30-60 % on 51 of 54 probes, and a repeat was as stolen as the first. After this many repeats
 * that stayed over the limit, a run stops repeating (it only doubled the study's time) and says so.
 */
const FUTILE_REPEATS = 3;

/** The run's repeats that stayed over the limit: kept with `repeated`, the less stolen of two still over it. */
const futile = (ctx: SplitRun['ctx']) =>
  (ctx.results.splits ?? []).filter((p) => p.repeated && p.steal > STEAL_LIMIT);

/** Once the run has seen enough futile repeats: said once, in a note. */
function noteChronic(ctx: SplitRun['ctx']): void {
  const steals = futile(ctx).map((p) => p.steal);
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  ctx.results.notes.push(
    `horizontal scaling: the hypervisor took ${pct(Math.min(...steals))}–${pct(Math.max(...steals))} of the server cores in ` +
      `${FUTILE_REPEATS} probes repeated for steal over ${pct(STEAL_LIMIT)}, and again on the repeat: steal is chronic on ` +
      'this machine, so later probes were not repeated (each records its steal); dedicated cores give steadier figures',
  );
}

/** Warm every replica on its own, calibrate the rate, run the rounds; the rate offered (for the fault). */
export async function splitStudy(run: SplitRun): Promise<number> {
  const { ctx, rec, workload, dep, settings } = run;
  const chat = WORKLOADS[workload].protocol === 'ws';
  const headline = ctx.suite.connections[0]!;
  const grace = ctx.objective.chatGraceMs;
  // Each replica warm before it is measured: N = 1 must not be the only one whose JIT is still compiling.
  for (const m of dep.members)
    await warmUntilSteady(
      stackSubject(m, rec.runtime, grace),
      workload,
      headline,
      MEMBER_WARM_MS,
      ctx.signal,
    );
  let rate = CHAT_RATE;
  if (!chat) {
    await dep.balancer!.activate([0]);
    const one = deploymentSubject(dep, rec.runtime, grace, [0]);
    const sat = await one.drive(workload, {
      model: 'closed',
      connections: headline,
      durationMs: Math.max(500, settings.saturationMs * 2),
      warmupMs: ctx.suite.rewarmMs,
      signal: ctx.signal,
    });
    rate = Math.max(50, Math.round(settings.load * sat.rps));
  }
  ctx.results.splits ??= [];
  const orders = roundOrders(run.replicas, settings.rounds);
  for (let round = 0; round < settings.rounds; round++) {
    for (const n of orders[round]!) {
      if (ctx.signal?.aborted) return rate;
      let probe = await probeAt(run, n, round, rate);
      const chronic = futile(ctx).length >= FUTILE_REPEATS;
      if (probe.steal > STEAL_LIMIT && !chronic) {
        const again = await probeAt(run, n, round, rate);
        probe = { ...(again.steal < probe.steal ? again : probe), repeated: true };
      }
      ctx.results.splits.push(probe);
      if (!chronic && futile(ctx).length === FUTILE_REPEATS) noteChronic(ctx);
      ctx.save();
    }
  }
  return rate;
}

/** One cost probe at N (and the closed loop after it): every figure per request answered. */
async function probeAt(run: SplitRun, n: number, round: number, rate: number): Promise<SplitProbe> {
  const { ctx, rec, workload, dep, settings } = run;
  const chat = WORKLOADS[workload].protocol === 'ws';
  const headline = ctx.suite.connections[0]!;
  const active = activeIn(n, round, dep.members.length);
  await dep.balancer!.activate(active);
  const subject = deploymentSubject(dep, rec.runtime, ctx.objective.chatGraceMs, active);
  const connections = chat ? headline : connectionsFor(rate, ctx.objective.sloP99Ms);
  // A short load at this N first: new connections, the balancer's and the replicas' caches, off the meter.
  await subject.drive(workload, { model: 'open', connections, rate, durationMs: 200, signal: ctx.signal });
  await subject.settle();
  const lbPid = dep.balancer!.proc.pid;
  const redisPid = chat ? ctx.lab.services.redis?.pid : undefined;
  const lb0 = groupCpuSeconds(lbPid);
  const redis0 = redisPid ? groupCpuSeconds(redisPid) : 0;
  const cores0 = coreTimes(ctx.lab.cpus.server);
  const meter = replicaMeter(dep, active);
  const r = await subject.drive(workload, {
    model: 'open',
    connections,
    rate,
    durationMs: settings.costMs,
    signal: ctx.signal,
  });
  const replicaSeconds = meter.stop();
  const cores = coreDelta(cores0, coreTimes(ctx.lab.cpus.server));
  const units = Math.max(1, r.requests);
  const per = (seconds: number) => (seconds * 1e6) / units;
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  let saturationRps: number | undefined;
  if (settings.saturationMs > 0 && !chat) {
    const sat = await subject.drive(workload, {
      model: 'closed',
      connections: headline,
      durationMs: settings.saturationMs,
      warmupMs: ctx.suite.rewarmMs,
      signal: ctx.signal,
    });
    saturationRps = sat.rps;
  }
  return {
    stack: rec.id,
    workload,
    n,
    round,
    active,
    rate,
    units: r.requests,
    errors,
    p99Ms: r.latency.percentilesMs['99'] ?? 0,
    replicasUs: per(replicaSeconds),
    accounting: meter.accounting,
    balancerUs: per(groupCpuSeconds(lbPid) - lb0),
    ...(redisPid ? { redisUs: per(groupCpuSeconds(redisPid) - redis0) } : {}),
    systemUs: per(cores.busySeconds),
    steal: cores.steal,
    softirq: cores.softirq,
    repeated: false,
    ...(saturationRps !== undefined ? { saturationRps } : {}),
  };
}
