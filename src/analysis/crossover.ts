// Where the answer flips: the ML and data sweep read off the results. At each size, the time one request takes
// on the leading Node.js stack (each implementation: typed-array loops, arquero) and the leading Python stack
// (NumPy, pandas); Python's speed over the fastest Node.js implementation at that size, with its interval; and the
// size above which Python wins and keeps winning — bracketed by the last size where it did not. A side whose every
// run at a size failed (no answer within the window, or errors) loses that size, and the text says so.
import type { Comparison, Crossover, CrossoverStep, Point, Results } from '../results/types.js';
import { compareRuns, fmtRatio, median } from './stats.js';

export type { Crossover, CrossoverStep };

export const sizeText = (family: 'ml' | 'data', size: number) =>
  family === 'ml'
    ? `${Number(size.toPrecision(2))} MFLOP`
    : `${size >= 1e6 ? `${size / 1e6}M` : `${Math.round(size / 1000)}k`} rows`;

/** Flags that say a point is not the stack's figure for a reason other than the stack (a stop, a lost generator). */
const NOT_MEASURED = ['interrupted', 'server-exited', 'generator-lost'];

interface Runs {
  label: string;
  /** The clean runs' rates (sweepRate). */
  rps: number[];
  /** Runs whose requests failed (flag "errors"). */
  failed: Point[];
}

/**
 * A sweep run's rate from the time its answers took: one connection in a closed loop, so 1000 / mean latency.
 * Answers / window would count a request cut off by the window's end as nothing: a 2.5 s window that held two
 * 1.1 s answers reads 0.8/s, not 0.9/s — an error as large as a step between sizes when a window holds a few.
 */
export const sweepRate = (p: Point) =>
  p.latency.count > 0 && p.latency.meanMs > 0 ? 1000 / p.latency.meanMs : p.rps;

/** Runs per stack, implementation and size, for one family (and op). */
function series(points: Point[]) {
  const out = new Map<string, { stack: string; impl: string; runs: Map<number, Runs> }>();
  for (const p of points) {
    const t = p.sweep!;
    const key = `${p.stack}|${t.impl}`;
    const s = out.get(key) ?? { stack: p.stack, impl: t.impl, runs: new Map() };
    const at = s.runs.get(t.size) ?? { label: t.label, rps: [], failed: [] };
    if (p.flags.includes('errors')) at.failed.push(p);
    else at.rps.push(sweepRate(p));
    s.runs.set(t.size, at);
    out.set(key, s);
  }
  return [...out.values()];
}

/** Why a side failed, in words: "no answer within 0.6 s", or its errors by kind. */
function failureWhy(ps: Point[]): string {
  const kinds = new Map<string, number>();
  for (const p of ps)
    for (const [k, n] of Object.entries(p.errors)) if (n > 0) kinds.set(k, (kinds.get(k) ?? 0) + n);
  const silent = ps.every((p) => p.requests === 0) && [...kinds.keys()].every((k) => k === 'timeout');
  if (silent) return `no answer within ${(Math.min(...ps.map((p) => p.durationMs)) / 1000).toFixed(1)} s`;
  return `${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'errors'} in ${ps.length} run${ps.length === 1 ? '' : 's'}`;
}

const list = (xs: string[]) =>
  xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;

/** "10k, 200k and 1M rows", "0.15 and 8.7 MFLOP". */
function sizesText(family: 'ml' | 'data', sizes: number[]): string {
  const unit = family === 'ml' ? ' MFLOP' : ' rows';
  return `${list(sizes.map((s) => sizeText(family, s).replace(unit, '')))}${unit}`;
}

const kindOf = (s: CrossoverStep) => (s.failed ? `${s.failed.side}-failed` : s.outcome);

/**
 * The steps in words, run by run of one outcome: "Node.js (loops) is ahead of pandas for sort over a table at
 * 10k and 200k rows; pandas failed at 1M rows (no answer within 0.6 s), Node.js (loops) answered".
 */
function stepsText(family: 'ml' | 'data', lib: string, what: string, steps: CrossoverStep[]): string {
  const runs: CrossoverStep[][] = [];
  for (const s of steps) {
    const last = runs.at(-1);
    if (last && kindOf(last[0]!) === kindOf(s)) last.push(s);
    else runs.push([s]);
  }
  return runs
    .map((run, i) => {
      const at = sizesText(
        family,
        run.map((s) => s.size),
      );
      const node = `Node.js (${[...new Set(run.map((s) => s.nodeImpl))].join(', ')})`;
      const f = i === 0 ? ` for ${what}` : '';
      const why = run[0]!.failed?.why ?? '';
      switch (kindOf(run[0]!)) {
        case 'node':
          return `${node} is ahead of ${lib}${f} at ${at}`;
        case 'python':
          return `${lib} is ahead of Node.js${f} at ${at}`;
        case 'tie':
          return i === 0 ? `${node} and ${lib} tie${f} at ${at}` : `a tie at ${at}`;
        case 'undecided':
          return `${i === 0 ? `${node} and ${lib} are not told apart${f}` : 'not told apart'} at ${at} (too wide for a tie)`;
        case 'python-failed':
          return `${lib} failed${f} at ${at} (${why}), ${node} answered`;
        default:
          return `Node.js failed${f} at ${at} (${why}), ${lib} answered`;
      }
    })
    .join('; ');
}

type Series = ReturnType<typeof series>[number];

/**
 * Python against the fastest Node.js implementation at one size: a step, "neither" where both sides failed, or
 * nothing where the size has no Node.js run or no ratio. A side with no clean run there (every run errored)
 * failed: it loses the size.
 */
