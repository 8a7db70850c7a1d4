// A run's gates, evaluated once its analysis is known: the thresholds on its headline figures and, against a
// baseline, the regressions a two-sample test finds. The outcome says what to print and whether the gates
// failed; the baseline's comparison goes into the analysis, so the reports (written once, after this) show it.
import { resolve } from 'node:path';
import { agreement } from '../analysis/agreement.js';
import { loadResults } from '../results/store.js';
import type { Analysis, Results } from '../results/types.js';
import { checkGates, type GateCheck } from './checks.js';
import type { Gate } from './grammar.js';

export interface GateOptions {
  /** Thresholds on the headline figures (parseGate). */
  gates?: Gate[];
  /** An earlier run's results.json: every headline figure and ratio tested against it. */
  against?: string;
  /** With `against`: a figure significantly worse fails the gates. */
  failOnRegression?: boolean;
}

export interface GateOutcome {
  checks: GateCheck[];
  /** The baseline's comparison, as the analysis records it. */
  agreement?: NonNullable<Analysis['agreement']>;
  /** What to say: each threshold's result, each regression (when they fail the gates). */
  lines: string[];
  failed: boolean;
}

export function evaluateGates(results: Results, opts: GateOptions): GateOutcome {
  const lines: string[] = [];
  let failed = false;
  let recorded: GateOutcome['agreement'];
  if (opts.against !== undefined) {
    const file = resolve(opts.against);
    const a = agreement(loadResults(file), results);
    recorded = {
      against: file,
      summary: a.summary,
      rows: a.rows.map((r) => ({ kind: r.kind, verdict: r.verdict, text: r.text })),
    };
    if (opts.failOnRegression && a.regressions.length) {
      failed = true;
      for (const r of a.regressions) lines.push(`regression: ${r.text}`);
    }
  }
  const checks = checkGates(opts.gates ?? [], results);
  for (const c of checks) lines.push(`threshold ${c.text}`);
  if (checks.some((c) => !c.ok)) failed = true;
  return { checks, ...(recorded ? { agreement: recorded } : {}), lines, failed };
}

/** Evaluate the gates and record the baseline's comparison in the analysis (which must be there already). */
export function applyGates(results: Results, opts: GateOptions): GateOutcome {
  const outcome = evaluateGates(results, opts);
  if (outcome.agreement && results.analysis) results.analysis.agreement = outcome.agreement;
  return outcome;
}
