// Table cells for one row of a workload table, shared by the terminal and markdown reporters.
import { flagged, fmtEstimate, fmtMiB, fmtMs, fmtRatio, fmtRps, fmtUs } from './format.js';
import type { Row, WorkloadView } from './view.js';
import { STACKS, type StackId } from '../stacks/registry.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';

/** What the throughput column counts: responses, whole streams, or chat deliveries. */
export function unitOf(workload: WorkloadId): string {
  return { req: 'req/s', stream: 'streams/s', msg: 'deliveries/s' }[WORKLOADS[workload].unit];
}

export function head(sloP99Ms: number, hasAnalysis: boolean, workload: WorkloadId = 'json'): string[] {
  const floor = WORKLOADS[workload].floorMs;
  return [
    'stack',
    `${unitOf(workload)} ${hasAnalysis ? '(95% CI)' : '(min–max)'}`,
    'p99',
    `capacity (p99 ≤ ${floor ? `${floor} + ` : ''}${sloP99Ms} ms)`,
    'CPU/req',
    'peak RSS',
  ];
}
export const ALIGN: Array<'l' | 'r'> = ['l', 'r', 'r', 'r', 'r', 'r'];

/** Flags that make rps a lower bound rather than the server's figure. */
const lowerBound = (flags: string[]) => flags.includes('generator-saturated');

/** Flags that concern the latency percentiles only, not the throughput. */
const LATENCY_ONLY = new Set(['few-samples']);

export function rpsCell(r: Row): string {
  if (!r.rps) return '—';
  const flags = r.flags.filter((f) => !LATENCY_ONLY.has(f));
  return flagged(fmtEstimate(r.rps), flags, lowerBound(flags));
}

export function p99Cell(r: Row): string {
  if (r.p99Ms === undefined) return '—';
  return flagged(fmtMs(r.p99Ms), r.flags, false);
}

export function capacityCell(r: Row): string {
  const c = r.capacity;
  if (!c) return '—';
  if (c.rps === 0) return c.limitedBy === 'generator' ? 'not found [G]' : 'none within SLO';
  if (c.limitedBy === 'generator') return flagged(fmtRps(c.rps), ['generator-saturated'], true);
  if (c.limitedBy === 'max-probes') return flagged(fmtRps(c.rps), ['max-probes'], true);
  return fmtRps(c.rps);
}

export function rowCells(r: Row, winner: string | undefined): string[] {
  const name = r.stack === winner ? `${r.stack} ★` : r.stack;
  if (r.status !== 'measured') return [name, r.status, '', '', '', ''];
  return [
    name,
    rpsCell(r),
    p99Cell(r),
    capacityCell(r),
    r.cpuUsPerRequest === undefined ? '—' : fmtUs(r.cpuUsPerRequest),
    r.peakRssMiB === undefined ? '—' : fmtMiB(r.peakRssMiB),
  ];
}

/** "django-gunicorn failed: worker crashed (fix: ...)" for every row without figures. */
export function reasonLines(v: WorkloadView): string[] {
  return v.rows.flatMap((r) =>
    r.status !== 'measured'
      ? [`${r.stack} ${r.status}: ${r.reason ?? 'no reason recorded'}${r.fix ? ` (fix: ${r.fix})` : ''}`]
      : r.notes.map((n) => `${r.stack}: ${n}`),
  );
}

const RUNTIME_NAME = { node: 'Node.js', python: 'Python' } as const;
const runtimeOf = (stack: string) => STACKS[stack as StackId]?.runtime ?? 'node';

/** Best Node.js against best Python on throughput, when both were measured. */
function runtimeComparison(v: WorkloadView) {
  return v.comparisons.find((c) => c.metric === 'rps' && runtimeOf(c.a) !== runtimeOf(c.b));
}

/** The winner line: "winner: fastify" plus the comparisons' own words. */
export function winnerLines(v: WorkloadView): string[] {
  const out: string[] = [];
  const measured = v.rows.filter((r) => r.rps);
  if (!v.winner) {
    const top = [...measured].sort((a, b) => b.rps!.median - a.rps!.median)[0];
    const ties = v.comparisons
      .filter((c) => c.tie && c.metric === 'rps' && top && (c.a === top.stack || c.b === top.stack))
      .map((c) => (c.a === top!.stack ? c.b : c.a));
    const tied = [...new Set(ties)];
    const sameRuntime = top && tied.every((s) => runtimeOf(s) === runtimeOf(top.stack));
    const rt = runtimeComparison(v);
    if (!top) out.push('winner: none (nothing measured)');
    else if (tied.length && sameRuntime && rt && !rt.tie && rt.a === top.stack) {
      // The fastest stacks tie with one another, but they are all of one runtime, which wins.
      out.push(
        `${RUNTIME_NAME[runtimeOf(top.stack)]} leads: ${top.stack} (tied with ${tied.join(', ')}) is ` +
          `${fmtRatio(rt.ratio.median)} ${rt.b}, the best ${RUNTIME_NAME[runtimeOf(rt.b)]} stack ` +
          `(${fmtRatio(rt.ratio.low)}–${fmtRatio(rt.ratio.high)})`,
      );
    } else if (tied.length)
      out.push(`no clear winner: ${top.stack} leads on the median, within the noise of ${tied.join(', ')}`);
    else out.push('no clear winner');
  } else {
    const w = v.rows.find((r) => r.stack === v.winner);
    const bound = w && lowerBound(w.flags) ? ' (its figure is generator-limited: a lower bound)' : '';
    const lead = v.comparisons.find((c) => c.a === v.winner && !c.tie);
    const tie = v.comparisons.find((c) => c.a === v.winner && c.tie);
    const ratio = lead
      ? ` — ${fmtRatio(lead.ratio.median)} ${lead.b} (${fmtRatio(lead.ratio.low)}–${fmtRatio(lead.ratio.high)})`
      : tie
        ? ` — tie with ${tie.b}`
        : '';
    out.push(`winner: ${v.winner}${ratio}${bound}`);
  }
  for (const c of v.comparisons) out.push(`  ${c.text}`);
  return out;
}
