// Do two runs agree? For each headline ratio of the first run (best Node.js vs best Python per workload, and each
// stack vs the fastest), is the second run's ratio for the same pair inside the first run's interval?
// A bench script records it for two runs; the report uses it to call a ratio noisy.
import type { Comparison, Results } from '../results/types.js';
import type { StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import { compareWorkload } from './compare.js';
import { derive, figures } from './derive.js';
import { fmtRatio, median } from './stats.js';

export interface AgreementRow {
  workload: WorkloadId;
  metric: Comparison['metric'];
  /** a / b, a the faster in the first run. */
  a: StackId;
  b: StackId;
  first: Comparison['ratio'];
  /** The second run's a / b; undefined when it has no figures for the pair. */
  second?: number;
  agrees: boolean;
  text: string;
}

export interface Agreement {
  rows: AgreementRow[];
  agreeing: number;
  /** Rows the second run could be checked on (both stacks measured). */
  comparable: number;
  summary: string;
}

function secondRatio(second: ReturnType<typeof derive>, c: Comparison): number | undefined {
  const w = figures(second, c.workload);
  const fa = w?.stacks.find((s) => s.stack === c.a);
  const fb = w?.stacks.find((s) => s.stack === c.b);
  if (!fa || !fb) return undefined;
  const [x, y] =
    c.metric === 'rps' ? [median(fa.runs), median(fb.runs)] : [fa.capacity?.value, fb.capacity?.value];
  return x !== undefined && y !== undefined && y > 0 && Number.isFinite(x / y) ? x / y : undefined;
}

export function agreement(first: Results, second: Results): Agreement {
  const d1 = derive(first);
  const d2 = derive(second);
  const rows: AgreementRow[] = [];
  for (const w of d1.workloads) {
    for (const c of compareWorkload(w).comparisons) {
      const r = secondRatio(d2, c);
      const agrees = r !== undefined && r >= c.ratio.low && r <= c.ratio.high;
      const f = (x: number) => fmtRatio(x, c.ratio.median);
      const interval = `${c.a}/${c.b} on ${c.workload}${c.metric === 'capacity' ? ' capacity' : ''}: first ${f(c.ratio.median)} (${f(c.ratio.low)}-${f(c.ratio.high)})`;
      const text =
        r === undefined
          ? `${interval}, second run has no figure`
          : `${interval}, second ${f(r)}: ${agrees ? 'agrees' : 'outside, noisy'}`;
      rows.push({
        workload: c.workload,
        metric: c.metric,
        a: c.a,
        b: c.b,
        first: c.ratio,
        ...(r !== undefined ? { second: r } : {}),
        agrees,
        text,
      });
    }
  }
  const comparable = rows.filter((r) => r.second !== undefined).length;
  const agreeing = rows.filter((r) => r.agrees).length;
  const lacking = rows.length - comparable;
  const summary = `${agreeing} of ${comparable} ratios agree${lacking ? ` (${lacking} not in the second run)` : ''}`;
  return { rows, agreeing, comparable, summary };
}
