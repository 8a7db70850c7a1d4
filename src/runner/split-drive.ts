// The split-cost study's one load per stack and workload: N = 1, 2 and 4 take turns slice by slice under one
// continuous load, and every slice is metered on its own. A slow moment of the machine (steal, a neighbour, the
// host's other tenants) lasts longer than a slice, so the N's of one round see the same machine: measured one
// after the other in separate probes of half a second, the same ratio moved 7-58 % between runs here; taking
// turns every 250 ms, 4-7 % (docs/BENCHMARKS.md).
// - HTTP: one open loop through the balancer, which sends to the slice's replicas (the others set aside).
// - Chat: a WebSocket is one connection for its whole life, so each N has its own members, held open from the
//   start (connected while the balancer had that N's replicas) in rooms of its own, and sends in its slices only.
// Every slice is metered from GUARD_MS after it begins to its end: requests still in flight on the slice before
// (an io wait, a delivery) finish in the guard, and replicas that sat out the slice before warm again in it.
import { monoMs } from '../engine/shard.js';
import { runLoad } from '../engine/index.js';
import type { LoadOptions, LoadPart, LoadResult } from '../engine/types.js';
import { coreDelta, coreTimes, type CoreTimes } from '../machine/procstat.js';
import { groupCpuSeconds } from '../probes/proctree.js';
import type { SplitProbe } from '../results/types.js';
import { loadFor } from './drive.js';
import type { DriveSpec } from './subject.js';
import type { SplitRun } from './split.js';

/**
 * Unmetered start of every slice. In-flight requests of the slice before (an io wait of 20 ms) end in it, and
 * a replica that sat out the slices before is warm again by its end: with 50 ms, node-http json at N = 4 read
 * 1.70x with the serving replicas rotated and 2.02x without (a cold replica at N = 1 costs more); with 150 ms,
 * 1.82x and 1.95x, and each slice's figure spread less (docs/BENCHMARKS.md).
 */
export const GUARD_MS = 150;
/**
 * Load before the first slice, off the meter, its rate ramped up over the first RAMP_MS: connections open and
 * the first N warms. With 300 ms and no ramp, the first slice's p99 read 300-360 ms and its CPU per request
 * twice the next ones' (every connection opened at once), in the calibration too.
 */
const LEAD_MS = 800;
const RAMP_MS = 300;

/** One slice of the drive: the round it belongs to, its N, and the replicas (by index) that serve it. */
export interface Slice {
  round: number;
  n: number;
  active: number[];
}

/** What a slice's meter reads: every figure as a running total. */
interface Reading {
  at: number;
  replicasUs: number;
  /** Whether every replica's figure came from its cgroup (else 10 ms ticks of its process tree). */
  exact: boolean;
  balancerUs: number;
  redisUs: number;
  cores: CoreTimes;
}

/** The CPU of the replicas, the balancer and Redis so far, µs (cgroup usage where there is one, else ticks). */
function reader(run: SplitRun): () => Reading {
  const { dep, ctx } = run;
  const redisPid = ctx.lab.services.redis?.pid;
  const usage = (i: number) => dep.budgets[i]?.stats().usageUs ?? null;
  const lbUsage = () => dep.balancerBudget?.stats().usageUs ?? null;
  return () => {
    // Each cgroup read once a reading: two reads of one replica would be two different instants.
    const used = dep.members.map((_, i) => usage(i));
    const exact = used.every((u) => u !== null);
    const replicasUs = dep.members.reduce((a, m, i) => a + (used[i] ?? groupCpuSeconds(m.proc.pid) * 1e6), 0);
    const lb = lbUsage();
    return {
      at: monoMs(),
      replicasUs,
      exact,
      balancerUs: lb ?? groupCpuSeconds(dep.balancer!.proc.pid) * 1e6,
      redisUs: redisPid ? groupCpuSeconds(redisPid) * 1e6 : 0,
      cores: coreTimes(ctx.lab.cpus.server),
    };
  };
}

const sleepUntil = (t: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, t - monoMs())));

interface Metered {
  a: Reading;
  b: Reading;
}

/**
 * Meter every slice of a load that started at `startAt` (its first slice LEAD_MS later), switching the balancer
 * to each slice's replicas as it begins when `switchTo` is given; stops early when the signal aborts.
 */
async function meter(
  run: SplitRun,
  slices: Slice[],
  startAt: number,
  switchTo?: (s: Slice) => Promise<void>,
): Promise<Metered[]> {
  const read = reader(run);
  const sliceMs = run.settings.sliceMs;
  const out: Metered[] = [];
  for (let k = 0; k < slices.length && !run.ctx.signal?.aborted; k++) {
    const begins = startAt + LEAD_MS + k * sliceMs;
    await sleepUntil(begins);
    if (switchTo) await switchTo(slices[k]!);
    await sleepUntil(begins + GUARD_MS);
    const a = read();
    await sleepUntil(begins + sliceMs);
    out.push({ a, b: read() });
  }
  return out;
}

