// Table cells and lines for one workload, shared by the terminal, markdown and HTML reporters. They read only the
// analysis (src/analysis): a row is a stack's StackFigures, a section a WorkloadAnalysis.
import { fmtRatio } from '../analysis/stats.js';
import type { StackFigures, WorkloadAnalysis } from '../results/types.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';
import { flagged, fmtEstimate, fmtMiB, fmtMs, fmtRps, fmtUs, MARKS } from './format.js';

/** What the throughput column counts: responses, whole streams, or chat deliveries. */
export function unitOf(workload: WorkloadId): string {
  return { req: 'req/s', stream: 'streams/s', msg: 'deliveries/s' }[WORKLOADS[workload].unit];
}

export function head(sloP99Ms: number, workload: WorkloadId = 'json'): string[] {
  const floor = WORKLOADS[workload].floorMs;
  return [
    'stack',
    `${unitOf(workload)} (95% CI)`,
    'p99',
    `capacity, p99 ≤ ${floor ? `${floor} + ` : ''}${sloP99Ms} ms (bracket)`,
    'CPU/req',
    'peak mem (PSS)',
  ];
}
export const ALIGN: Array<'l' | 'r'> = ['l', 'r', 'r', 'r', 'r', 'r'];

/** Flags that make rps a lower bound rather than the server's figure. */
const lowerBound = (flags: string[]) => flags.includes('generator-saturated');

/** Flags that concern the latency percentiles only, not the throughput. */
const LATENCY_ONLY = new Set(['few-samples']);

export function rpsCell(r: StackFigures): string {
  if (!r.rps) return '—';
  const flags = r.flags.filter((f) => !LATENCY_ONLY.has(f));
  return flagged(fmtEstimate(r.rps), flags, lowerBound(flags));
}

export function p99Cell(r: StackFigures): string {
  if (r.p99Ms === undefined) return '—';
  return flagged(fmtMs(r.p99Ms), r.flags, false);
}

/** A capacity with its bracket: "9,420–9,900" (the true figure lies in it), or "≥9,420 [M]" without a ceiling. */
export function capacityCell(r: StackFigures): string {
  const c = r.capacity;
  if (!c) return '—';
  if (c.value === 0) return c.limitedBy === 'generator' ? 'not found [G]' : 'none within SLO';
  if (c.high === null)
    return flagged(
      fmtRps(c.value),
      [c.limitedBy === 'generator' ? 'generator-saturated' : 'max-probes'],
      true,
    );
  const text = c.high > c.value ? `${fmtRps(c.value)}–${fmtRps(c.high)}` : fmtRps(c.value);
  return c.resolved ? text : flagged(text, ['wide-bracket'], false);
}

/** The cells after the stack's name: five figures, or the status. */
export function figureCells(r: StackFigures): string[] {
  if (r.status !== 'measured') return [r.status, '', '', '', ''];
  return [
    rpsCell(r),
    p99Cell(r),
    capacityCell(r),
    r.cpuUsPerRequest === undefined ? '—' : fmtUs(r.cpuUsPerRequest),
    r.peakPssMiB === undefined ? '—' : fmtMiB(r.peakPssMiB),
  ];
}

export function rowCells(r: StackFigures, winner: string | undefined): string[] {
  return [r.stack === winner ? `${r.stack} ★` : r.stack, ...figureCells(r)];
}

/** "django-gunicorn failed: worker crashed (fix: ...)" for every row without figures; notes for the others. */
export function reasonLines(v: WorkloadAnalysis): string[] {
  return v.stacks.flatMap((r) =>
    r.status !== 'measured'
      ? [`${r.stack} ${r.status}: ${r.reason ?? 'no reason recorded'}${r.fix ? ` (fix: ${r.fix})` : ''}`]
      : r.notes.map((n) => `${r.stack}: ${n}`),
  );
}

const RUNTIME_NAME = { node: 'Node.js', python: 'Python', other: 'other' } as const;
const x = (n: number, like = n) => `${fmtRatio(n, like)}x`;

/** The winner line: "winner: fastify" plus the comparisons' own words. */
export function winnerLines(v: WorkloadAnalysis): string[] {
  const out: string[] = [];
  const runtimeOf = (stack: string) => v.stacks.find((s) => s.stack === stack)?.runtime ?? 'node';
  if (!v.winner) {
    const top = v.stacks.find((r) => r.rps);
    const ties = v.comparisons
      .filter((c) => c.tie && c.metric === 'rps' && top && (c.a === top.stack || c.b === top.stack))
      .map((c) => (c.a === top!.stack ? c.b : c.a));
    const tied = [...new Set(ties)];
    const sameRuntime = top && tied.every((s) => runtimeOf(s) === runtimeOf(top.stack));
    const rt = v.runtimes.rps;
    if (!top) out.push('winner: none (nothing measured)');
    else if (tied.length && sameRuntime && rt && !rt.tie && rt.a === top.stack) {
      // The fastest stacks tie with one another, but they are all of one runtime, which wins.
      const m = rt.ratio.median;
      out.push(
        `${RUNTIME_NAME[runtimeOf(top.stack)]} leads: ${top.stack} (tied with ${tied.join(', ')}) is ` +
          `${x(m)} ${rt.b}, the best ${RUNTIME_NAME[runtimeOf(rt.b)]} stack ` +
          `(${fmtRatio(rt.ratio.low, m)}–${fmtRatio(rt.ratio.high, m)})`,
      );
    } else if (tied.length)
      out.push(`no clear winner: ${top.stack} leads on the median, within the noise of ${tied.join(', ')}`);
    else out.push('no clear winner');
  } else {
    const w = v.stacks.find((r) => r.stack === v.winner);
    const bound = w && lowerBound(w.flags) ? ' (its figure is generator-limited: a lower bound)' : '';
    const lead = v.comparisons.find((c) => c.a === v.winner && !c.tie);
    const tie = v.comparisons.find((c) => c.a === v.winner && c.tie);
    const m = lead?.ratio.median ?? 1;
    const ratio = lead
      ? ` — ${x(m)} ${lead.b} (${fmtRatio(lead.ratio.low, m)}–${fmtRatio(lead.ratio.high, m)})`
      : tie
        ? ` — tie with ${tie.b}`
        : '';
    out.push(`winner: ${v.winner}${ratio}${bound}`);
  }
  for (const c of v.comparisons) out.push(`  ${c.text}`);
  return out;
}

/** Every mark that shows anywhere in the tables (for the legend). */
export function flagsInUse(workloads: WorkloadAnalysis[]): string[] {
  const out = new Set<string>();
  for (const v of workloads) {
    for (const r of v.stacks) {
      r.flags.filter((f) => MARKS[f]).forEach((f) => out.add(f));
      const c = r.capacity;
      if (c && c.high === null) out.add(c.limitedBy === 'generator' ? 'generator-saturated' : 'max-probes');
      if (c && c.high !== null && !c.resolved) out.add('wide-bracket');
    }
  }
  return [...out];
}
