// The horizontal-scaling study: for each chosen stack and workload, N = 1, 2, 4.. replicas behind a private
// balancer. First what splitting costs (split.ts: the CPU per request of N replicas against one at the same
// rate, no quota); then, where the suite asks (full), capacity under the SLO at each N with each replica under
// a CPU quota — and in the stack's native form (its own N workers). Last one fault: a replica SIGKILLed
// mid-run at the largest N, with the errors clients saw and how long until they stopped.
import { derive, measured } from '../analysis/derive.js';
import { findBalancer } from '../lab/balancer.js';
import { planBudget, type BudgetPlan, type Deployment, type Form } from '../lab/deployment.js';
import { cgroupSupport, cleanupStaleBudgets } from '../machine/cgroup.js';
import { groupCpuSeconds } from '../probes/proctree.js';
import type { Capacity, Fault, Results, ScalingConfig, StackRecord } from '../results/types.js';
import type { StackId } from '../stacks/registry.js';
import { checkChatReplicas } from '../verify/chat-replicas.js';
import { CHAT_RATE, WORKLOADS, type WorkloadId } from '../workloads.js';
import { chatFanout, searchCapacity } from './capacity.js';
import { measurePoint } from './measure.js';
import { splitStudy, type SplitSettings } from './split.js';
import { deploymentSubject } from './subject.js';
import type { StudyContext } from './suites.js';
import { warmUntilSteady } from './warmup.js';

export interface ScalingOptions {
  workloads: WorkloadId[];
  /** N swept, e.g. [1, 2, 4]. */
  replicas: number[];
  forms: Form[];
  /** 'leading': the best Node.js and the best Python stack of the main run on each workload. */
  stacks: 'leading' | 'all' | StackId[];
  periodUs: number;
  /** Kill one replica at the largest N, per chosen stack, on these workloads. */
  faults: WorkloadId[];
  /** The split-cost probes (absent: none). */
  split?: SplitSettings;
  /** Also search capacity at each N with every replica under its CPU quota (the older form; full suite). */
  capacity: boolean;
}

/** Why the study cannot run here (no cgroup for quotas, no balancer), with the fix; undefined when it can. */
export function scalingBlocker(
  serverCpus: number[],
  maxN: number,
): { reason: string; fix: string } | undefined {
  const haproxy = findBalancer('haproxy');
  if (!haproxy.ok)
    return { reason: haproxy.missing ?? 'HAProxy is missing', fix: haproxy.fix ?? 'apt-get install haproxy' };
  if (serverCpus.length < maxN + 1) {
    const cg = cgroupSupport();
    if (!cg.ok)
      return {
        reason: `replicas need CPU quotas on ${serverCpus.length} server core(s): ${cg.reason}`,
        fix: cg.fix,
      };
  }
  return undefined;
}