function stepAt(
  family: 'ml' | 'data',
  size: number,
  py: Series,
  nodes: Series[],
): CrossoverStep | 'neither' | undefined {
  const p = py.runs.get(size)!;
  const here = nodes.filter((n) => n.runs.has(size));
  if (here.length === 0) return undefined;
  const rpsOf = (n: Series) => n.runs.get(size)!.rps;
  const perImpl = here.map((n) => ({
    stack: n.stack,
    impl: n.impl,
    ms: rpsOf(n).length ? 1000 / median(rpsOf(n)) : null,
  }));
  // The fastest Node.js implementation at this size is what Python must beat.
  const best = here.filter((n) => rpsOf(n).length > 0).sort((a, b) => median(rpsOf(b)) - median(rpsOf(a)))[0];
  const base = { size, label: p.label, perImpl };
  if (p.rps.length === 0 && !best) return 'neither';
  if (!best)
    return {
      ...base,
      pythonMs: 1000 / median(p.rps),
      nodeMs: null,
      nodeImpl: here.map((n) => n.impl).join(', '),
      ratio: null,
      outcome: 'python',
      failed: { side: 'node', why: failureWhy(here.flatMap((n) => n.runs.get(size)!.failed)) },
    };
  const nodeMs = 1000 / median(rpsOf(best));
  if (p.rps.length === 0)
    return {
      ...base,
      pythonMs: null,
      nodeMs,
      nodeImpl: best.impl,
      ratio: null,
      outcome: 'node',
      failed: { side: 'python', why: failureWhy(p.failed) },
    };
  const c: Comparison | undefined = compareRuns(
    family,
    'rps',
    { stack: py.stack, runs: p.rps },
    { stack: best.stack, runs: rpsOf(best) },
  );
  if (!c) return undefined;
  const pyFirst = c.a === py.stack;
  const ratio = pyFirst
    ? c.ratio
    : { ...c.ratio, median: 1 / c.ratio.median, low: 1 / c.ratio.high, high: 1 / c.ratio.low };
  return {
    ...base,
    pythonMs: 1000 / median(p.rps),
    nodeMs,
    nodeImpl: best.impl,
    ratio,
    outcome: c.tie ? 'tie' : c.undecided ? 'undecided' : pyFirst ? 'python' : 'node',
  };
}

/** Where the answer flips, in words, and the flip: the first size from which Python wins at every larger size. */
function verdictOfSizes(
  family: 'ml' | 'data',
  op: string,
  steps: CrossoverStep[],
): { text: string; flip?: Crossover['flip'] } {
  let from = steps.length;
  while (from > 0 && steps[from - 1]!.outcome === 'python') from--;
  const lib = family === 'ml' ? 'NumPy' : 'pandas';
  const what = family === 'ml' ? 'ML inference' : `${op} over a table`;
  if (from === 0 && steps.every((s) => !s.failed))
    return {
      text: `${lib} is ahead of Node.js at every size measured for ${what}, from ${sizeText(family, steps[0]!.size)}`,
    };
  if (from === 0 || from === steps.length) return { text: stepsText(family, lib, what, steps) };
  const above = steps[from - 1]!;
  const at = steps[from]!;
  const r = at.ratio;
  const there = r
    ? `${fmtRatio(r.median)}x, ${fmtRatio(r.low, r.median)}–${fmtRatio(r.high, r.median)}`
    : `Node.js failed, ${at.failed?.why ?? 'no answer'}`;
  let text = `${lib} overtakes Node.js for ${what} between ${sizeText(family, above.size)} and ${sizeText(family, at.size)} per request (at ${sizeText(family, at.size)}: ${there})`;
  const later = steps.slice(from + 1).filter((s) => s.failed);
  if (later.length)
    text += `; Node.js failed at ${sizesText(
      family,
      later.map((s) => s.size),
    )} (${later[0]!.failed!.why})`;
  return { text, flip: { above: above.size, below: at.size } };
}

export function crossovers(results: Results): Crossover[] {
  const sweep = results.points.filter(
    (p) => p.kind === 'sweep' && p.sweep && !p.flags.some((f) => NOT_MEASURED.includes(f)),
  );
  const runtime = (stack: string) => results.stacks.find((s) => s.id === stack)?.runtime;
  const groups = new Map<string, Point[]>();
  for (const p of sweep) {
    const key = `${p.sweep!.family}|${p.sweep!.op ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out: Crossover[] = [];
  for (const [key, points] of groups) {
    const [family, op] = key.split('|') as ['ml' | 'data', string];
    const all = series(points);
    const nodes = all.filter((s) => runtime(s.stack) === 'node');
    const py = all.find((s) => runtime(s.stack) === 'python');
    if (!py || nodes.length === 0) continue;
    const steps: CrossoverStep[] = [];
    const neither: number[] = [];
    for (const size of [...py.runs.keys()].sort((a, b) => a - b)) {
      const step = stepAt(family, size, py, nodes);
      if (step === 'neither') neither.push(size);
      else if (step) steps.push(step);
    }
    if (steps.length === 0) continue;
    const { text, flip } = verdictOfSizes(family, op, steps);
    out.push({
      family,
      ...(op ? { op } : {}),
      node: [...new Set(nodes.map((n) => n.stack))].join(', '),
      python: py.stack,
      steps,
      ...(flip ? { flip } : {}),
      text: neither.length ? `${text}; both failed at ${sizesText(family, neither)}` : text,
    });
  }
  return out.sort((a, b) => (a.family + (a.op ?? '')).localeCompare(b.family + (b.op ?? '')));
}
