// Number formatting and flag marks shared by every reporter. A flagged figure is never printed as a plain
// number: it carries its mark (and "≥" when the true figure can only be higher).
import type { Machine } from '../results/types.js';

/** Point flags (Point.flags) and capacity limits, each with a short mark and its meaning for the legend. */
export const MARKS: Record<string, { mark: string; text: string }> = {
  'generator-saturated': {
    mark: 'G',
    text: 'generator-limited: the load generator, not the server, was the bottleneck; the true figure is at least this',
  },
  'few-samples': {
    mark: 'F',
    text: 'few samples: under 1,000 requests per run, so the p99 rests on fewer than 10 of them',
  },
  errors: {
    mark: 'E',
    text: 'errors: the error rate was above the limit; only successful responses are counted',
  },
  interrupted: { mark: 'I', text: 'interrupted: the run was stopped before this point ended' },
  'server-exited': { mark: 'X', text: 'server exited: the stack stopped during this point' },
  'generator-lost': {
    mark: 'L',
    text: 'generator lost: an agent of the generator died or went silent during this point; its share of the load is missing',
  },
  'not-idle': {
    mark: 'B',
    text: 'busy before: the server was still working (on an earlier point’s queue, for 10 s) when this point began',
  },
  'max-probes': {
    mark: 'M',
    text: 'no ceiling found: every probe of the capacity search met the SLO, so the capacity is at least this',
  },
  'wide-bracket': {
    mark: 'W',
    text: 'wide bracket: the capacity search ran out of probes before narrowing to its precision; the capacity lies somewhere in the range',
  },
};

export function markOf(flag: string): string {
  return MARKS[flag]?.mark ?? '?';
}

/** Legend lines for the flags that occur, in the order of MARKS. */
export function legend(flags: Iterable<string>): Array<{ mark: string; text: string }> {
  const seen = new Set(flags);
  const known = Object.entries(MARKS).filter(([f]) => seen.has(f));
  const unknown = [...seen].filter((f) => !MARKS[f]).map((f) => ({ mark: '?', text: f }));
  return [...known.map(([, m]) => m), ...unknown];
}

const group = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** Requests per second: 12,340 ; 85.3 ; 0.4 */
export function fmtRps(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return Math.abs(n) >= 100 ? group.format(n) : oneDecimal.format(n);
}

/** Three significant digits, no exponent: 0.123, 1.23, 12.3, 123, 1,234 */
export function fmtSig(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n === 0) return '0';
  const a = Math.abs(n);
  if (a >= 1000) return group.format(n);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return n.toFixed(digits);
}

export const fmtMs = (n: number) => `${fmtSig(n)} ms`;
export const fmtUs = (n: number) => `${fmtSig(n)} µs`;
export const fmtMiB = (n: number) => `${fmtSig(n)} MiB`;
/** 0.001 -> "0.1%", 0.25 -> "25%": significant digits without trailing zeros. */
export const fmtPct = (n: number) => `${Number((n * 100).toPrecision(3))}%`;

/** "12,340 (12,100–12,600)" */
export function fmtEstimate(e: { median: number; low: number; high: number; n: number }): string {
  if (e.n < 2 || (e.low === e.median && e.high === e.median)) return fmtRps(e.median);
  return `${fmtRps(e.median)} (${fmtRps(e.low)}–${fmtRps(e.high)})`;
}

/** A figure with its flag marks: "≥12,340 [G]" when it is a lower bound. */
export function flagged(text: string, flags: string[], lowerBound: boolean): string {
  if (!flags.length) return text;
  const marks = [...new Set(flags.map(markOf))].join(',');
  return `${lowerBound ? '≥' : ''}${text} [${marks}]`;
}

/** ISO time -> "2025-05-01 14:03 UTC" */
export function fmtDate(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function fmtDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${ms} ms`;
}

/** The machine a run measured on, as label/value rows (markdown and HTML reports). */
export function machineRows(m: Machine): Array<[string, string]> {
  return [
    ['OS', m.os],
    ['CPU', `${m.cpuModel} (${m.cores} cores)`],
    ['memory', `${m.memoryGiB} GiB`],
    ['server CPUs', m.serverCpus.join(', ')],
    ['generator CPUs', m.generatorCpus.join(', ')],
    ['CPU note', m.cpuNote],
    ['Node.js', m.node],
    ['Python', m.python ?? '—'],
    ['PostgreSQL', m.postgres ?? '—'],
  ];
}
