// The split-cost study in words and tables, for every reporter: the figure that decided (or why nothing did),
// the model line labelled as a model, and per stack and workload the CPU per request at N against one. Pure.
import type { Analysis, Interval, SplitCurve } from '../results/types.js';
import { fmtRps } from './format.js';

const pct = (x: number) => `${Math.round(x * 100)}%`;
const x2 = (r: Interval) =>
  !Number.isFinite(r.value)
    ? '—'
    : `${r.value.toFixed(2)}x (${r.low.toFixed(2)}–${Number.isFinite(r.high) ? r.high.toFixed(2) : '∞'})`;
const us = (x: number) => `${Math.round(x)} µs`;

/** The section's first words: the horizontal-scaling verdict's own line, which names the figure that decided. */
export function splitLead(a: Analysis): string | undefined {
  const v = a.verdicts.find((x) => x.claim === 'horizontal-scaling');
  return v && v.verdict !== 'not measured' ? v.headline.text : undefined;
}

/** Model, not measured: what N real cores would serve, from one replica's whole-core capacity. */
export function modelLine(c: SplitCurve): string | undefined {
  const top = c.steps.at(-1);
  if (!top?.modelRps || !c.wholeCoreRps || top.n < 2) return undefined;
  return `model, not measured: ${c.stack} on ${c.workload} across ${top.n} real cores ≈ ${fmtRps(top.modelRps)} (${top.n} x ${fmtRps(c.wholeCoreRps)} on one core x E ${pct(top.efficiency.value)})`;
}

/** One line per workload: each stack's CPU per request at 1 and how it grows with N. */
export function splitLines(a: Analysis): string[] {
  const out: string[] = [];
  for (const workload of [...new Set(a.split.map((c) => c.workload))]) {
    const parts = a.split
      .filter((c) => c.workload === workload)
      .map((c) => {
        const one = c.steps.find((s) => s.n === 1);
        const more = c.steps.filter((s) => s.n > 1).map((s) => `x${s.n} ${x2(s.ratio)}`);
        return `${c.stack} ${one ? us(one.usPerRequest) : '—'} at 1, ${more.join(', ')}`;
      });
    out.push(`${workload}: CPU per request: ${parts.join(' · ')}`);
  }
  return [...out, ...a.split.map(modelLine).filter((l): l is string => l !== undefined)];
}

/** Head and rows of the split-cost table (markdown and HTML). */
export function splitTable(a: Analysis): { head: string[]; rows: string[][] } {
  const ns = [...new Set(a.split.flatMap((c) => c.steps.map((s) => s.n)))]
    .filter((n) => n > 1)
    .sort((x, y) => x - y);
  const head = [
    'workload',
    'stack',
    'CPU/request at 1',
    ...ns.map((n) => `at ${n} / at 1`),
    ...ns.map((n) => `E(${n})`),
    'HAProxy/request',
    'Redis/delivery',
    'p99 at 1 → max N',
    'rounds',
  ];
  const rows = a.split.map((c) => {
    const one = c.steps.find((s) => s.n === 1);
    const at = (n: number) => c.steps.find((s) => s.n === n);
    const top = c.steps.at(-1);
    return [
      c.workload,
      c.stack,
      one ? us(one.usPerRequest) : '—',
      ...ns.map((n) => (at(n) ? x2(at(n)!.ratio) : '—')),
      ...ns.map((n) => {
        const e = at(n)?.efficiency;
        return e ? `${pct(e.value)} (${pct(e.low)}–${e.high === null ? '∞' : pct(e.high)})` : '—';
      }),
      one ? us(one.balancerUs) : '—',
      one?.redisUs !== undefined ? us(one.redisUs) : '—',
      one && top ? `${one.p99Ms.toFixed(1)} → ${top.p99Ms.toFixed(1)} ms` : '—',
      String(one?.rounds ?? 0),
    ];
  });
  return { head, rows };
}
