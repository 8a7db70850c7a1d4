// stackbench run: the main job. Verify, measure, analyse, report — the article's question answered here.
import { resolve } from 'node:path';
import { analyze } from '../../analysis/index.js';
import { ExitCode, StackbenchError } from '../../errors.js';
import { writeReports } from '../../report/index.js';
import { terminalSummary } from '../../report/terminal.js';
import { prepareOutDir } from '../../results/store.js';
import { runLab, type RunEvent } from '../../runner/runner.js';
import { cellSeconds, suiteByName } from '../../runner/suites.js';
import { interrupt } from '../../stacks/process.js';
import { STACK_IDS } from '../../stacks/registry.js';
import { WORKLOAD_IDS } from '../../workloads.js';
import { parseDuration, parseFlags, parseIntFlag } from '../args.js';
import { selectRun } from '../select.js';
import type { Command } from '../command.js';

const usage = `usage: stackbench run [--suite quick|full] [--stacks a,b] [--workloads x,y] [--out DIR] [--slo MS] [--json]

Starts every stack alone on the server cores, verifies it, drives load at it from the other cores and
writes DIR/results.json (after every point), DIR/report.md and DIR/report.html.

  --suite       quick (default: minutes) or full (TechEmpower's 16..512 connections, 5 s runs, finer capacity search)
  --stacks      ${STACK_IDS.join(',')}
  --workloads   ${WORKLOAD_IDS.join(',')}
  --out         results folder (default: results/<date-time>)
  --slo         p99 latency objective for capacity, in ms (default 100)
  -d, --duration  override the suite: measured time of each closed-loop run (e.g. 2s)
  --reps        override the suite: runs per headline figure (at least 3 for an interval)
  --connections override the suite: closed-loop levels, headline first (e.g. 64,16,256)
  --probes      override the suite: open-loop probes of the capacity search (0 skips capacity)
  --base-port   use ports from P upward instead of free ones the kernel picks
  --json        print the results document on stdout, nothing else`;

function stamp(): string {
  return new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
}

function progress(live: boolean, secondsPerCell: number) {
  const t0 = Date.now();
  let cell = '';
  let left = '';
  return (e: RunEvent) => {
    let line: string | undefined;
    if (e.type === 'stack') line = `${e.stack}: ${e.note}`;
    if (e.type === 'skip') line = `${e.stack}: skipped — ${e.reason}`;
    if (e.type === 'cell') {
      const remaining = (e.total - e.index + 1) * secondsPerCell;
      left = `~${Math.floor(remaining / 60)}m${String(Math.round(remaining % 60)).padStart(2, '0')}s left`;
      cell = `[${e.index}/${e.total}] ${e.stack} · ${e.workload}`;
      line = `${cell} · ${left}`;
    }
    if (e.type === 'load' && live)
      line = `${cell} · ${Math.round(e.rps).toLocaleString('en-US')} req/s · ${left}`;
    if (e.type === 'point' && !live) return;
    if (line === undefined) return;
    const elapsed = `${Math.round((Date.now() - t0) / 1000)}s`;
    process.stderr.write(live ? `\r\x1b[K${elapsed} ${line}` : `${elapsed} ${line}\n`);
  };
}

export const runCommand: Command = {
  name: 'run',
  summary: 'the main job: verify, measure and judge every stack on every workload',
  usage,
  async run(argv) {
    const { values } = parseFlags('run', argv, {
      suite: { type: 'string', default: 'quick' },
      stacks: { type: 'string' },
      workloads: { type: 'string' },
      out: { type: 'string' },
      slo: { type: 'string' },
      duration: { type: 'string', short: 'd' },
      reps: { type: 'string' },
      connections: { type: 'string' },
      probes: { type: 'string' },
      'base-port': { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    const suite = { ...suiteByName(values.suite!) };
    if (values.duration !== undefined) suite.durationMs = suite.probeMs = parseDuration(values.duration);
    if (values.reps !== undefined) suite.repetitions = parseIntFlag('--reps', values.reps, 1, 100);
    if (values.probes !== undefined) suite.probes = parseIntFlag('--probes', values.probes, 0, 20);
    if (values.connections !== undefined) {
      suite.connections = values.connections
        .split(',')
        .map((c) => parseIntFlag('--connections', c, 1, 10_000));
    }
    const { stacks, workloads } = selectRun(values);
    const slo = values.slo === undefined ? 100 : parseIntFlag('--slo', values.slo, 1, 60_000);
    const basePort =
      values['base-port'] === undefined
        ? undefined
        : parseIntFlag('--base-port', values['base-port'], 1024, 65000);
    const outDir = resolve(values.out ?? `results/${stamp()}`);
    prepareOutDir(outDir);
    const live = !values.json && Boolean(process.stderr.isTTY);
    const onEvent = values.json ? undefined : progress(live, cellSeconds(suite));
    if (!values.json) process.stderr.write(`stackbench run (${suite.name}) → ${outDir}\n`);
    const results = await runLab({
      suite,
      stacks,
      workloads,
      outDir,
      sloP99Ms: slo,
      maxErrorRate: 0.001,
      basePort,
      signal: interrupt.signal,
      onEvent,
    });
    if (live) process.stderr.write('\r\x1b[K');
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
    return ExitCode.ok;
  },
};
