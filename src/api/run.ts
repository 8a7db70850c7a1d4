// run(): the main job as a function — verify, measure, analyse, write the reports — for the `run` command and for
// programs that use stackbench as a library. Options are typed values (the CLI parses its flags into them);
// everything a run needs is checked before anything starts, each problem a StackbenchError naming the fix.
import { resolve } from 'node:path';
import { analyze } from '../analysis/index.js';
import { StackbenchError } from '../errors.js';
import { affinityOf, pinSelf, planCpus } from '../machine/cpuset.js';
import { writeReports, type ReportFiles } from '../report/index.js';
import { prepareOutDir } from '../results/store.js';
import type { Results, SuiteName } from '../results/types.js';
import { runLab, type RunEvent, type RunOptions as LabOptions } from '../runner/runner.js';
import { scalingBlocker, type ScalingOptions } from '../runner/scaling.js';
import {
  DEFAULT_CFS_PERIOD_US,
  DEFAULT_MAX_ERROR_RATE,
  DEFAULT_SLO_MS,
  suiteByName,
  type Suite,
} from '../runner/suites.js';
import { DATA_ROWS, ML_BATCH, ML_WIDTH, type MlSize, type SweepOptions } from '../runner/sweep.js';
import type { StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import { resolveSelection, type Selection } from './select.js';

export type { RunEvent } from '../runner/runner.js';

export interface RunOptions extends Selection {
  /** quick (default: minutes) or full (16..512 connections, 5 s runs, finer capacity search). */
  suite?: SuiteName;
  /** Results folder; default results/<date-time> under the current folder. */
  outDir?: string;
  /** Replace the results of an earlier run in outDir (refused otherwise). */
  force?: boolean;
  /** p99 objective of the capacity search, ms (default 100). */
  sloP99Ms?: number;
  /** Error rate the capacity search allows (default 0.001). */
  maxErrorRate?: number;
  /** Override the suite: measured time of each closed-loop run (and of each capacity probe), ms. */
  durationMs?: number;
  /** Override the suite: runs per headline figure (3 or more for an interval). */
  repetitions?: number;
  /** Override the suite: closed-loop levels, headline first. */
  connections?: number[];
  /** Override the suite: open-loop probes of the capacity search (0 skips capacity). */
  probes?: number;
  /** The horizontal-scaling study: 'on' (default), 'off', or 'only' (the study alone). */
  scaling?: 'on' | 'off' | 'only';
  /** Override the suite: replica counts the scaling study sweeps. */
  replicas?: number[];
  /** CFS period of the replicas' CPU quotas, ms (default 20). */
  cfsPeriodMs?: number;
  /** The ML and data size sweep, on the families of ml and data selected: 'on' (default) or 'off'. */
  sweep?: 'on' | 'off';
  /** Override the suite: the ML sweep's sizes. */
  mlSizes?: MlSize[];
  /** Override the suite: the data sweep's rows. */
  dataRows?: number[];
  /** The cores the servers get (default: the upper half of this process's). */
  serverCpus?: number[];
  /** The cores the load generator (this process) gets while the run lasts (default: the rest). */
  generatorCpus?: number[];
  /** Use ports from this one upward instead of free ones the kernel picks. */
  basePort?: number;
  /** Abort to stop: the run winds down, keeps what was measured and resolves with status 'interrupted'. */
  signal?: AbortSignal;
  /** Progress: a stack starting, a cell, a load phase, each point measured. */
  onEvent?: (e: RunEvent) => void;
  /** Called once everything is checked and the folder is ready, before anything starts. */
  onPlan?: (plan: RunPlan) => void;
}

/** A run as it will happen: the options resolved and checked — what the lab runs, without its callbacks. */
export interface RunPlan extends Omit<LabOptions, 'signal' | 'onEvent' | 'cpus' | 'main'> {
  cpus: NonNullable<LabOptions['cpus']>;
  /** The main matrix runs (false: the scaling study alone). */
  main: boolean;
}

export interface RunOutput {
  /** The results, with their analysis; status 'interrupted' when the signal stopped the run. */
  results: Results;
  outDir: string;
  /** results.json, report.md, report.html, points.csv, headline.csv. */
  files: ReportFiles;
}

/** An integer option within [min, max] (the CLI checks its flags the same way, by their names). */
function intIn(name: string, v: number, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new StackbenchError('SB_BAD_NUMBER', [name, String(v), `an integer from ${min} to ${max}`], [name]);
  return v;
}

function suiteOf(o: RunOptions): Suite {
  const suite = { ...suiteByName(o.suite ?? 'quick') };
  if (o.durationMs !== undefined) {
    if (!(o.durationMs > 0) || o.durationMs > 3_600_000)
      throw new StackbenchError('SB_BAD_DURATION', [`${o.durationMs}ms`]);
    suite.durationMs = suite.probeMs = o.durationMs;
  }
  if (o.repetitions !== undefined) suite.repetitions = intIn('repetitions', o.repetitions, 1, 100);
  if (o.probes !== undefined) suite.probes = intIn('probes', o.probes, 0, 20);
  if (o.connections !== undefined) {
    if (o.connections.length === 0)
      throw new StackbenchError(
        'SB_BAD_NUMBER',
        ['connections', '[]', 'at least one level'],
        ['connections'],
      );
    suite.connections = o.connections.map((c) => intIn('connections', c, 1, 10_000));
  }
  return suite;
}

/** The sweep on the families of ml and data the run selected; none selected, no sweep. */
function sweepOf(o: RunOptions, suite: Suite, workloads: WorkloadId[]): SweepOptions | undefined {
  const mode = o.sweep ?? 'on';
  if (mode !== 'on' && mode !== 'off')
    throw new StackbenchError('SB_BAD_FLAG', [`bad --sweep "${String(mode)}": expected on or off`], ['run']);
  for (const s of o.mlSizes ?? []) {
    const ok = (v: number, r: { min: number; max: number }) =>
      Number.isInteger(v) && v >= r.min && v <= r.max;
    if (!ok(s.batch, ML_BATCH) || !ok(s.width, ML_WIDTH))
      throw new StackbenchError(
        'SB_BAD_NUMBER',
        [
          'mlSizes',
          `${s.batch}x${s.width}`,
          `batch ${ML_BATCH.min}..${ML_BATCH.max} and width ${ML_WIDTH.min}..${ML_WIDTH.max}`,
        ],
        ['mlSizes'],
      );
  }
  for (const n of o.dataRows ?? []) intIn('dataRows', n, DATA_ROWS.min, DATA_ROWS.max);
  const ml = o.mlSizes ?? suite.sweep.ml;
  const dataRows = o.dataRows ?? suite.sweep.dataRows;
  const families = (['ml', 'data'] as const).filter((f) => workloads.includes(f));
  return mode === 'off' || families.length === 0 ? undefined : { ...suite.sweep, families, ml, dataRows };
}

/**
 * The scaling study as the options and the suite ask for it. Asked for explicitly (scaling 'only', replicas),
 * what it needs must be here (a balancer; cgroups when replicas need quotas): otherwise bad input, with the fix.
 */
function scalingOf(
  o: RunOptions,
  suite: Suite,
  selected: { stacks: StackId[]; workloads: WorkloadId[] },
  serverCpus: number[],
): ScalingOptions | undefined {
  const mode = o.scaling ?? 'on';
  if (!['on', 'off', 'only'].includes(mode))
    throw new StackbenchError(
      'SB_BAD_FLAG',
      [`bad --scaling "${String(mode)}": expected on, off or only`],
      ['run'],
    );
  if (mode === 'off') return undefined;
  const replicas =
    o.replicas === undefined ? suite.scaling.replicas : o.replicas.map((n) => intIn('replicas', n, 1, 64));
  const periodMs =
    o.cfsPeriodMs === undefined ? DEFAULT_CFS_PERIOD_US / 1000 : intIn('cfsPeriodMs', o.cfsPeriodMs, 1, 1000);
  const explicit = mode === 'only' || o.replicas !== undefined;
  if (explicit) {
    const blocked = scalingBlocker(serverCpus, Math.max(...replicas));
    if (blocked) throw new StackbenchError('SB_SCALING_UNAVAILABLE', [blocked.reason], [blocked.fix]);
  }
  // 'only' studies the workloads asked for; alongside the main run, those of the suite's that were selected.
  const workloads =
    o.workloads === undefined
      ? suite.scaling.workloads
      : mode === 'only'
        ? selected.workloads
        : suite.scaling.workloads.filter((w) => selected.workloads.includes(w));
  if (workloads.length === 0) return undefined;
  return {
    workloads,
    replicas: [...new Set([1, ...replicas])].sort((a, b) => a - b),
    forms: suite.scaling.forms,
    stacks: o.stacks !== undefined ? selected.stacks : suite.scaling.stacks,
    periodUs: periodMs * 1000,
    faults: suite.scaling.faults.filter((w) => workloads.includes(w)),
  };
}

function stamp(): string {
  return new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
}

/** Resolve and check the options (nothing is started or written): what run() would do. */
export function planRun(o: RunOptions = {}): RunPlan {
  const suite = suiteOf(o);
  const { stacks, workloads } = resolveSelection(o);
  const cpus = { server: o.serverCpus, generator: o.generatorCpus };
  const sweep = sweepOf(o, suite, workloads);
  const scaling = scalingOf(o, suite, { stacks, workloads }, planCpus(cpus).server);
  const sloP99Ms = o.sloP99Ms === undefined ? DEFAULT_SLO_MS : intIn('sloP99Ms', o.sloP99Ms, 1, 60_000);
  const maxErrorRate = o.maxErrorRate ?? DEFAULT_MAX_ERROR_RATE;
  if (!(maxErrorRate >= 0 && maxErrorRate <= 1))
    throw new StackbenchError('SB_BAD_NUMBER', ['maxErrorRate', String(maxErrorRate), 'a rate from 0 to 1']);
  const basePort = o.basePort === undefined ? undefined : intIn('basePort', o.basePort, 1024, 65000);
  return {
    suite,
    stacks,
    workloads,
    outDir: resolve(o.outDir ?? `results/${stamp()}`),
    sloP99Ms,
    maxErrorRate,
    basePort,
    cpus,
    scaling,
    sweep,
    main: o.scaling !== 'only',
  };
}

/**
 * The main job: every stack alone on the server cores, verified, then measured; results.json rewritten after every
 * point; at the end the analysis and the reports (report.md, report.html, points.csv, headline.csv) in outDir.
 * Every process it starts is stopped before it resolves (and at the latest when the host process exits).
 */
export async function run(options: RunOptions = {}): Promise<RunOutput> {
  const plan = planRun(options);
  prepareOutDir(plan.outDir, { replace: options.force === true });
  options.onPlan?.(plan);
  // The lab pins this process to the generator cores while it measures; a host gets its cores back after.
  const affinity = affinityOf(process.pid);
  let results: Results;
  try {
    results = await runLab({ ...plan, signal: options.signal, onEvent: options.onEvent });
  } finally {
    if (affinity && affinity.join() !== affinityOf(process.pid)?.join()) pinSelf(affinity);
  }
  results.analysis = analyze(results);
  const files = writeReports(results, plan.outDir);
  return { results, outDir: plan.outDir, files };
}
