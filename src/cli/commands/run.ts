// stackbench run: the main job. Verify, measure, analyse, report — the article's question answered here.
import { resolve } from 'node:path';
import { analyze } from '../../analysis/index.js';
import { ExitCode, StackbenchError } from '../../errors.js';
import { writeReports } from '../../report/index.js';
import { terminalSummary } from '../../report/terminal.js';
import { prepareOutDir } from '../../results/store.js';
import { runLab } from '../../runner/runner.js';
import { runProgress } from '../progress.js';
import {
  cellSeconds,
  DEFAULT_CFS_PERIOD_US,
  DEFAULT_MAX_ERROR_RATE,
  DEFAULT_SLO_MS,
  suiteByName,
  type Suite,
} from '../../runner/suites.js';
import { scalingBlocker, type ScalingOptions } from '../../runner/scaling.js';
import { parseDataRows, parseMlSize, type SweepOptions } from '../../runner/sweep.js';
import { planCpus } from '../../machine/cpuset.js';
import type { StackId } from '../../stacks/registry.js';
import { interrupt } from '../../machine/process.js';
import { BUILTIN_IDS } from '../../stacks/registry.js';
import { WORKLOAD_IDS, type WorkloadId } from '../../workloads.js';
import { parseDuration, parseIntFlag } from '../args.js';
import { cpuChoice, selectRun } from '../select.js';
import { defineCommand } from '../command.js';

const flags = {
  suite: {
    type: 'string',
    value: 'NAME',
    help: 'quick (default: minutes) or full (16..512 connections, 5 s runs, finer capacity search)',
  },
  stacks: { type: 'string', value: 'a,b', help: BUILTIN_IDS.join(',') },
  workloads: { type: 'string', value: 'x,y', help: WORKLOAD_IDS.join(',') },
  out: { type: 'string', value: 'DIR', help: 'results folder (default: results/<date-time>)' },
  force: { type: 'boolean', help: 'replace the results already in --out DIR (refused otherwise)' },
  slo: {
    type: 'string',
    value: 'MS',
    help: `p99 latency objective for capacity, in ms (default ${DEFAULT_SLO_MS})`,
  },
  duration: {
    type: 'string',
    short: 'd',
    value: 'D',
    help: 'override the suite: measured time of each closed-loop run (e.g. 2s)',
  },
  reps: {
    type: 'string',
    value: 'N',
    help: 'override the suite: runs per headline figure (3 or more for an interval)',
  },
  connections: {
    type: 'string',
    value: 'a,b',
    help: 'override the suite: closed-loop levels, headline first (e.g. 64,16,256)',
  },
  probes: {
    type: 'string',
    value: 'N',
    help: 'override the suite: open-loop probes of the capacity search (0 skips capacity)',
  },
  scaling: {
    type: 'string',
    value: 'MODE',
    help: 'the horizontal-scaling study: on (default), off, or only (the study alone: replicas behind a\nbalancer, each with its CPU budget)',
  },
  sweep: { type: 'string', value: 'MODE', help: 'the ML and data size sweep: on (default) or off' },
  'ml-sizes': {
    type: 'string',
    value: 'BxW,..',
    help: "override the suite: the ML sweep's sizes, batch x width (e.g. 16x64,256x1024)",
  },
  'data-rows': {
    type: 'string',
    value: 'N,..',
    help: "override the suite: the data sweep's rows (e.g. 10k,200k,1m)",
  },
  replicas: {
    type: 'string',
    value: 'a,b',
    help: 'override the suite: replica counts the scaling study sweeps (e.g. 1,2,4)',
  },
  'cfs-period': {
    type: 'string',
    value: 'MS',
    help: `CFS period of the replicas' CPU quotas, in ms (default ${DEFAULT_CFS_PERIOD_US / 1000}; production's is 100)`,
  },
  'server-cpus': {
    type: 'string',
    value: 'LIST',
    help: 'the cores the servers get, e.g. 2-7 (default: the upper half)',
  },
  'generator-cpus': {
    type: 'string',
    value: 'LIST',
    help: 'the cores the load generator gets, e.g. 0-1 (default: the rest)',
  },
  'base-port': {
    type: 'string',
    value: 'P',
    help: 'use ports from P upward instead of free ones the kernel picks',
  },
  json: { type: 'boolean', help: 'print the results document on stdout, nothing else' },
} as const;

/** The sweep on the families of ml and data the run selected; none selected, no sweep. */
function sweepOptions(
  values: { sweep?: string; 'ml-sizes'?: string; 'data-rows'?: string },
  suite: Suite,
  workloads: WorkloadId[],
): SweepOptions | undefined {
  const mode = values.sweep ?? 'on';
  if (mode !== 'on' && mode !== 'off')
    throw new StackbenchError('SB_BAD_FLAG', [`bad --sweep "${mode}": expected on or off`], ['run']);
  const ml = values['ml-sizes']?.split(',').map(parseMlSize) ?? suite.sweep.ml;
  const dataRows = values['data-rows']?.split(',').map(parseDataRows) ?? suite.sweep.dataRows;
  const families = (['ml', 'data'] as const).filter((f) => workloads.includes(f));
  return mode === 'off' || families.length === 0 ? undefined : { ...suite.sweep, families, ml, dataRows };
}

