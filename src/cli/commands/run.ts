// stackbench run: the main job. Verify, measure, analyse, report — the article's question answered here.
import { resolve } from 'node:path';
import { analyze } from '../../analysis/index.js';
import { ExitCode, StackbenchError } from '../../errors.js';
import { writeReports } from '../../report/index.js';
import { terminalSummary } from '../../report/terminal.js';
import { prepareOutDir } from '../../results/store.js';
import { runLab } from '../../runner/runner.js';
import { runProgress } from '../progress.js';
import { cellSeconds, DEFAULT_MAX_ERROR_RATE, DEFAULT_SLO_MS, suiteByName } from '../../runner/suites.js';
import { interrupt } from '../../machine/process.js';
import { BUILTIN_IDS } from '../../stacks/registry.js';
import { WORKLOAD_IDS } from '../../workloads.js';
import { parseDuration, parseIntFlag } from '../args.js';
import { selectRun } from '../select.js';
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
  'base-port': {
    type: 'string',
    value: 'P',
    help: 'use ports from P upward instead of free ones the kernel picks',
  },
  json: { type: 'boolean', help: 'print the results document on stdout, nothing else' },
} as const;

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
