// stackbench run: the main job. Verify, measure, analyse, report — the article's question answered here. The work
// is the library's run() (src/api/run.ts); this command turns flags into its options and prints.
import { run, type RunOptions, type RunPlan } from '../../api/run.js';
import { StackbenchError } from '../../errors.js';
import { interrupt } from '../../machine/process.js';
import { terminalSummary } from '../../report/terminal.js';
import type { SuiteName } from '../../results/types.js';
import {
  cellSeconds,
  DEFAULT_CFS_PERIOD_US,
  DEFAULT_SLO_MS,
  suiteByName,
  TYPICAL_PROBES,
} from '../../runner/suites.js';
import { parseDataRows, parseMlSize } from '../../runner/sweep.js';
import { BUILTIN_IDS } from '../../stacks/registry.js';
import { WORKLOAD_IDS } from '../../workloads.js';
import { parseDuration, parseIntFlag, type Parsed } from '../args.js';
import { defineCommand } from '../command.js';
import { runProgress } from '../progress.js';
import { cpuChoice, selectionFlags } from '../select.js';
import { finishRun, parseGate } from '../gates.js';
import { loadConfig, type ResolvedConfig } from '../../config/index.js';
import { runKubeFlags, runOnKube } from './kube.js';

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
  config: {
    type: 'string',
    value: 'FILE',
    help: 'your own stacks beside the reference ones, and the suite, SLO, thresholds, baseline\n(default: ./stackbench.config.* when it exists; flags override it; docs/CONFIG.md)',
  },
  threshold: {
    type: 'string',
    multiple: true,
    value: 'T',
    help: 'exit 3 unless T holds for every measured stack and workload, or for "NAME:T" /\n"NAME/WORKLOAD:T": p99<50ms, rps>10000, errors<0.1%, capacity>5000 (repeatable)',
  },
  against: {
    type: 'string',
    value: 'BASELINE.json',
    help: "an earlier run's results.json: each headline figure and ratio tested against its interval",
  },
  'fail-on-regression': {
    type: 'boolean',
    help: 'with --against: exit 3 when a figure got significantly worse',
  },
  json: { type: 'boolean', help: 'print the results document on stdout, nothing else' },
  ...runKubeFlags,
} as const;

/** A mode flag: one of its words, or bad input naming them (the library checks its options the same way). */
function mode<M extends string>(flag: string, text: string | undefined, modes: readonly M[]): M | undefined {
  if (text === undefined) return undefined;
  if (!(modes as readonly string[]).includes(text)) {
    const words =
      modes.length === 2 ? modes.join(' or ') : `${modes.slice(0, -1).join(', ')} or ${modes.at(-1)}`;
    throw new StackbenchError('SB_BAD_FLAG', [`bad --${flag} "${text}": expected ${words}`], ['run']);
  }
  return text as M;
}

/** The flags as the library's options: every value parsed and checked here, by its flag's name. */
export function runOptions(values: Parsed<typeof flags>, file?: ResolvedConfig): RunOptions {
  const suite = values.suite ?? file?.suite ?? 'quick';
  suiteByName(suite);
  const o: RunOptions = { suite: suite as SuiteName, force: values.force === true };
  if (file?.stacks.length) o.userStacks = file.stacks;
  if (file?.slo !== undefined) o.sloP99Ms = file.slo;
  if (file?.duration !== undefined) o.durationMs = parseDuration(file.duration);
  if (file?.connections !== undefined) o.connections = [file.connections];
  if (values.duration !== undefined) o.durationMs = parseDuration(values.duration);
  if (values.reps !== undefined) o.repetitions = parseIntFlag('--reps', values.reps, 1, 100);
  if (values.probes !== undefined) o.probes = parseIntFlag('--probes', values.probes, 0, 20);
  if (values.connections !== undefined)
    o.connections = values.connections.split(',').map((c) => parseIntFlag('--connections', c, 1, 10_000));
  Object.assign(
    o,
    selectionFlags(
      values,
      'run',
      (file?.stacks ?? []).map((s) => s.name),
    ),
  );
  const cpus = cpuChoice(values);
  o.serverCpus = cpus.server;
  o.generatorCpus = cpus.generator;
  o.sweep = mode('sweep', values.sweep, ['on', 'off'] as const);
  if (values['ml-sizes'] !== undefined) o.mlSizes = values['ml-sizes'].split(',').map(parseMlSize);
  if (values['data-rows'] !== undefined) o.dataRows = values['data-rows'].split(',').map(parseDataRows);
  o.scaling = mode('scaling', values.scaling, ['on', 'off', 'only'] as const);
  if (values.replicas !== undefined)
    o.replicas = values.replicas.split(',').map((n) => parseIntFlag('--replicas', n, 1, 64));
  if (values['cfs-period'] !== undefined)
    o.cfsPeriodMs = parseIntFlag('--cfs-period', values['cfs-period'], 1, 1000);
  if (values.slo !== undefined) o.sloP99Ms = parseIntFlag('--slo', values.slo, 1, 60_000);
  if (values['base-port'] !== undefined)
    o.basePort = parseIntFlag('--base-port', values['base-port'], 1024, 65000);
  if (values.out !== undefined) o.outDir = values.out;
  return o;
}

