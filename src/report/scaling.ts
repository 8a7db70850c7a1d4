// The horizontal-scaling study in words and tables, for every reporter: one line per workload, the efficiency
// table, and what the fault did. Pure: the analysis and the results in, text out.
import type { Analysis, Fault, Results, ScalingCurve } from '../results/types.js';
import { fmtRps } from './format.js';

const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '∞');
const effText = (c: ScalingCurve, n: number) => {
  const e = c.efficiency.find((x) => x.n === n);
  return e ? `${pct(e.value)} (${pct(e.low)}–${pct(e.high ?? Infinity)})` : '—';
};
const capText = (c: ScalingCurve, n: number) => {
  const s = c.steps.find((x) => x.n === n);
  if (!s) return '—';
  if (s.high === null) return `≥${fmtRps(s.value)}`;
  return s.high > s.value ? `${fmtRps(s.value)}–${fmtRps(s.high)}` : fmtRps(s.value);
};

/** Why the study has no figures, when it has none. */
export function scalingAbsence(results: Results, a: Analysis): string | undefined {
  const cfg = results.config.scaling;
  if (!cfg) return 'not run (stackbench run --scaling on runs it)';
  if (cfg.notMeasured) return `not measured: ${cfg.notMeasured}`;
  if (a.scaling.length === 0 && a.split.length === 0) return 'nothing was measured (see the notes)';
  return undefined;
}

/** The budget every figure of the study had, and the balancer's cost: said once above the lines. */
export function scalingHeader(a: Analysis): string {
  if (a.split.length)
    return `${a.split[0]!.form}. E(N) = CPU per request of 1 replica / of N at the same rate: 100 % is free splitting; on N real cores it is what E(N) = C(N) / (N x C(1)) would be where CPU is the limit`;
  const steps = a.scaling.flatMap((c) => c.steps);
  const top = steps.reduce((m, s) => (s.n > (m?.n ?? 0) ? s : m), steps[0]);
  const lb = steps.map((s) => s.balancerUsPerRequest).filter((x): x is number => x !== undefined);
  const lbText = lb.length
    ? `; HAProxy ${Math.round(Math.min(...lb))}–${Math.round(Math.max(...lb))} µs of its own CPU per request`
    : '';
  const throttled = steps.some((s) => (s.throttled ?? 0) > 0)
    ? "; a replica's tail includes its CPU quota's throttling, as in production"
    : '';
  return `${top?.budget ?? ''}${lbText}${throttled}`;
}

/** One line per workload: each stack's capacities at every N and its efficiency at the largest. */
export function scalingLines(a: Analysis): string[] {
  const out: string[] = [];
  for (const workload of [...new Set(a.scaling.map((c) => c.workload))]) {
    const curves = a.scaling.filter((c) => c.workload === workload && c.form === 'replicas');
    const parts = curves.map((c) => {
      const top = Math.max(...c.steps.map((s) => s.n));
      return `${c.stack} ${c.steps.map((s) => capText(c, s.n)).join(' → ')} (E(${top}) ${effText(c, top)})`;
    });
    out.push(`${workload}: ${parts.join(' · ')}`);
  }
  return out;
}

/** Head and rows of the efficiency table (markdown and HTML). */
export function scalingTable(a: Analysis): { head: string[]; rows: string[][] } {
  const ns = [...new Set(a.scaling.flatMap((c) => c.steps.map((s) => s.n)))].sort((x, y) => x - y);
  const head = [
    'workload',
    'stack',
    'form',
    ...ns.map((n) => `C(${n})`),
    ...ns.filter((n) => n > 1).map((n) => `E(${n})`),
    'USL',
    'shares',
  ];
  const rows = a.scaling.map((c) => {
    const shares = c.steps.at(-1)?.shares;
    return [
      c.workload,
      c.stack,
      c.form,
      ...ns.map((n) => capText(c, n)),
      ...ns.filter((n) => n > 1).map((n) => effText(c, n)),
      c.usl
        ? `σ ${c.usl.sigma.toFixed(3)}, κ ${c.usl.kappa.toFixed(4)}${c.usl.peakN ? `, peak N≈${c.usl.peakN.toFixed(0)}` : ''}`
        : '—',
      shares ? shares.map((s) => pct(s)).join('/') : '—',
    ];
  });
  return { head, rows };
}

/** What killing one replica did, in words. */
export function faultLine(f: Fault): string {
  const after =
    f.recoveryMs === null
      ? 'errors had not stopped when the window closed'
      : f.errors === 0
        ? 'no client saw an error'
        : `errors stopped ${(f.recoveryMs / 1000).toFixed(1)} s after the kill`;
  const chat =
    f.reconnects !== undefined
      ? `; ${f.reconnects} chat members dropped with it joined again, ${f.drops ?? 0} deliveries lost`
      : '';
  return `${f.stack} on ${f.workload}: 1 of ${f.n} replicas SIGKILLed ${(f.killedAtMs / 1000).toFixed(1)} s in: ${f.errors} errors of ${f.requests + f.errors} attempts, ${after}${chat}`;
}
