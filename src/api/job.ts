// What run() and compare() do alike around their measuring: the gates they were asked for, the results folder's
// default name, and the end of the job — the analysis, the gates applied, the reports written.
import { analyze } from '../analysis/index.js';
import { applyGates, parseGate, type GateOptions, type GateOutcome } from '../gates/index.js';
import { writeReports, type ReportFiles } from '../report/index.js';
import type { Results } from '../results/types.js';
import type { RunEvent } from '../runner/record.js';

/** The callbacks either job takes beside its options. */
export interface JobCallbacks {
  /** Abort to stop: the job winds down, keeps what was measured and resolves with status 'interrupted'. */
  signal?: AbortSignal;
  /** Progress: a stack or target starting, a cell, a load phase, each point measured. */
  onEvent?: (e: RunEvent) => void;
}

export interface JobOutput {
  /** The results, with their analysis; status 'interrupted' when the signal stopped the run. */
  results: Results;
  outDir: string;
  /** results.json, report.md, report.html, points.csv, headline.csv. */
  files: ReportFiles;
  /** The thresholds and the baseline comparison: what they say, and whether they failed (exit 3). */
  gates: GateOutcome;
}

/** The job's gate options; `cmd` names the command in a bad threshold's error. */
export function gatesOf(
  o: { thresholds?: string[]; against?: string; failOnRegression?: boolean },
  cmd: 'run' | 'compare',
): GateOptions {
  return {
    gates: (o.thresholds ?? []).map((t) => parseGate(t, cmd)),
    against: o.against,
    failOnRegression: o.failOnRegression,
  };
}

/** Now, as a folder name: 2024-05-01-12-30-00. */
export const stamp = () => new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');

/** The end of a job: analyse the results, apply the gates, write the reports into outDir. */
export function finishJob(results: Results, gates: GateOptions, outDir: string): JobOutput {
  results.analysis = analyze(results);
  const outcome = applyGates(results, gates);
  const files = writeReports(results, outDir);
  return { results, outDir, files, gates: outcome };
}
