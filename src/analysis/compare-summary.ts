// compare's answer, in hyperfine's manner: the leading target against each other one, by capacity within the
// SLO (when searched) and by throughput at the headline level — a win with its interval, a tie said as a tie,
// and what cannot be decided said as such.
import type { Comparison, Results } from '../results/types.js';
import type { Derived } from './derive.js';
import { measured } from './derive.js';
import { compareBrackets, compareRuns, fmtRatio } from './stats.js';

function line(c: Comparison, results: Results, connections: number): string {
  const f = (x: number) => (Number.isFinite(x) ? fmtRatio(x, c.ratio.median) : '∞');
  const interval =
    c.ratio.n < 2 && c.metric === 'rps' ? '1 run, no interval' : `${f(c.ratio.low)}–${f(c.ratio.high)}`;
  const within = `within p99 ≤ ${results.config.sloP99Ms} ms`;
  const what =
    c.metric === 'capacity'
      ? `the requests of ${c.b} ${within}`
      : `the requests per second of ${c.b} at ${connections} connections (closed loop)`;
  if (c.undecided)
    return `${c.a} and ${c.b} cannot be told apart ${c.metric === 'capacity' ? within : ''}: ${c.note ?? 'the brackets overlap'} (${f(c.ratio.median)}x, ${interval})`;
  if (c.tie)
    return `${c.a} and ${c.b} are tied ${c.metric === 'capacity' ? within : 'on throughput'}: ${f(c.ratio.median)}x (${interval})`;
  return `${c.a} handled ${f(c.ratio.median)}x (${interval}) ${what}`;
}

export function compareSummary(results: Results, d: Derived): string[] {
  const out: string[] = [];
  for (const w of d.workloads) {
    const fs = measured(w);
    if (fs.length < 2) continue;
    const byCap = fs.filter((f) => f.capacity).sort((a, b) => b.capacity!.value - a.capacity!.value);
    if (byCap.length === fs.length) {
      const top = byCap[0]!;
      for (const f of byCap.slice(1)) {
        const c = compareBrackets(
          w.workload,
          { stack: top.stack, cap: top.capacity! },
          { stack: f.stack, cap: f.capacity! },
        );
        if (c) out.push(line(c, results, d.connections));
      }
    }
    const byRps = fs.filter((f) => f.rps).sort((a, b) => b.rps!.median - a.rps!.median);
    const top = byRps[0];
    for (const f of top ? byRps.slice(1) : []) {
      const c = compareRuns(
        w.workload,
        'rps',
        { stack: top!.stack, runs: top!.runs },
        { stack: f.stack, runs: f.runs },
      );
      if (c) out.push(line(c, results, d.connections));
    }
  }
  return out;
}
