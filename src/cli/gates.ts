// The CI gates of run, compare and report: --threshold (scoped to a stack or workload with "NAME:" or
// "NAME/WORKLOAD:") and --against BASELINE with --fail-on-regression. Both print what failed and by how much;
// either failing makes the command exit 3.
import { resolve } from 'node:path';
import { agreement } from '../analysis/agreement.js';
import { checkGates, type Gate } from '../analysis/gates.js';
import { ExitCode, StackbenchError } from '../errors.js';
import { writeReports } from '../report/index.js';
import { loadResults } from '../results/store.js';
import type { Results } from '../results/types.js';
import { parseRunThreshold } from './threshold.js';

/** "p99<50ms", "api:p99<50ms", "fastify/json:rps>20000". */
export function parseGate(text: string, cmd: string): Gate {
  const colon = text.indexOf(':');
  const scope = colon > 0 ? text.slice(0, colon).trim() : '';
  const [stack, workload, extra] = scope ? scope.split('/') : [];
  if (extra !== undefined || (scope && !stack))
    throw new StackbenchError(
      'SB_BAD_FLAG',
      [`bad threshold scope "${scope}": expected NAME or NAME/WORKLOAD`],
      [cmd],
    );
  const t = parseRunThreshold(colon > 0 ? text.slice(colon + 1) : text);
  return { ...t, text: text.trim(), ...(stack ? { stack } : {}), ...(workload ? { workload } : {}) };
}

export interface GateOptions {
  gates: Gate[];
  against?: string;
  failOnRegression?: boolean;
}

/**
 * Record the baseline comparison in the analysis (for the reports), check the gates; the lines to print and
 * whether the command must exit 3.
 */
export function applyGates(results: Results, opts: GateOptions): { lines: string[]; failed: boolean } {
  const lines: string[] = [];
  let failed = false;
  if (opts.against !== undefined) {
    const file = resolve(opts.against);
    const a = agreement(loadResults(file), results);
    results.analysis!.agreement = {
      against: file,
      summary: a.summary,
      rows: a.rows.map((r) => ({ kind: r.kind, verdict: r.verdict, text: r.text })),
    };
    if (opts.failOnRegression && a.regressions.length) {
      failed = true;
      for (const r of a.regressions) lines.push(`regression: ${r.text}`);
    }
  }
  const checks = checkGates(opts.gates, results);
  for (const c of checks) lines.push(`threshold ${c.text}`);
  if (checks.some((c) => !c.ok)) failed = true;
  return { lines, failed };
}

export const gateExit = (failed: boolean, otherwise: number) => (failed ? ExitCode.threshold : otherwise);

/**
 * The end of run and compare: the gates applied (the baseline's comparison rewritten into the reports), the
 * summary or the JSON printed, and the exit code — 3 for a failed gate, 1 for a stack that crashed or failed to
 * start, a failed verification or a dead service.
 */
export function finishRun(
  results: Results,
  outDir: string,
  opts: GateOptions & { json: boolean; summary: (r: Results) => string; files: string },
): number {
  const gate = applyGates(results, opts);
  if (results.analysis?.agreement) writeReports(results, outDir);
  if (opts.json) process.stdout.write(JSON.stringify(results) + '\n');
  else {
    process.stdout.write(opts.summary(results) + '\n');
    if (gate.lines.length) process.stdout.write('\n' + gate.lines.map((l) => `  ${l}`).join('\n') + '\n');
    process.stdout.write(
      `\nresults: ${outDir}/results.json\nreport:  ${outDir}/report.html (${opts.files})\n`,
    );
  }
  if (results.status === 'interrupted') throw new StackbenchError('SB_INTERRUPTED');
  return gateExit(gate.failed, results.failures.length ? ExitCode.failure : ExitCode.ok);
}