/** How the split-cost study ran, in words: said with every figure it gives. */
function splitText(plan: BudgetPlan, serverCores: number, sp: SplitSettings): string {
  const where =
    plan.kind === 'pinned'
      ? `replicas on ${plan.coresEach} pinned core${plan.coresEach === 1 ? '' : 's'} each`
      : `N replicas sharing ${serverCores} server core${serverCores === 1 ? '' : 's'} with the balancer, no quota`;
  return `${where}; the N's take turns in ${sp.sliceMs} ms slices of one load, ${sp.rounds} rounds${sp.maxRounds > sp.rounds ? ` (up to ${sp.maxRounds} where a ratio's interval reached past ±${Math.round(sp.within * 100)} %)` : ''}; the rate keeps the server core${serverCores === 1 ? '' : 's'} ${Math.round(sp.busy * 100)} % busy with one replica (chat: ${CHAT_RATE} messages/s)`;
}

/** The stacks to sweep on a workload: the best of each runtime in the main run (capacity first), or as asked. */
function chosen(opts: ScalingOptions, results: Results, workload: WorkloadId, form: Form): StackRecord[] {
  const available = results.stacks.filter((s) => s.available && !s.failure);
  if (Array.isArray(opts.stacks)) return available.filter((s) => opts.stacks.includes(s.id));
  // A user's stack is scaled when named (--stacks): its health checks and paths are its own.
  const reference = available.filter((s) => !s.implements);
  if (opts.stacks === 'all') return reference;
  const w = derive(results).workloads.find((x) => x.workload === workload);
  // A replica of node-cluster would be a primary and one worker: the balancer already does the primary's job,
  // so the replicas are of the best single-process Node.js stack; the cluster's own N is its native form.
  const replicable = (id: string) =>
    form !== 'replicas' || reference.find((r) => r.id === id)?.serverClass !== 'event loop x N';
  const figs = measured(w).filter((f) => reference.some((r) => r.id === f.stack) && replicable(f.stack));
  const best = (rt: 'node' | 'python') =>
    figs
      .filter((f) => f.runtime === rt)
      .sort(
        (a, b) => (b.capacity?.value ?? b.rps?.median ?? 0) - (a.capacity?.value ?? a.rps?.median ?? 0),
      )[0]?.stack;
  // Without main-run figures on this workload, the lab's usual leaders: node-http and fastapi-uvicorn.
  const ids = [best('node') ?? 'node-http', best('python') ?? 'fastapi-uvicorn'];
  return ids.map((id) => reference.find((s) => s.id === id)).filter((s): s is StackRecord => s !== undefined);
}

export async function runScaling(ctx: StudyContext, opts: ScalingOptions): Promise<void> {
  const { lab, results } = ctx;
  const maxN = Math.max(...opts.replicas);
  const plan = planBudget(lab.cpus.server, maxN, opts.periodUs);
  const config: ScalingConfig = {
    workloads: opts.workloads,
    replicas: opts.replicas,
    forms: opts.forms,
    stacks: opts.stacks,
    budget: plan.kind,
    coresEach: plan.coresEach,
    ...(plan.periodUs ? { periodUs: plan.periodUs } : {}),
    balancer: 'haproxy',
    ...(opts.split
      ? {
          split: {
            ...opts.split,
            text: splitText(plan, lab.cpus.server.length, opts.split),
          },
        }
      : {}),
  };
  results.config.scaling = config;
  const blocked = scalingBlocker(lab.cpus.server, maxN);
  if (blocked) {
    config.notMeasured = `${blocked.reason} — fix: ${blocked.fix}`;
    results.notes.push(`horizontal scaling: not measured: ${config.notMeasured}`);
    ctx.save();
    return;
  }
  if (plan.kind === 'quota' || cgroupSupport().ok) cleanupStaleBudgets();
  results.faults ??= [];
  const series: Series[] = [];
  for (const workload of opts.workloads)
    for (const form of opts.forms)
      for (const rec of chosen(opts, results, workload, form))
        if (!rec.verification[workload] || rec.verification[workload]!.status === 'pass')
          series.push({ ctx, rec, workload, opts, plan, form });
  // Stack by stack, so that one deployment of the replicas serves a stack's workloads in turn.
  const first = (x: Series) => series.findIndex((y) => y.rec.id === x.rec.id && y.form === x.form);
  series.sort((a, b) => first(a) - first(b));
  const held: Held = {};
  try {
    for (const x of series) {
      if (ctx.signal?.aborted) return;
      ctx.step?.(
        'scaling',
        `${x.rec.id} · ${x.workload}, ${x.form === 'replicas' ? 'replicas behind HAProxy' : 'its own workers'}`,
      );
      if (x.form === 'replicas') await replicaSeries(x, held);
      else await nativeSeries(x);
    }
  } finally {
    await held.dep?.stop();
  }
}

/**
 * The replicas' deployment kept for the stack's next workload: starting 4 replicas and HAProxy took ~5 s of a
 * 28 s pair here. Not kept once a fault killed a replica or the capacity search put quotas on them.
 */
interface Held {
  id?: string;
  dep?: Deployment;
}

/** One stack's series on one workload, in one form: what each of its steps is about. */
interface Series {
  ctx: StudyContext;
  rec: StackRecord;
  workload: WorkloadId;
  opts: ScalingOptions;
  plan: BudgetPlan;
  form: Form;
}

/** Deploy with no quota yet; undefined (with a note) if it cannot start. */
async function deployOnly(s: Series, form: Form, n: number): Promise<Deployment | undefined> {
  const { ctx, rec, workload, plan } = s;
  try {
    return await ctx.lab.deploy(rec, form, n, plan, { unlimited: true });
  } catch (e) {
    if ((e as { code?: string }).code === 'SB_INTERRUPTED') throw e;
    ctx.results.notes.push(
      `scaling: ${rec.id} ${form} x${n} on ${workload}: not measured: ${(e as Error).message.split('\n')[0]}`,
    );
    ctx.save();
    return undefined;
  }
}

/** Warm at full speed, then put every member under its budget (the caller stops the deployment). */
async function warmAndLimit({ ctx, rec, workload }: Series, dep: Deployment) {
  const subject = deploymentSubject(dep, rec.runtime, ctx.objective.chatGraceMs);
  // A replica in production is warm; a JIT warming on an eighth of a core would take many seconds.
  await warmUntilSteady(subject, workload, ctx.suite.connections[0]!, ctx.suite.warmupMs, ctx.signal);
  dep.limit();
}

/**
 * The replicas form: one deployment of the largest N for the whole series, N set at the balancer (the others
 * set aside: idle, they take no CPU). The split cost first, with no quota; then, where asked, capacity at
 * every N under the quotas; last the fault at the largest N.
 */
async function replicaSeries(s: Series, held: Held): Promise<void> {
  const { ctx, rec, workload, opts } = s;
  const maxN = Math.max(...opts.replicas);
  if (held.dep && held.id !== rec.id) {
    await held.dep.stop();
    held.dep = undefined;
  }
  const dep = held.dep ?? (await deployOnly(s, 'replicas', maxN));
  if (!dep) return;
  held.id = rec.id;
  held.dep = dep;
  let keep = false;
  try {
    const chat = WORKLOADS[workload].protocol === 'ws';
    const crossReplica =
      chat && maxN >= 2 ? await checkChatReplicas(dep.members.map((m) => m.port)) : undefined;
    if (crossReplica?.length)
      ctx.results.failures.push(
        `${rec.id}: chat across ${maxN} replicas failed the check: ${crossReplica.join('; ')}`,
      );
    let rate: number | undefined;
    if (opts.split && !crossReplica?.length)
      rate = await splitStudy({ ctx, rec, workload, dep, settings: opts.split, replicas: opts.replicas });
    if (opts.capacity) {
      await warmAndLimit(s, dep);
      let previous: Capacity | undefined;
      for (const n of opts.replicas) {
        if (ctx.signal?.aborted) return;
        await dep.balancer!.activate(n);
        const cross = n >= 2 ? crossReplica : undefined;
        previous = await measureAt(s, dep, n, previous, cross);
      }
    }
    if (opts.faults.includes(workload) && maxN >= 2 && !ctx.signal?.aborted) {
      await dep.balancer!.activate(maxN);
      const fault = await faultRun(s, dep, rate);
      if (fault) ctx.results.faults!.push(fault);
      ctx.save();
      return;
    }
    keep = !opts.capacity && !dep.members.some((m) => m.proc.exited);
  } finally {
    if (!keep) {
      held.dep = undefined;
      await dep.stop();
    }
  }
}

/** The native form: the stack's own N workers, one deployment per N. */
async function nativeSeries(s: Series): Promise<void> {
  let previous: Capacity | undefined;
  for (const n of s.opts.replicas) {
    if (s.ctx.signal?.aborted) return;
    const dep = await deployOnly(s, 'native', n);
    if (!dep) continue;
    try {
      await warmAndLimit(s, dep);
      previous = await measureAt(s, dep, n, previous, undefined);
    } finally {
      await dep.stop();
    }
  }
}

/**
 * One capacity search at N on a deployment already warm and under its budgets (the replicas form sets the
 * others aside at the balancer): recorded with how it was deployed, the balancer's cost and each replica's share.
 */
async function measureAt(
  s: Series,
  dep: Deployment,
  n: number,
  previous: Capacity | undefined,
  crossReplica: string[] | undefined,
): Promise<Capacity> {
  const { ctx, rec, workload, plan } = s;
  const form = dep.form;
  const subject = deploymentSubject(
    dep,
    rec.runtime,
    ctx.objective.chatGraceMs,
    form === 'native' ? undefined : n,
  );
  const chat = WORKLOADS[workload].protocol === 'ws';
  const headline = ctx.suite.connections[0]!;
  // Warm at full speed before (deploy), so a short settling run at this N and budget is all it needs.
  await warmUntilSteady(subject, workload, headline, 600, ctx.signal);
  // Where to start: the last capacity scaled by N's growth; at N = 1 a closed loop through the balancer (chat:
  // twice its headline rate). Not the main run's figure scaled to the budget: through a balancer, on an eighth
  // of a core, that overshot threefold, and a replica that collapses under the first probe (1,000 connections,
  // a queue it cannot drain) served the next probes worse than its own capacity.
  let estimate = previous ? (previous.rps * n) / (previous.deployment?.n ?? 1) : 0;
  const startRate = chat ? estimate || CHAT_RATE * 2 * chatFanout(headline) : undefined;
  if (!estimate && !chat) {
    const p = await measurePoint({
      subject,
      workload,
      kind: 'closed',
      model: 'closed',
      connections: headline,
      durationMs: ctx.suite.probeMs,
      warmupMs: ctx.suite.rewarmMs,
      rep: 0,
      objective: ctx.objective,
      signal: ctx.signal,
    });
    await ctx.onPoint(p);
    estimate = p.rps;
  }
  // The balancer's CPU and the requests it passed, read after every probe: its cost per request at the
  // capacity is the probe's that found it, not an average over probes far past the ceiling (where thousands
  // of new connections cost it more per request than steady traffic does).
  const lbPid = dep.balancer?.proc.pid;
  const passedSoFar = async () => {
    const st = dep.balancer ? await dep.balancer.stats() : undefined;
    return st?.perUpstream ? st.perUpstream.reduce((a, u) => a + u.requests, 0) : 0;
  };
  const lbAt: Array<{ rps: number; met: boolean; cpu: number; passed: number }> = [];
  let mark = { cpu: lbPid ? groupCpuSeconds(lbPid) : 0, passed: await passedSoFar() };
  const before = dep.balancer ? await dep.balancer.stats() : undefined;
  const budgets = form === 'native' ? dep.budgets : dep.budgets.slice(0, n);
  const throttle0 = budgets.map((b) => b.stats());
  let served = 0;
  const cap = await searchCapacity({
    subject,
    workload,
    estimateRps: estimate,
    startRate,
    connections: headline,
    probes: ctx.suite.probes,
    precision: ctx.suite.precision,
    objective: ctx.objective,
    durationMs: ctx.suite.scalingProbeMs,
    warmupMs: ctx.suite.rewarmMs,
    signal: ctx.signal,
    onPoint: async (p) => {
      served += p.requests;
      if (lbPid) {
        const now = { cpu: groupCpuSeconds(lbPid), passed: await passedSoFar() };
        lbAt.push({ rps: p.rps, met: false, cpu: now.cpu - mark.cpu, passed: now.passed - mark.passed });
        mark = now;
      }
      await ctx.onPoint(p);
    },
  });
  const after = dep.balancer ? await dep.balancer.stats() : undefined;
  const shares =
    before?.perUpstream && after?.perUpstream
      ? after.perUpstream.slice(0, n).map((u, i) => u.requests - (before.perUpstream![i]?.requests ?? 0))
      : undefined;
  const total = shares?.reduce((a, b) => a + b, 0) ?? 0;
  // Per request the balancer passed (its own counters: warm-ups and failed probes included); chat: per
  // delivery, since a WebSocket is one request for its whole life.
  const atCap = lbAt.find((x) => x.rps === cap.rps) ?? lbAt.at(-1);
  const lbCpu = atCap ? atCap.cpu : 0;
  const passed =
    chat || !atCap?.passed ? (atCap ? cap.rps * (ctx.suite.scalingProbeMs / 1000) : served) : atCap.passed;
  const lbUsPerRequest = lbPid && passed > 0 ? (lbCpu * 1e6) / passed : undefined;
  const periods = budgets.map((b, i) => {
    const s = b.stats();
    return {
      periods: s.nrPeriods - throttle0[i]!.nrPeriods,
      throttled: s.nrThrottled - throttle0[i]!.nrThrottled,
    };
  });
  const allPeriods = periods.reduce((a, p) => a + p.periods, 0);
  cap.deployment = {
    form,
    n,
    budget: {
      kind: plan.kind,
      coresEach: plan.coresEach,
      ...(plan.periodUs ? { periodUs: plan.periodUs } : {}),
      text: plan.describe(n, form),
    },
    ...(dep.balancer && lbUsPerRequest !== undefined
      ? {
          balancer: {
            kind: dep.balancer.kind,
            version: dep.balancer.version,
            cpuUsPerRequest: lbUsPerRequest ?? 0,
            // What it had, beside what it used: analysis decides whether it was the limit.
            cores: Math.min(1, plan.balancerCores),
            ...(shares && total > 0 ? { shares: shares.map((s) => s / total) } : {}),
          },
        }
      : {}),
    ...(allPeriods > 0 ? { throttled: periods.reduce((a, p) => a + p.throttled, 0) / allPeriods } : {}),
    ...(crossReplica ? { crossReplica } : {}),
  };
  cap.instances = n;
  ctx.results.capacities.push(cap);
  ctx.save();
  return cap;
}

const FAULT_SLICE_MS = 100;
/** A second of steady traffic, the kill, two seconds to see the balancer route around it. */
const FAULT_WINDOW_MS = 3000;
const KILL_AT_MS = 1000;

/** One replica of n SIGKILLed mid-run: what the clients saw through the balancer, and how long it lasted. */
async function faultRun(
  { ctx, rec, workload }: Series,
  dep: Deployment,
  /** The split study's rate, when no capacity was searched. */
  splitRate?: number,
): Promise<Fault | undefined> {
  const n = dep.n;
  {
    const subject = deploymentSubject(dep, rec.runtime, ctx.objective.chatGraceMs);
    const chat = WORKLOADS[workload].protocol === 'ws';
    const headline = ctx.suite.connections[0]!;
    await warmUntilSteady(subject, workload, headline, 600, ctx.signal);
    // At half the capacity just measured: a load the N replicas carry easily, so errors are the fault's alone.
    const cap = ctx.results.capacities.find(
      (c) =>
        c.stack === rec.id &&
        c.workload === workload &&
        c.deployment?.form === 'replicas' &&
        c.deployment.n === n,
    );
    // Or at the split study's rate: a share of one replica's saturation, which 4 carry easily too.
    const rate = chat ? CHAT_RATE : Math.max(50, cap ? cap.rps / 2 : (splitRate ?? 1000));
    const victim = dep.members[0]!;
    const kill = setTimeout(() => {
      try {
        process.kill(-victim.proc.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, KILL_AT_MS);
    let r;
    try {
      r = await subject.drive(workload, {
        model: 'open',
        connections: chat ? headline : Math.max(64, Math.ceil(rate / 20)),
        rate,
        durationMs: FAULT_WINDOW_MS,
        signal: ctx.signal,
        timelineMs: FAULT_SLICE_MS,
        reconnect: true,
      });
    } finally {
      clearTimeout(kill);
    }
    const timeline = r.timeline ?? { sliceMs: FAULT_SLICE_MS, ok: [], errors: [] };
    const lastError = timeline.errors.reduce((last, e, i) => (e > 0 ? i : last), -1);
    const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
    const ws = r.ws;
    const stillFailing = lastError >= timeline.errors.length - 2 && errors > 0;
    return {
      stack: rec.id,
      workload,
      n,
      killedAtMs: KILL_AT_MS,
      requests: r.requests,
      errors,
      errorKinds: r.errors,
      recoveryMs:
        errors === 0 ? 0 : stillFailing ? null : Math.max(0, (lastError + 1) * FAULT_SLICE_MS - KILL_AT_MS),
      ...(ws ? { reconnects: ws.reconnects, drops: ws.drops } : {}),
      timeline: { sliceMs: FAULT_SLICE_MS, ok: timeline.ok, errors: timeline.errors },
    };
  }
}
