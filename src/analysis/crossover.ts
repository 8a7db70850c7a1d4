// Where the answer flips: the ML and data sweep read off the results. At each size, the time one request takes
// on the leading Node.js stack (each implementation: typed-array loops, arquero) and the leading Python stack
// (NumPy, pandas); Python's speed over the fastest Node.js implementation at that size, with its interval; and the
// size above which Python wins and keeps winning — bracketed by the last size where it did not.
import type { Comparison, Crossover, CrossoverStep, Point, Results } from '../results/types.js';
import { compareRuns, fmtRatio, median } from './stats.js';

export type { Crossover, CrossoverStep };

export const sizeText = (family: 'ml' | 'data', size: number) =>
  family === 'ml'
    ? `${Number(size.toPrecision(2))} MFLOP`
    : `${size >= 1e6 ? `${size / 1e6}M` : `${Math.round(size / 1000)}k`} rows`;

/** Runs (rps) per stack, implementation and size, for one family (and op). */
function series(points: Point[]) {
  const out = new Map<
    string,
    { stack: string; impl: string; runs: Map<number, { label: string; rps: number[] }> }
  >();
  for (const p of points) {
    const t = p.sweep!;
    const key = `${p.stack}|${t.impl}`;
    const s = out.get(key) ?? { stack: p.stack, impl: t.impl, runs: new Map() };
    const at = s.runs.get(t.size) ?? { label: t.label, rps: [] };
    at.rps.push(p.rps);
    s.runs.set(t.size, at);
    out.set(key, s);
  }
  return [...out.values()];
}

export function crossovers(results: Results): Crossover[] {
  const sweep = results.points.filter(
    (p) =>
      p.kind === 'sweep' &&
      p.sweep &&
      !p.flags.some((f) => ['interrupted', 'server-exited', 'generator-lost', 'errors'].includes(f)),
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
    const sizes = [...py.runs.keys()].sort((a, b) => a - b);
    const steps: CrossoverStep[] = [];
    for (const size of sizes) {
      const p = py.runs.get(size)!;
      // The fastest Node.js implementation at this size is what Python must beat.
      const best = nodes
        .filter((n) => n.runs.has(size))
        .sort((a, b) => median(b.runs.get(size)!.rps) - median(a.runs.get(size)!.rps))[0];
      if (!best) continue;
      const c: Comparison | undefined = compareRuns(
        family,
        'rps',
        { stack: py.stack, runs: p.rps },
        { stack: best.stack, runs: best.runs.get(size)!.rps },
      );
      if (!c) continue;
      const pyFirst = c.a === py.stack;
      const ratio = pyFirst
        ? c.ratio
        : { ...c.ratio, median: 1 / c.ratio.median, low: 1 / c.ratio.high, high: 1 / c.ratio.low };
      steps.push({
        size,
        label: p.label,
        pythonMs: 1000 / median(p.rps),
        nodeMs: 1000 / median(best.runs.get(size)!.rps),
        nodeImpl: best.impl,
        ratio,
        outcome: c.tie ? 'tie' : pyFirst ? 'python' : 'node',
        perImpl: nodes
          .filter((n) => n.runs.has(size))
          .map((n) => ({ stack: n.stack, impl: n.impl, ms: 1000 / median(n.runs.get(size)!.rps) })),
      });
    }
    if (steps.length === 0) continue;
    // The flip: the first size from which Python wins at every larger size.
    let from = steps.length;
    while (from > 0 && steps[from - 1]!.outcome === 'python') from--;
    const lib = family === 'ml' ? 'NumPy' : 'pandas';
    const what = family === 'ml' ? 'ML inference' : `${op} over a table`;
    let text: string;
    let flip: Crossover['flip'];
    if (from === 0)
      text = `${lib} is ahead of Node.js at every size measured for ${what}, from ${sizeText(family, steps[0]!.size)}`;
    else if (from === steps.length)
      text = `Node.js (${steps.at(-1)!.nodeImpl}) stays ahead of ${lib} up to the largest size measured for ${what}, ${sizeText(family, steps.at(-1)!.size)}${steps.at(-1)!.outcome === 'tie' ? ' (a tie there)' : ''}`;
    else {
      const above = steps[from - 1]!;
      const at = steps[from]!;
      flip = { above: above.size, below: at.size };
      const r = at.ratio;
      text = `${lib} overtakes Node.js for ${what} between ${sizeText(family, above.size)} and ${sizeText(family, at.size)} per request (at ${sizeText(family, at.size)}: ${fmtRatio(r.median)}x, ${fmtRatio(r.low, r.median)}–${fmtRatio(r.high, r.median)})`;
    }
    out.push({
      family,
      ...(op ? { op } : {}),
      node: [...new Set(nodes.map((n) => n.stack))].join(', '),
      python: py.stack,
      steps,
      ...(flip ? { flip } : {}),
      text,
    });
  }
  return out.sort((a, b) => (a.family + (a.op ?? '')).localeCompare(b.family + (b.op ?? '')));
}
