// Gates for CI: thresholds on a run's headline figures ("p99<50ms", "rps>10000", "errors<0.1%",
// "capacity>5000"), each for every measured stack and workload or for the ones a scope names
// ("api:p99<50ms", "fastify/json:rps>20000"). A failed gate says which figure, its value, and by how much.
import { analysisOf } from '../analysis/index.js';
import type { Results, StackFigures } from '../results/types.js';
import { holds as satisfies, type Gate } from './grammar.js';

export interface GateCheck {
  gate: string;
  stack: string;
  workload: string;
  actual: number | null;
  ok: boolean;
  text: string;
}

/** The headline error rate (%) of a stack on a workload: every closed-loop run together. */
function errorPercent(results: Results, f: StackFigures, workload: string): number | null {
  const ps = results.points.filter(
    (p) => p.stack === f.stack && p.workload === workload && p.kind === 'closed',
  );
  const errors = ps.reduce((a, p) => a + Object.values(p.errors).reduce((x, y) => x + y, 0), 0);
  const total = ps.reduce((a, p) => a + p.requests, 0) + errors;
  return total > 0 ? (100 * errors) / total : null;
}

/** pNN from the merged spectrum: the listed percentile, or the next listed above it (the stricter). */
function percentile(f: StackFigures, p: number): number | null {
  const at = (f.spectrum ?? []).find(([q]) => q >= p);
  return at ? at[1] : null;
}

const unit = (metric: string) => (metric === 'errors' ? '%' : metric.startsWith('p') ? ' ms' : ' rps');

function figure(results: Results, f: StackFigures, workload: string, metric: string): number | null {
  if (metric === 'rps') return f.rps?.median ?? null;
  if (metric === 'capacity') return f.capacity?.value ?? null;
  if (metric === 'errors') return errorPercent(results, f, workload);
  return percentile(f, Number(metric.slice(1)));
}

export function checkGates(gates: Gate[], results: Results): GateCheck[] {
  const a = analysisOf(results);
  const out: GateCheck[] = [];
  for (const g of gates) {
    let matched = 0;
    for (const w of a.workloads) {
      if (g.workload && w.workload !== g.workload) continue;
      for (const f of w.stacks) {
        if (f.status !== 'measured' || (g.stack && f.stack !== g.stack)) continue;
        matched++;
        const v = figure(results, f, w.workload, g.metric);
        // A capacity that is only a lower bound passes a ">" gate it exceeds, and cannot pass a "<" one.
        const bound = g.metric === 'capacity' && f.capacity?.high === null;
        const holds = v !== null && satisfies(g, v) && !(bound && g.op.startsWith('<'));
        const fmt = (x: number) =>
          Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : String(Number(x.toPrecision(3)));
        const by =
          v === null || holds
            ? ''
            : `, ${Math.abs(((v - g.value) / (g.value || 1)) * 100).toFixed(0)}% ${v > g.value ? 'over' : 'under'} ${fmt(g.value)}${unit(g.metric)}`;
        out.push({
          gate: g.text,
          stack: f.stack,
          workload: w.workload,
          actual: v,
          ok: holds,
          text: `${holds ? 'ok' : 'FAILED'} ${g.text} on ${f.stack}/${w.workload}: ${v === null ? 'no figure' : `${fmt(v)}${unit(g.metric)}${bound ? ' (a lower bound)' : ''}`}${by}`,
        });
      }
    }
    if (matched === 0)
      out.push({
        gate: g.text,
        stack: g.stack ?? '*',
        workload: g.workload ?? '*',
        actual: null,
        ok: false,
        text: `FAILED ${g.text}: no measured figure matches it`,
      });
  }
  return out;
}