/** Slice k's probe from its meter and the load's timeline (answers, errors and p99 of that slice). */
function probeOf(
  run: SplitRun,
  s: Slice,
  m: Metered,
  r: LoadResult,
  k: number,
  rate: number,
): SplitProbe & { slice: number } {
  const t = r.timeline;
  const metered = Math.max(1, m.b.at - m.a.at);
  // Answers in the metered part: the slice's count, less its guard's share (the load is steady within a slice).
  const units = Math.max(1, ((t?.ok[k] ?? 0) * metered) / run.settings.sliceMs);
  const per = (us: number) => us / units;
  const cores = coreDelta(m.a.cores, m.b.cores);
  const p99 = t?.p99Ms[k];
  return {
    stack: run.rec.id,
    workload: run.workload,
    n: s.n,
    round: s.round,
    slice: k,
    active: s.active,
    rate,
    units: Math.round(units),
    errors: t?.errors[k] ?? 0,
    ...(typeof p99 === 'number' ? { p99Ms: p99 } : {}),
    replicasUs: per(m.b.replicasUs - m.a.replicasUs),
    accounting: m.a.exact && m.b.exact ? 'cgroup' : 'proc',
    balancerUs: per(m.b.balancerUs - m.a.balancerUs),
    ...(run.ctx.lab.services.redis ? { redisUs: per(m.b.redisUs - m.a.redisUs) } : {}),
    systemUs: per(cores.busySeconds * 1e6),
    steal: cores.steal,
    softirq: cores.softirq,
  };
}

/** The load's options as the workload's drive builds them, with the timeline on one thread (exact p99s). */
const loadOptions = (run: SplitRun, spec: DriveSpec): LoadOptions => ({
  ...loadFor(`127.0.0.1:${run.dep.port}`, run.workload, spec, run.ctx.objective.chatGraceMs),
  threads: 1,
});

/**
 * HTTP: one load through the balancer (open at `rate`, or closed for saturation), the balancer switched to each
 * slice's replicas as the slice begins. A probe per slice.
 */
export async function httpDrive(
  run: SplitRun,
  slices: Slice[],
  load: { model: 'open'; rate: number; connections: number } | { model: 'closed'; connections: number },
): Promise<Array<SplitProbe & { slice: number }>> {
  const sliceMs = run.settings.sliceMs;
  const spec: DriveSpec = {
    ...load,
    durationMs: slices.length * sliceMs,
    warmupMs: LEAD_MS,
    timelineMs: sliceMs,
    signal: run.ctx.signal,
  };
  const opts = { ...loadOptions(run, spec), rampMs: RAMP_MS };
  const balancer = run.dep.balancer!;
  await balancer.activate(slices[0]!.active);
  const startAt = monoMs() + 20;
  const [r, metered] = await Promise.all([
    runLoad(opts, { startAt }),
    meter(run, slices, startAt, (s) => balancer.activate(s.active)),
  ]);
  const rate = load.model === 'open' ? load.rate : 0;
  return metered.map((m, k) => probeOf(run, slices[k]!, m, r, k, rate));
}

/**
 * Chat's members per N: 8 in each of 9 rooms. An odd count of rooms: members joining in turn over 2 or 4
 * replicas put every room on all of them, as a room's members land in production (with 8 rooms, round-robin
 * put each room whole on one replica, and no message crossed the broker to another).
 */
const CHAT_ROOMS_SPLIT = 9;
const CHAT_MEMBERS = 8;

/**
 * Chat: a set of members per N, each in rooms of its own, connected largest N first (the balancer sends each
 * new member to the replica holding fewest, so every set is spread evenly over its replicas), then one start
 * for all and each set sending in its N's slices. A slice's replicas are the first N (`active` of the plan).
 */
export async function chatDrive(
  run: SplitRun,
  slices: Slice[],
  rate: number,
): Promise<Array<SplitProbe & { slice: number }>> {
  const sliceMs = run.settings.sliceMs;
  const ns = [...new Set(slices.map((s) => s.n))].sort((a, b) => b - a);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  run.ctx.signal?.addEventListener('abort', onAbort, { once: true });
  let go: (t: number) => void = () => {};
  const start = new Promise<number>((r) => (go = r));
  const runs: Array<Promise<LoadResult>> = [];
  try {
    for (const n of ns) {
      await run.dep.balancer!.activate(slices.find((s) => s.n === n)!.active);
      const on = slices.flatMap((s, k) => (s.n === n ? [k] : []));
      const opts = loadOptions(run, {
        model: 'open',
        connections: CHAT_MEMBERS * CHAT_ROOMS_SPLIT,
        rate,
        durationMs: slices.length * sliceMs,
        warmupMs: LEAD_MS,
        timelineMs: sliceMs,
        signal: controller.signal,
      });
      const url = new URL(opts.url);
      url.searchParams.set('room', `split${n}r`);
      let connected: () => void = () => {};
      const joined = new Promise<void>((r) => (connected = r));
      const part: LoadPart = {
        startAt: () => {
          connected();
          return start;
        },
      };
      const ws = { ...opts.ws, rooms: CHAT_ROOMS_SPLIT, slices: { sliceMs, on } };
      const one = runLoad({ ...opts, url: url.toString(), ws }, part);
      runs.push(one);
      // A set that fails before it is connected ends the drive (the others are told to stop).
      await Promise.race([joined, one.then(() => undefined)]);
    }
    const startAt = monoMs() + 50;
    go(startAt);
    const metered = await meter(run, slices, startAt);
    const results = await Promise.all(runs);
    return metered.map((m, k) => {
      const s = slices[k]!;
      return probeOf(run, s, m, results[ns.indexOf(s.n)]!, k, rate);
    });
  } catch (e) {
    controller.abort();
    go(monoMs());
    await Promise.allSettled(runs);
    throw e;
  } finally {
    run.ctx.signal?.removeEventListener('abort', onAbort);
  }
}
