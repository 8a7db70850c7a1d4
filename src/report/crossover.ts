// The ML and data sweep in words and tables, for every reporter: where NumPy and pandas overtake Node.js, and
// the time one request takes at each size. Pure: the analysis and the results in, text out.
import type { Analysis, Crossover, Results } from '../results/types.js';
import { fmtRatio } from '../analysis/stats.js';

/** ms per request; null: failed at this size. */
const ms = (x: number | null) =>
  x === null ? 'failed' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);

/** Why the sweep has no figures, when it has none. */
export function sweepAbsence(results: Results, a: Analysis): string | undefined {
  const cfg = results.config.sweep;
  if (a.crossover.length > 0) return undefined;
  if (!cfg) return 'not run (stackbench run --sweep on runs it)';
  if (cfg.notMeasured) return `not measured: ${cfg.notMeasured}`;
  return 'no size was measured on both a Node.js and a Python stack (see the notes)';
}

export const crossoverTitle = (x: Crossover) =>
  x.family === 'ml' ? 'ML inference' : `data: ${x.op ?? 'table'}`;

/** One line per family (and op): where the answer flips. */
export function crossoverLines(a: Analysis): string[] {
  return a.crossover.map((x) => `${crossoverTitle(x)}: ${x.text}`);
}

/** Head and rows of the sweep table: ms per request at each size, and Python's speed over Node.js. */
export function crossoverTable(x: Crossover): { head: string[]; rows: string[][] } {
  const impls = [...new Set(x.steps.flatMap((s) => s.perImpl.map((p) => `${p.stack} (${p.impl})`)))];
  const head = ['size', ...impls.map((i) => `${i} ms`), `${x.python} ms`, 'Python vs Node.js', 'faster'];
  const rows = x.steps.map((s) => [
    s.label,
    ...impls.map((i) => {
      const p = s.perImpl.find((q) => `${q.stack} (${q.impl})` === i);
      return p ? ms(p.ms) : '—';
    }),
    ms(s.pythonMs),
    s.ratio
      ? `${fmtRatio(s.ratio.median)}x (${fmtRatio(s.ratio.low, s.ratio.median)}–${fmtRatio(s.ratio.high, s.ratio.median)})`
      : `— (${s.failed?.side === 'python' ? 'Python' : 'Node.js'} failed: ${s.failed?.why ?? 'no answer'})`,
    s.outcome === 'tie' || s.outcome === 'undecided'
      ? s.outcome
      : s.outcome === 'python'
        ? 'Python'
        : `Node.js (${s.nodeImpl})`,
  ]);
  return { head, rows };
}
