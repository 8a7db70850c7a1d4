// compare's terminal output, in hyperfine's manner: a block per target (throughput with its interval, latency,
// capacity within the SLO, what the server cost), then the summary — who handled how many times the requests of
// whom, a tie said as a tie. Pure: Results in, text out.
import { analysisOf } from '../analysis/index.js';
import type { Results } from '../results/types.js';
import { flagged, fmtDuration, fmtEstimate, fmtMiB, fmtMs, fmtRps, fmtUs } from './format.js';
import { color } from './table.js';
import { headerLine, statusWarning } from './terminal.js';

export function compareText(results: Results): string {
  const a = analysisOf(results);
  const c = results.config;
  const out: string[] = [headerLine(results)];
  const warn = statusWarning(results);
  if (warn) out.push(color.yellow(warn));
  const sent = c.compare?.requests ?? [];
  out.push(
    color.dim(
      `${sent.map((r) => `${r.method} ${r.path}${sent.length > 1 ? ` x${r.weight}` : ''}`).join(', ')} · ${c.repetitions} runs x ${fmtDuration(c.durationMs)} at ${c.connections[0]} connections (closed loop) · capacity: p99 ≤ ${c.sloP99Ms} ms, errors ≤ ${c.maxErrorRate * 100}%`,
    ),
  );
  for (const w of a.workloads) {
    for (const f of w.stacks) {
      const target = c.compare?.targets.find((t) => t.name === f.stack);
      out.push('', `${color.bold(f.stack)}  ${color.dim(target?.url ?? target?.command ?? '')}`);
      if (f.status !== 'measured') {
        out.push(`  ${f.status}${f.reason ? `: ${f.reason}` : ''}`);
        continue;
      }
      if (f.rps) out.push(`  throughput   ${flagged(`${fmtEstimate(f.rps)} req/s`, f.flags, f.saturated)}`);
      const at = (p: number) => f.spectrum?.find(([q]) => q === p)?.[1];
      const lat = [50, 99, 99.9]
        .map((p) => (at(p) !== undefined ? `p${p} ${fmtMs(at(p)!)}` : ''))
        .filter(Boolean);
      if (lat.length) out.push(`  latency      ${lat.join('  ')}`);
      if (f.capacity) {
        const k = f.capacity;
        const bracket =
          k.high === null ? ' (a lower bound: no ceiling found)' : ` (${fmtRps(k.low)}–${fmtRps(k.high)})`;
        out.push(`  capacity     ${fmtRps(k.value)} req/s within p99 ≤ ${c.sloP99Ms} ms${bracket}`);
      }
      const cost = [
        f.cpuUsPerRequest !== undefined ? `${fmtUs(f.cpuUsPerRequest)} CPU per request` : '',
        f.peakPssMiB !== undefined ? `${fmtMiB(f.peakPssMiB)} peak (PSS)` : '',
      ].filter(Boolean);
      out.push(`  server       ${cost.length ? cost.join(', ') : color.dim('not sampled (reached by URL)')}`);
      for (const n of f.notes) out.push(color.dim(`  note: ${n}`));
    }
  }
  if (a.recommendation.length) {
    out.push('', color.bold('Summary'));
    for (const line of a.recommendation) out.push(`  ${line}`);
  }
  if (a.agreement) out.push('', color.bold(`against ${a.agreement.against}: ${a.agreement.summary}`));
  for (const f of results.failures) out.push(color.red(`failure: ${f}`));
  for (const n of results.notes) out.push(color.dim(`note: ${n}`));
  return out.join('\n');
}
