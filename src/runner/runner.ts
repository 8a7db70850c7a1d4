// The runner: stacks x workloads x points. Each stack runs alone on the server cores, is verified first (a
// workload that fails verification is not measured), then measured: closed-loop runs (the headline level
// `repetitions` times, other levels once) and a capacity search. results.json is rewritten after every point.
import { withLab, type LabRun } from '../lab/session.js';
import type { CpuPlan } from '../machine/cpuset.js';
import type { Results, StackRecord } from '../results/types.js';
import type { Catalog } from '../stacks/catalog.js';
import type { StackId } from '../stacks/registry.js';
import { checkWorkloads } from '../verify/verify.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';
import { measureCell, type CellContext } from './cell.js';
import type { Generator } from './generator.js';
import type { Objective } from './objective.js';
import { recording, type Recorder, type RunEvent } from './record.js';
import { runScaling, type ScalingOptions } from './scaling.js';
import { stackSubject } from './subject.js';
import type { Suite } from './suites.js';
import { runSweep, type SweepOptions } from './sweep.js';

export interface RunOptions {
  suite: Suite;
  /** Server and generator cores, planned before this process pins itself to the generator's. */
  cpus: CpuPlan;
  /** The horizontal-scaling study, after the main run (or alone, with `main: false`). */
  scaling?: ScalingOptions;
  /** Run the main matrix (stacks x workloads); false runs the scaling study alone. */
  main: boolean;
  /** The ML and data sweep, after the main run. */
  sweep?: SweepOptions;
  stacks: StackId[];
  /** Reference stacks the suite left out (quick: all but each class's leader), named in a note. */
  leftOut?: StackId[];
  workloads: WorkloadId[];
  /** The stacks this run knows (the reference ones and the user's). */
  catalog: Catalog;
  outDir: string;
  objective: Objective;
  basePort?: number;
  /** What sends every load (generator.ts): this host's engine unless the run has agents. */
  generator?: Generator;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

export type { RunEvent } from './record.js';

function runConfig(opts: RunOptions): Results['config'] {
  return {
    stacks: opts.stacks,
    workloads: opts.workloads,
    durationMs: opts.suite.durationMs,
    warmupMs: opts.suite.warmupMs,
    repetitions: opts.suite.repetitions,
    connections: opts.suite.connections,
    sloP99Ms: opts.objective.sloP99Ms,
    maxErrorRate: opts.objective.maxErrorRate,
    probeMs: opts.suite.probeMs,
    instances: [opts.cpus.server.length],
  };
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

/** The lab's schedule: every stack alone on the server cores, stack by stack; then the sweep and the study. */
export async function runLab(opts: RunOptions): Promise<Results> {
  const how = { suite: opts.suite.name, config: runConfig(opts), cpus: opts.cpus, outDir: opts.outDir };
  const watch = { signal: opts.signal, onEvent: opts.onEvent, generator: opts.generator };
  return recording({ ...how, ...watch }, async (record) => {
    const { results, save } = record;
    if (!opts.suite.searchAll) {
      const searched = opts.workloads.filter((w) => WORKLOADS[w].concurrency);
      results.notes.push(
        `${opts.suite.name} suite: capacity is searched where the claim is about concurrency (${searched.join(', ') || 'none here'}); --suite full searches every workload`,
      );
    }
    if (opts.leftOut?.length)
      results.notes.push(
        `${opts.suite.name} suite: the leading stack of each server class per runtime (${opts.stacks.join(', ')}); left for --suite full or --stacks: ${opts.leftOut.join(', ')}`,
      );
    const labWorkloads = [...new Set([...opts.workloads, ...(opts.scaling?.workloads ?? [])])];
    const labOpts = { workloads: labWorkloads, basePort: opts.basePort, signal: opts.signal };
    await withLab({ ...labOpts, cpus: opts.cpus, catalog: opts.catalog }, async (lab) => {
      results.machine.postgres = lab.services.postgres?.version;
      for (const [w, u] of Object.entries(lab.services.unavailable))
        results.notes.push(`${w}: not measured: ${u.missing} — fix: ${u.fix}`);
      // Every stack is recorded up front: its facts are known even if the run never reaches it.
      results.stacks = opts.stacks.map((id) => lab.record(id));
      for (const rec of results.stacks.filter((r) => r.failure))
        results.notes.push(`${rec.id}: not measured: ${rec.failure!.reason} — fix: ${rec.failure!.fix}`);
      save();
      if (opts.main) await runMatrix(lab, opts, record);
      await runStudies(lab, opts, record);
    });
  });
}

/** The main matrix: stack by stack, each verified, then measured workload by workload. */
async function runMatrix(lab: LabRun, opts: RunOptions, record: Recorder): Promise<void> {
  const cells = opts.stacks.length * opts.workloads.length;
  for (const [i, rec] of record.results.stacks.entries()) {
    if (opts.signal?.aborted) break;
    let index = i * opts.workloads.length;
    if (rec.failure) {
      record.emit({ type: 'skip', stack: rec.id, reason: rec.failure.reason });
      continue;
    }
    await runStack(rec, lab, opts, record, (w) =>
      record.emit({ type: 'cell', stack: rec.id, workload: w, index: ++index, total: cells }),
    );
  }
}

/** What follows the main run: the ML and data sweep, and the horizontal-scaling study. */
async function runStudies(lab: LabRun, opts: RunOptions, record: Recorder): Promise<void> {
  const ctx = {
    lab,
    suite: opts.suite,
    objective: opts.objective,
    signal: opts.signal,
    results: record.results,
    save: record.save,
    send: opts.generator?.send,
    step: (stack: string, note: string) => record.emit({ type: 'stack', stack, note }),
  };
  if (opts.sweep && opts.main && !opts.signal?.aborted) {
    record.emit({ type: 'stack', stack: 'sweep', note: 'ML and data at size' });
    await runSweep({ ...ctx, onPoint: (p) => record.point(p) }, opts.sweep);
  }
  if (opts.scaling && !opts.signal?.aborted) {
    // The study's subjects (scaling.ts) are made without the run's generator: say so rather than let it pass.
    if (opts.generator?.agents)
      record.results.notes.push(
        "the scaling study's loads were sent from this host's generator, not the agents (--agents covers the main run and the sweep)",
      );
    record.emit({ type: 'stack', stack: 'scaling', note: 'horizontal scaling: replicas behind a balancer' });
    await runScaling({ ...ctx, onPoint: (p) => record.point(p, 'scaling') }, opts.scaling);
  }
}

async function runStack(
  rec: StackRecord,
  lab: LabRun,
  opts: RunOptions,
  record: Recorder,
  onCell: (w: WorkloadId) => void,
): Promise<void> {
  const { signal } = opts;
  const { results, save } = record;
  record.emit({ type: 'stack', stack: rec.id, note: `starting ${rec.workers} instance(s)` });
  const started = await lab.start(rec);
  if (!started.ok) {
    rec.failure = started.failure;
    results.failures.push(`${rec.id} failed to start: ${rec.failure.reason}`);
    save();
    return;
  }
  const running = started.stack;
  const subject = stackSubject(running, rec.runtime, opts.objective.chatGraceMs, opts.generator?.send);
  const ctx: CellContext = { suite: opts.suite, objective: opts.objective, record, signal };
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
      const halted = () => signal?.aborted === true || subject.exited() || lost();
      const search = opts.suite.searchAll || WORKLOADS[w].concurrency;
      await measureCell(ctx, subject, w, { halted, lost, search });
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
