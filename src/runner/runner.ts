// The runner: stacks x workloads x points. Each stack runs alone on the server cores, is verified first (a
// workload that fails verification is not measured), then measured: closed-loop runs (the headline level
// `repetitions` times, other levels once) and a capacity search. results.json is rewritten after every point.
import { StackbenchError } from '../errors.js';
import { pinSelf, planCpus, type CpuPlan } from '../machine/cpuset.js';
import type { Point, Results, StackRecord } from '../results/types.js';
import { describeMachine, newResults } from '../results/new.js';
import { writeResultsAtomic } from '../results/store.js';
import type { StackId } from '../stacks/registry.js';
import { median } from '../analysis/stats.js';
import { checkWorkloads } from '../verify/verify.js';
import { CHAT_RATE, WORKLOADS, type WorkloadId } from '../workloads.js';
import { searchCapacity } from './capacity.js';
import { runScaling, type ScalingOptions } from './scaling.js';
import { runSweep, type SweepOptions } from './sweep.js';
import { withLab, type LabRun } from '../lab/session.js';
import { measurePoint } from './measure.js';
import { stackSubject, type Subject } from './subject.js';
import { warmUntilSteady } from './warmup.js';
import { chatGraceMs, type Suite } from './suites.js';

export interface RunOptions {
  suite: Suite;
  /** Server and generator cores as chosen (--server-cpus / --generator-cpus); half and half otherwise. */
  cpus?: { server?: number[]; generator?: number[] };
  /** The horizontal-scaling study, after the main run (or alone, with `main: false`). */
  scaling?: ScalingOptions;
  /** Run the main matrix (stacks x workloads); false runs the scaling study alone. */
  main?: boolean;
  /** The ML and data sweep, after the main run. */
  sweep?: SweepOptions;
  stacks: StackId[];
  workloads: WorkloadId[];
  outDir: string;
  sloP99Ms: number;
  maxErrorRate: number;
  basePort?: number;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

export type RunEvent =
  | { type: 'stack'; stack: StackId; note: string }
  | { type: 'cell'; stack: StackId; workload: WorkloadId; index: number; total: number }
  | { type: 'load'; stack: StackId; workload: WorkloadId; phase: string; rps: number }
  | { type: 'point'; point: Point }
  | { type: 'skip'; stack: StackId; reason: string };

/** Keep a point (rewriting results.json), as a study's kind when given. */
function record(results: Results, save: () => void, kind?: Point['kind']) {
  return async (p: Point) => {
    results.points.push(kind ? { ...p, kind } : p);
    save();
  };
}

function labResults(opts: RunOptions, cpus: CpuPlan): Results {
  return newResults(opts.suite.name, describeMachine(cpus), {
    stacks: opts.stacks,
    workloads: opts.workloads,
    durationMs: opts.suite.durationMs,
    warmupMs: opts.suite.warmupMs,
    repetitions: opts.suite.repetitions,
    connections: opts.suite.connections,
    sloP99Ms: opts.sloP99Ms,
    maxErrorRate: opts.maxErrorRate,
    probeMs: opts.suite.probeMs,
    instances: [cpus.server.length],
  });
}

/**
 * Lab services that died since the last look: each is named once, as a failure with its last log lines. What a
 * stack measured on a workload that needs the dead service is dropped (flagged), its cell made unavailable.
 */
function noteDeaths(lab: LabRun, results: Results, rec: StackRecord | undefined, save: () => void): void {
  for (const d of lab.services.deaths()) {
    results.failures.push(d.reason);
    results.notes.push(`${d.reason}${d.log.length ? `; its last lines: ${d.log.join(' / ')}` : ''}`);
  }
  if (!rec) return;
  const gone = lab.unavailableFor(rec);
  for (const [w, u] of Object.entries(gone) as Array<[WorkloadId, { missing: string; fix: string }]>) {
    const cell = rec.verification[w];
    if (!cell || cell.status === 'unavailable' || cell.status === 'unsupported') continue;
    rec.verification[w] = { status: 'unavailable', reason: u.missing, fix: u.fix };
    for (const p of results.points)
      if (p.stack === rec.id && p.workload === w && !p.flags.includes('service-died'))
        p.flags.push('service-died');
    results.capacities = results.capacities.filter((c) => !(c.stack === rec.id && c.workload === w));
  }
  save();
}

export async function runLab(opts: RunOptions): Promise<Results> {
  const cpus = planCpus(opts.cpus);
  const results = labResults(opts, cpus);
  const { serverCpus, generatorCpus } = results.machine;
  const save = () => writeResultsAtomic(results, opts.outDir);
  if (serverCpus.join() !== generatorCpus.join() && !pinSelf(generatorCpus)) {
    results.notes.push(
      'taskset is missing: the generator could not be pinned; server and generator may share cores',
    );
  }
  if (serverCpus.join() === generatorCpus.join())
    results.notes.push(`${results.machine.cpuNote}: figures are lower bounds`);
  if (!opts.suite.searchAll) {
    const searched = opts.workloads.filter((w) => WORKLOADS[w].concurrency);
    results.notes.push(
      `${opts.suite.name} suite: capacity is searched where the claim is about concurrency (${searched.join(', ') || 'none here'}); --suite full searches every workload`,
    );
  }
  save();
  try {
    // The CPU plan made above, before this process pinned itself to the generator cores: planned after the
    // pinning, it would see only those cores and put the servers on them too.
    const labWorkloads = [...new Set([...opts.workloads, ...(opts.scaling?.workloads ?? [])])];
    await withLab(
      { workloads: labWorkloads, basePort: opts.basePort, signal: opts.signal, cpus },
      async (lab) => {
        results.machine.postgres = lab.services.postgres?.version;
        for (const [w, u] of Object.entries(lab.services.unavailable))
          results.notes.push(`${w}: not measured: ${u.missing} — fix: ${u.fix}`);
        // Every stack is recorded up front: its facts are known even if the run never reaches it.
        results.stacks = opts.stacks.map((id) => lab.record(id));
        for (const rec of results.stacks.filter((r) => r.failure))
          results.notes.push(`${rec.id}: not measured: ${rec.failure!.reason} — fix: ${rec.failure!.fix}`);
        save();
        const cells = opts.stacks.length * opts.workloads.length;
        // --scaling only: no main matrix (the study verifies what it deploys by answering through it).
        for (const [i, rec] of opts.main === false ? [] : results.stacks.entries()) {
          if (opts.signal?.aborted) break;
          let index = i * opts.workloads.length;
          if (rec.failure) {
            opts.onEvent?.({ type: 'skip', stack: rec.id, reason: rec.failure.reason });
            continue;
          }
          await runStack(rec, lab, opts, results, save, (w) =>
            opts.onEvent?.({ type: 'cell', stack: rec.id, workload: w, index: ++index, total: cells }),
          );
        }
        const ctx = {
          lab,
          suite: opts.suite,
          sloP99Ms: opts.sloP99Ms,
          maxErrorRate: opts.maxErrorRate,
          signal: opts.signal,
          results,
          save,
        };
        if (opts.sweep && opts.main !== false && !opts.signal?.aborted) {
          opts.onEvent?.({ type: 'stack', stack: 'sweep', note: 'ML and data at size' });
          await runSweep({ ...ctx, onPoint: record(results, save) }, opts.sweep);
        }
        if (opts.scaling && !opts.signal?.aborted) {
          opts.onEvent?.({
            type: 'stack',
            stack: 'scaling',
            note: 'horizontal scaling: replicas behind a balancer',
          });
          await runScaling({ ...ctx, onPoint: record(results, save, 'scaling') }, opts.scaling);
        }
      },
    );
    results.status = opts.signal?.aborted ? 'interrupted' : 'complete';
  } catch (e) {
    // Interrupted while starting something: keep what was measured and report it like any interruption.
    if (e instanceof StackbenchError && e.code === 'SB_INTERRUPTED') results.status = 'interrupted';
    else {
      results.status = 'failed';
      results.notes.push(`run failed: ${(e as Error).message}`);
      throw e;
    }
  } finally {
    results.finishedAt = new Date().toISOString();
    save();
  }
  return results;
}

async function runStack(
  rec: StackRecord,
  lab: LabRun,
  opts: RunOptions,
  results: Results,
  save: () => void,
  onCell: (w: WorkloadId) => void,
): Promise<void> {
  const { signal } = opts;
  opts.onEvent?.({ type: 'stack', stack: rec.id, note: `starting ${rec.workers} instance(s)` });
  const started = await lab.start(rec);
  if (!started.ok) {
    rec.failure = started.failure;
    results.failures.push(`${rec.id} failed to start: ${rec.failure.reason}`);
    save();
    return;
  }
  const running = started.stack;
  const subject = stackSubject(running, rec.runtime, chatGraceMs(opts.sloP99Ms));
  try {
    rec.verification = await checkWorkloads(
      running.port,
      // A user's stack is checked, and measured, on what it implements.
      rec.implements ? opts.workloads.filter((w) => rec.implements!.includes(w)) : opts.workloads,
      { unavailable: lab.unavailableFor(rec) },
      undefined,
      signal,
    );
    // A service that died during the checks: its workloads' failures are the service's, not the stack's.
    noteDeaths(lab, results, rec, save);
    for (const [w, v] of Object.entries(rec.verification))
      if (v.status === 'fail') results.failures.push(`${rec.id} failed verification on ${w}: ${v.reason}`);
    save();
    for (const w of opts.workloads) {
      if (signal?.aborted) return;
      onCell(w);
      if (rec.verification[w]?.status !== 'pass') continue;
      // Stop measuring this workload as soon as a service it needs has died.
      const lost = () => {
        noteDeaths(lab, results, rec, save);
        return rec.verification[w]?.status !== 'pass';
      };
      await measureWorkload(subject, w, opts, results, save, lost);
      lost(); // a service that died during the last point
      if (running.proc.exited) {
        rec.failure = {
          reason: `crashed during ${w} (${running.proc.exitSignal ?? `exit code ${running.proc.exitCode}`})`,
          log: running.proc.log(),
          workload: w,
        };
        results.failures.push(`${rec.id} crashed during ${w}; the run went on without it`);
        save();
        return;
      }
    }
  } finally {
    await running.stop();
  }
}

async function measureWorkload(
  subject: Subject,
  workload: WorkloadId,
  opts: RunOptions,
  results: Results,
  save: () => void,
  lost: () => boolean,
): Promise<void> {
  const { suite, signal } = opts;
  const base = {
    subject,
    workload,
    maxErrorRate: opts.maxErrorRate,
    signal,
    onProgress: (rps: number) =>
      opts.onEvent?.({ type: 'load', stack: subject.id, workload, phase: '', rps }),
  };
  const record = async (p: Point) => {
    results.points.push(p);
    save();
    opts.onEvent?.({ type: 'point', point: p });
  };
  const [headline, ...levels] = suite.connections;
  // Chat has no closed loop: its headline runs hold the clients and send at a fixed message rate.
  const chat = WORKLOADS[workload].protocol === 'ws';
  const model = chat ? 'open' : 'closed';
  const rate = chat ? CHAT_RATE : undefined;
  await warmUntilSteady(subject, workload, headline!, suite.warmupMs, signal);
  const headlineRps: number[] = [];
  const halted = () => signal?.aborted || subject.exited() || lost();
  for (let rep = 0; rep < suite.repetitions && !halted(); rep++) {
    const p = await measurePoint({
      ...base,
      kind: 'closed',
      model,
      rate,
      connections: headline!,
      durationMs: suite.durationMs,
      warmupMs: suite.rewarmMs,
      rep,
    });
    headlineRps.push(p.rps);
    await record(p);
  }
  for (const c of levels) {
    if (halted()) return;
    await record(
      await measurePoint({
        ...base,
        kind: 'closed',
        model,
        rate,
        connections: c,
        durationMs: suite.durationMs,
        warmupMs: suite.rewarmMs,
        rep: 0,
      }),
    );
  }
  if (halted() || suite.probes === 0) return;
  if (!suite.searchAll && !WORKLOADS[workload].concurrency) return;
  const cap = await searchCapacity({
    ...base,
    durationMs: suite.probeMs,
    warmupMs: suite.rewarmMs,
    estimateRps: median(headlineRps),
    connections: headline!,
    probes: suite.probes,
    precision: suite.precision,
    sloP99Ms: opts.sloP99Ms,
    onPoint: record,
    halted,
  });
  if (lost()) return;
  results.capacities.push(cap);
  save();
}
