// The article's question — Node.js or Python? — answered from this run's figures in a few plain sentences.
// Nothing here is a fixed conclusion: every pick and figure comes from the comparisons.
import type { Comparison, Results, StackFigures, Verdict } from '../results/types.js';
import type { WorkloadId } from '../workloads.js';
import type { WorkloadComparisons } from './compare.js';
import { measured, type Derived } from './derive.js';
import { compareBrackets, compareRuns, fmtInt, fmtRatio } from './stats.js';
import { crossovers } from './crossover.js';

/** Requests that wait (timer, downstream, database, a stream, a chat): concurrency, judged by capacity when searched. */
const WAITS: ReadonlySet<WorkloadId> = new Set(['io', 'service', 'db', 'stream', 'chat']);

type Pick = 'Node.js' | 'Python' | 'either';

function short(c: Comparison): string {
  const what = c.metric === 'capacity' ? ' within the SLO' : '';
  return c.tie
    ? `tie, ${c.a} ${fmtRatio(c.ratio.median)}x ${c.b}${what}`
    : `${c.a} ${fmtRatio(c.ratio.median)}x ${c.b}${what}`;
}

const list = (xs: string[]) =>
  xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;

function range(fs: StackFigures[], key: 'peakPssMiB' | 'cpuUsPerRequest'): string | undefined {
  const xs = fs.map((f) => f[key]).filter((x): x is number => x !== undefined);
  if (xs.length === 0) return undefined;
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? fmtInt(lo) : `${fmtInt(lo)}-${fmtInt(hi)}`;
}

export function recommend(
  results: Results,
  d: Derived,
  cmps: Map<WorkloadId, WorkloadComparisons>,
  verdicts: Verdict[],
): string[] {
  const out: string[] = [];
  const m = results.machine;
  const counts = d.workloads.flatMap((w) => w.stacks.map((s) => s.runs.length)).filter((n) => n > 0);
  const runs = Math.max(0, ...counts);
  const fewest = Math.min(...counts);
  out.push(
    `On this machine (${m.cpuModel}; the server gets ${m.serverCpus.length} core${m.serverCpus.length === 1 ? '' : 's'}, the load generator ${m.generatorCpus.length}), ` +
      (runs > 0
        ? `each throughput figure is the median of up to ${runs} run${runs === 1 ? '' : 's'} at ${d.connections} connections`
        : 'no throughput figure has been measured yet') +
      (results.capacities.length
        ? `, and capacity is the highest rate with p99 <= ${results.config.sloP99Ms} ms.`
        : '.'),
  );

  const picks = new Map<Pick, string[]>();
  const gaps: string[] = [];
  const undecided: string[] = [];
  for (const w of d.workloads) {
    const c = cmps.get(w.workload);
    const cmp = (WAITS.has(w.workload) ? c?.runtimes.capacity : undefined) ?? c?.runtimes.rps;
    if (!cmp) {
      if (w.stacks.length > 0) gaps.push(w.workload);
      continue;
    }
    if (cmp.undecided) {
      undecided.push(
        `${w.workload} (${cmp.a} ${fmtRatio(cmp.ratio.median)}x ${cmp.b}${cmp.note ? `, ${cmp.note}` : ''})`,
      );
      continue;
    }
    const runtimeOfA = w.stacks.find((s) => s.stack === cmp.a)?.runtime === 'node' ? 'Node.js' : 'Python';
    const pick: Pick = cmp.tie ? 'either' : runtimeOfA;
    picks.set(pick, [...(picks.get(pick) ?? []), `${w.workload} (${short(cmp)})`]);
  }
  for (const pick of ['Node.js', 'Python'] as const) {
    const ws = picks.get(pick);
    if (ws) out.push(`Choose ${pick} for ${list(ws)}.`);
  }
  const either = picks.get('either');
  if (either) out.push(`Either runtime will do for ${list(either)}: the difference is within the noise.`);
  if (undecided.length)
    out.push(
      `Undecided for ${list(undecided)}: a bound on one side, or brackets that overlap — a longer run (--suite full) can settle it.`,
    );
  // The headline's small sizes are not where ML and tables live: say where the answer flips.
  for (const x of crossovers(results)) if (x.flip) out.push(`By size: ${x.text}.`);
  if (gaps.length)
    out.push(`No Node.js-vs-Python comparison for ${list(gaps)}: one side has no figures (see missing).`);

  // Within Python the server model can matter more than the runtime: say so when the spread is large.
  const spreads: string[] = [];
  for (const w of d.workloads) {
    const py = measured(w).filter((s) => s.runtime === 'python');
    if (py.length < 2) continue;
    const useCap = WAITS.has(w.workload) && py.every((s) => s.capacity);
    const val = (s: StackFigures) => (useCap ? s.capacity!.value : (s.rps?.median ?? 0));
    const sorted = [...py].sort((a, b) => val(b) - val(a));
    const [hi, lo] = [sorted[0]!, sorted[sorted.length - 1]!];
    const cmp = useCap
      ? compareBrackets(
          w.workload,
          { stack: hi.stack, cap: hi.capacity! },
          { stack: lo.stack, cap: lo.capacity! },
        )
      : compareRuns(
          w.workload,
          'rps',
          { stack: hi.stack, runs: hi.runs },
          { stack: lo.stack, runs: lo.runs },
        );
    // Only a decided difference: a bound against a bound (or overlapping brackets) is no spread to report.
    if (cmp && !cmp.tie && !cmp.undecided && cmp.ratio.median >= 2)
      spreads.push(`on ${w.workload} ${short(cmp)}`);
  }
  if (spreads.length) out.push(`If you choose Python, the server model matters: ${spreads.join('; ')}.`);

  const json =
    d.workloads.find((w) => w.workload === 'json' && measured(w).length > 0) ??
    d.workloads.find((w) => measured(w).length > 0);
  if (json) {
    const parts: string[] = [];
    for (const [name, rt] of [
      ['Node.js', 'node'],
      ['Python', 'python'],
    ] as const) {
      const fs = measured(json).filter((s) => s.runtime === rt);
      const cpu = range(fs, 'cpuUsPerRequest');
      const rss = range(fs, 'peakPssMiB');
      if (cpu || rss)
        parts.push(
          `${name} ${[cpu && `${cpu} µs CPU per request`, rss && `${rss} MiB peak memory (PSS)`].filter(Boolean).join(', ')}`,
        );
    }
    if (parts.length) out.push(`Cost on ${json.workload}: ${parts.join('; ')}.`);
  }

  const unmeasured = verdicts.filter((v) => v.verdict === 'not measured').map((v) => v.claim);
  if (unmeasured.length)
    out.push(`Not decided by this run: ${list(unmeasured)} (see their verdicts for what would test them).`);
  if (counts.length > 0 && fewest < 3) {
    out.push(
      `Some figures rest on fewer than 3 runs${results.status === 'interrupted' ? ' (the run was interrupted)' : ''}: read them as indications, not results.`,
    );
  }
  return out;
}