export const runCommand = defineCommand({
  name: 'run',
  summary: 'the main job: verify, measure and judge every stack on every workload',
  about:
    'Starts every stack alone on the server cores, verifies it, drives load at it from the other cores and\n' +
    'writes DIR/results.json (after every point), DIR/report.md, DIR/report.html, DIR/points.csv and\n' +
    'DIR/headline.csv.',
  flags,
  async run(values) {
    if (values.kube !== undefined) return runOnKube(values);
    const loaded = await loadConfig(values.config);
    const file = loaded?.config;
    const options = runOptions(values, file);
    const gates = (values.threshold ?? file?.thresholds ?? []).map((t) => parseGate(t, 'run'));
    let progress: ReturnType<typeof runProgress> | undefined;
    const { results, outDir } = await run({
      ...options,
      signal: interrupt.signal,
      onPlan: (plan) => {
        if (values.json) return;
        const seconds = cellSeconds(plan.suite);
        progress = runProgress(Boolean(process.stderr.isTTY), seconds);
        const minutes = Math.max(1, Math.round(plannedSeconds(plan, seconds) / 60));
        process.stderr.write(
          `stackbench run (${plan.suite.name}): ${plan.stacks.length} stacks x ${plan.workloads.length} workloads${plan.sweep ? ', the size sweep' : ''}${plan.scaling ? ', the scaling study' : ''}, about ${minutes} min → ${plan.outDir}\n`,
        );
      },
      onEvent: (e) => progress?.onEvent(e),
    }).finally(() => progress?.done());
    return finishRun(results, outDir, {
      gates,
      against: values.against ?? file?.against,
      failOnRegression: values['fail-on-regression'] === true || file?.failOnRegression === true,
      json: values.json === true,
      summary: terminalSummary,
      files: 'and report.md; points.csv, headline.csv',
    });
  },
});

/**
 * What the whole run should take, said at its start: the matrix (cellSeconds), ~5 s per size of the sweep, and
 * per stack and workload of the scaling study a deployment, a search per N and the fault (fitted to this
 * machine's quick runs: ~45 s of sweep, ~4.5 min of scaling).
 */
function plannedSeconds(plan: RunPlan, cellSeconds: number): number {
  const main = plan.main ? plan.stacks.length * plan.workloads.length * cellSeconds : 0;
  const sw = plan.sweep;
  const sweep = sw
    ? 5 *
      ((sw.families.includes('ml') ? sw.ml.length : 0) +
        (sw.families.includes('data') ? sw.dataRows.length * sw.dataOps.length : 0))
    : 0;
  const sc = plan.scaling;
  let scaling = 0;
  if (sc) {
    const stacks = sc.stacks === 'leading' ? 2 : sc.stacks === 'all' ? plan.stacks.length : sc.stacks.length;
    const perN = Math.min(plan.suite.probes, TYPICAL_PROBES) * (plan.suite.scalingProbeMs / 1000 + 0.5) + 1;
    const perPair = 6 + sc.replicas.length * perN * sc.forms.length;
    scaling = sc.workloads.reduce((sum, w) => sum + stacks * (perPair + (sc.faults.includes(w) ? 5 : 0)), 0);
  }
  return main + sweep + scaling;
}
