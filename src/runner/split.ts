// The split-cost study: what it costs to serve the same traffic from N replicas instead of one. The same
// open-loop rate goes to 1, 2 and 4 replicas behind the balancer on the same cores, with no CPU quota (nothing
// is throttled: the figure is the stacks', not the scheduler's), and the replicas' CPU per request is read from
// their accounting cgroups, the balancer's and Redis's apart, and the cores' steal from /proc/stat. The N's take
// turns slice by slice in one load (split-drive.ts), in a shuffled order each round, and the replicas that serve
// rotate, so drift of the machine and a bad replica touch every N alike.
import { widestSpread } from '../analysis/split.js';
import { prng } from '../analysis/stats.js';
import type { SplitProbe, StackRecord } from '../results/types.js';
import { CHAT_RATE, WORKLOADS, type WorkloadId } from '../workloads.js';
import { connectionsFor } from './capacity.js';
import { chatDrive, GUARD_MS, httpDrive, type Slice } from './split-drive.js';
import { deploymentSubject, stackSubject } from './subject.js';
import type { Deployment } from '../lab/deployment.js';
import type { StudyContext } from './suites.js';
import { warmUntilSteady } from './warmup.js';

/**
 * Each replica's own warm-up: its JIT and pools, before any slice; the load's lead warms the first N again (and
 * a deployment that served the stack's workload before is warm from it).
 */
const MEMBER_WARM_MS = 400;
/**
 * The calibration's open-loop probes, metered: CPU per request falls as the rate rises (a split's ratio with
 * it: fastapi-uvicorn json at 4 replicas read 2.02x at 1,200 req/s, 1.59x at 1,967 and 1.26x at 2,800), so the
 * rate must come out the same run after run. Two probes of 500 ms put it 15-20 % apart between runs here, and
 * the ratios 10-20 % with it; 1 s then 1.5 s (docs/BENCHMARKS.md).
 */
const CALIBRATE_MS = [1000, 1500];

export interface SplitSettings {
  /** Rounds of one load: in each, every N serves one slice, in a shuffled order. */
  rounds: number;
  /**
   * Another load of `rounds` rounds while a ratio's interval reaches further than `within` of its value (±),
   * up to this many rounds in all: a noisy moment of the machine buys more rounds, not a wider verdict.
   */
  maxRounds: number;
  within: number;
  /** Each slice's length (metered from split-drive's GUARD_MS on). */
  sliceMs: number;
  /** Also a closed loop, interleaved the same way: each N's throughput on the same cores at saturation. */
  saturation: boolean;
  /**
   * The offered rate: the one that keeps the server cores this busy (replicas and balancer) with one replica.
   * The same share of the machine for every stack and workload, whatever their speed (chat: CHAT_RATE).
   */
  busy: number;
}

/**
 * The N's of each round in a shuffled order, never the same order twice running (seeded: a rerun interleaves
 * the same way), so no N is always measured first after another, or always last.
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

/**
 * The drive's slices, round by round. HTTP: the replicas that serve at N are a window rotating over all of
 * them, so every replica serves alone in some round. Chat: the first N, always (each N's members are held open
 * on its replicas for the whole load).
 */
export function slicePlan(
  ns: readonly number[],
  rounds: number,
  total: number,
  rotate: boolean,
  from = 0,
): Slice[] {
  return roundOrders(ns, from + rounds)
    .slice(from)
    .flatMap((order, i) => slicesOf(order, from + i, total, rotate));
}

function slicesOf(order: number[], round: number, total: number, rotate: boolean): Slice[] {
  return order.map((n) => ({
    round,
    n,
    active: Array.from({ length: n }, (_, k) => (rotate ? round + k : k) % total),
  }));
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
 * The rate that keeps the server cores `busy` busy with one replica: its CPU and the balancer's per request
 * measured at a first guess (a third of a closed loop's throughput through the balancer), then once more at
 * the rate that gives (CPU per request falls as the rate rises: each step moves closer to where it holds).
 */
async function calibrate(run: SplitRun): Promise<number> {
  const { ctx, rec, workload, dep, settings } = run;
  const grace = ctx.objective.chatGraceMs;
  await dep.balancer!.activate([0]);
  const one = deploymentSubject(dep, rec.runtime, grace, [0]);
  const sat = await one.drive(workload, {
    model: 'closed',
    connections: ctx.suite.connections[0]!,
    durationMs: 300,
    warmupMs: ctx.suite.rewarmMs,
    signal: ctx.signal,
  });
  const cores = ctx.lab.cpus.server.length;
  let rate = Math.max(50, sat.rps / 3);
  for (const metered of CALIBRATE_MS) {
    if (ctx.signal?.aborted) break;
    const probe1 = { ...run, settings: { ...settings, sliceMs: GUARD_MS + metered } };
    const [probe] = await httpDrive(probe1, [{ round: 0, n: 1, active: [0] }], {
      model: 'open',
      rate,
      connections: connectionsFor(rate, ctx.objective.sloP99Ms),
    });
    const us = (probe?.replicasUs ?? 0) + (probe?.balancerUs ?? 0);
    if (!(us > 0)) break;
    rate = Math.max(50, Math.round((settings.busy * cores * 1e6) / us));
  }
  return rate;
}

/** Warm every replica on its own, set the rate, run the interleaved load(s); the rate offered (for the fault). */
export async function splitStudy(run: SplitRun): Promise<number> {
  const { ctx, rec, workload, dep, settings } = run;
  const chat = WORKLOADS[workload].protocol === 'ws';
  // Each replica warm before it is measured: N = 1 must not be the only one whose JIT is still compiling.
  for (const m of dep.members)
    await warmUntilSteady(
      stackSubject(m, rec.runtime, ctx.objective.chatGraceMs),
      workload,
      ctx.suite.connections[0]!,
      MEMBER_WARM_MS,
      ctx.signal,
    );
  const rate = chat ? CHAT_RATE : await calibrate(run);
  if (ctx.signal?.aborted) return rate;
  const drive = async (from: number) => {
    const count = Math.min(settings.rounds, settings.maxRounds - from);
    const slices = slicePlan(run.replicas, count, dep.members.length, !chat, from);
    const got = chat
      ? await chatDrive(run, slices, rate)
      : await httpDrive(run, slices, {
          model: 'open',
          rate,
          connections: connectionsFor(rate, ctx.objective.sloP99Ms),
        });
    // Slices are numbered across the loads, in the order they ran.
    return { slices, probes: got.map((p) => ({ ...p, slice: p.slice + from * run.replicas.length })) };
  };
  const first = await drive(0);
  // More rounds while a ratio is still wide, up to maxRounds in all.
  const probes: SplitProbe[] = first.probes;
  for (
    let from = settings.rounds;
    from < settings.maxRounds && !ctx.signal?.aborted && widestSpread(probes) > settings.within;
    from += settings.rounds
  )
    probes.push(...(await drive(from)).probes);
  const slices = first.slices;
  if (settings.saturation && !chat && !ctx.signal?.aborted) {
    const sat = await httpDrive(run, slices, { model: 'closed', connections: ctx.suite.connections[0]! });
    for (const [k, s] of sat.entries()) {
      const p = probes[k];
      if (!p) continue;
      p.saturationRps = (s.units * 1000) / (settings.sliceMs - GUARD_MS);
      p.saturationUs = s.replicasUs;
    }
  }
  ctx.results.splits ??= [];
  ctx.results.splits.push(...probes);
  ctx.save();
  return rate;
}