/**
 * The scaling study as the flags and the suite ask for it. Asked for explicitly (--scaling only, --replicas),
 * what it needs must be here (a balancer; cgroups when replicas need quotas): otherwise bad input, with the fix.
 */
function scalingOptions(
  values: { scaling?: string; replicas?: string; 'cfs-period'?: string; stacks?: string; workloads?: string },
  suite: Suite,
  selected: { stacks: StackId[]; workloads: WorkloadId[] },
  serverCpus: number[],
): ScalingOptions | undefined {
  const mode = values.scaling ?? 'on';
  if (!['on', 'off', 'only'].includes(mode))
    throw new StackbenchError('SB_BAD_FLAG', [`bad --scaling "${mode}": expected on, off or only`], ['run']);
  if (mode === 'off') return undefined;
  const replicas =
    values.replicas === undefined
      ? suite.scaling.replicas
      : values.replicas.split(',').map((n) => parseIntFlag('--replicas', n, 1, 64));
  const periodMs =
    values['cfs-period'] === undefined
      ? DEFAULT_CFS_PERIOD_US / 1000
      : parseIntFlag('--cfs-period', values['cfs-period'], 1, 1000);
  const explicit = mode === 'only' || values.replicas !== undefined;
  if (explicit) {
    const blocked = scalingBlocker(serverCpus, Math.max(...replicas));
    if (blocked) throw new StackbenchError('SB_SCALING_UNAVAILABLE', [blocked.reason], [blocked.fix]);
  }
  // --scaling only studies the workloads asked for; alongside the main run, those of the suite's that were selected.
  const workloads =
    values.workloads === undefined
      ? suite.scaling.workloads
      : mode === 'only'
        ? selected.workloads
        : suite.scaling.workloads.filter((w) => selected.workloads.includes(w));
  if (workloads.length === 0) return undefined;
  return {
    workloads,
    replicas: [...new Set([1, ...replicas])].sort((a, b) => a - b),
    forms: suite.scaling.forms,
    stacks: values.stacks !== undefined ? selected.stacks : suite.scaling.stacks,
    periodUs: periodMs * 1000,
    faults: suite.scaling.faults.filter((w) => workloads.includes(w)),
  };
}

function stamp(): string {
  return new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
}

export const runCommand = defineCommand({
  name: 'run',
  summary: 'the main job: verify, measure and judge every stack on every workload',
  about:
    'Starts every stack alone on the server cores, verifies it, drives load at it from the other cores and\n' +
    'writes DIR/results.json (after every point), DIR/report.md and DIR/report.html.',
  flags,
  async run(values) {
    const suite = { ...suiteByName(values.suite ?? 'quick') };
    if (values.duration !== undefined) suite.durationMs = suite.probeMs = parseDuration(values.duration);
    if (values.reps !== undefined) suite.repetitions = parseIntFlag('--reps', values.reps, 1, 100);
    if (values.probes !== undefined) suite.probes = parseIntFlag('--probes', values.probes, 0, 20);
    if (values.connections !== undefined) {
      suite.connections = values.connections
        .split(',')
        .map((c) => parseIntFlag('--connections', c, 1, 10_000));
    }
    const { stacks, workloads } = selectRun(values);
    const cpus = cpuChoice(values);
    const sweep = sweepOptions(values, suite, workloads);
    const scaling = scalingOptions(values, suite, { stacks, workloads }, planCpus(cpus).server);
    const slo = values.slo === undefined ? DEFAULT_SLO_MS : parseIntFlag('--slo', values.slo, 1, 60_000);
    const basePort =
      values['base-port'] === undefined
        ? undefined
        : parseIntFlag('--base-port', values['base-port'], 1024, 65000);
    const outDir = resolve(values.out ?? `results/${stamp()}`);
    prepareOutDir(outDir, { replace: values.force === true });
    const live = !values.json && Boolean(process.stderr.isTTY);
    const progress = values.json ? undefined : runProgress(live, cellSeconds(suite));
    if (!values.json) {
      const minutes = Math.max(1, Math.round((stacks.length * workloads.length * cellSeconds(suite)) / 60));
      process.stderr.write(
        `stackbench run (${suite.name}): ${stacks.length} stacks x ${workloads.length} workloads, about ${minutes} min → ${outDir}\n`,
      );
    }
    const results = await runLab({
      suite,
      stacks,
      workloads,
      outDir,
      sloP99Ms: slo,
      maxErrorRate: DEFAULT_MAX_ERROR_RATE,
      basePort,
      cpus,
      scaling,
      sweep,
      main: values.scaling !== 'only',
      signal: interrupt.signal,
      onEvent: progress?.onEvent,
    }).finally(() => progress?.done());
    results.analysis = analyze(results);
    writeReports(results, outDir);
    if (values.json) process.stdout.write(JSON.stringify(results) + '\n');
    else {
      process.stdout.write(terminalSummary(results) + '\n');
      process.stdout.write(
        `\nresults: ${outDir}/results.json\nreport:  ${outDir}/report.html (and report.md)\n`,
      );
    }
    if (results.status === 'interrupted') throw new StackbenchError('SB_INTERRUPTED');
    // A stack that crashed or failed to start, a failed verification, a dead service: a runtime failure.
    return results.failures.length ? ExitCode.failure : ExitCode.ok;
  },
});
