// Per-workload comparisons: best Node.js vs best Python (throughput, and capacity when searched), and every
// stack vs the fastest; the winner only when it is not tied with the runner-up.
import type { Comparison, StackFigures } from '../results/types.js';
import type { StackId } from '../stacks/registry.js';
import type { WorkloadFigures } from './derive.js';
import { compareBrackets, compareRuns } from './stats.js';
import { WORKLOADS } from '../workloads.js';

export interface WorkloadComparisons {
  winner?: StackId;
  /** Best Node.js vs best Python by rps, and by capacity when both were searched (undefined when a side is missing). */
  runtimes: { rps?: Comparison; capacity?: Comparison };
  comparisons: Comparison[];
}

const byRps = (fs: StackFigures[]) => fs.filter((f) => f.rps !== undefined && f.runs.length > 0);

export function bestOf(fs: StackFigures[], runtime: StackFigures['runtime']): StackFigures | undefined {
  return byRps(fs).find((f) => f.runtime === runtime); // fs is sorted fastest first
}

export function bestCapacity(fs: StackFigures[], runtime: StackFigures['runtime']): StackFigures | undefined {
  return fs
    .filter((f) => f.runtime === runtime && f.capacity)
    .reduce<StackFigures | undefined>(
      (a, f) => (!a || f.capacity!.value > a.capacity!.value ? f : a),
      undefined,
    );
}

const rpsPair = (w: WorkloadFigures, x: StackFigures, y: StackFigures) =>
  compareRuns(w.workload, 'rps', { stack: x.stack, runs: x.runs }, { stack: y.stack, runs: y.runs });

/**
 * One named pair on a workload, by throughput or by capacity: what `--against` tests when a later run ranked
 * the stacks differently and so compared other pairs. undefined when either side lacks the figure.
 */
export function comparePair(
  w: WorkloadFigures,
  metric: Comparison['metric'],
  a: StackId,
  b: StackId,
): Comparison | undefined {
  const x = w.stacks.find((f) => f.stack === a);
  const y = w.stacks.find((f) => f.stack === b);
  if (!x || !y) return undefined;
  if (metric === 'capacity')
    return x.capacity && y.capacity
      ? compareBrackets(w.workload, { stack: a, cap: x.capacity }, { stack: b, cap: y.capacity })
      : undefined;
  return x.rps && y.rps && x.runs.length && y.runs.length ? rpsPair(w, x, y) : undefined;
}

export function compareWorkload(w: WorkloadFigures): WorkloadComparisons {
  const out: WorkloadComparisons = { runtimes: {}, comparisons: [] };
  // Chat's headline runs at a fixed message rate: every stack that keeps up delivers the same, so its rps ranks
  // nothing. Its capacity does.
  const fixedRate = WORKLOADS[w.workload].protocol === 'ws';
  const seen = new Set<string>();
  const add = (c: Comparison | undefined) => {
    const key = `${c?.metric}:${[c?.a, c?.b].sort().join('|')}`;
    if (c && !seen.has(key)) {
      seen.add(key);
      out.comparisons.push(c);
    }
    return c;
  };
  const node = bestOf(w.stacks, 'node');
  const py = bestOf(w.stacks, 'python');
  if (node && py && !fixedRate) out.runtimes.rps = add(rpsPair(w, node, py));
  const nodeCap = bestCapacity(w.stacks, 'node');
  const pyCap = bestCapacity(w.stacks, 'python');
  if (nodeCap && pyCap) {
    out.runtimes.capacity = add(
      compareBrackets(
        w.workload,
        { stack: nodeCap.stack, cap: nodeCap.capacity! },
        { stack: pyCap.stack, cap: pyCap.capacity! },
      ),
    );
  }
  // Stacks rank by throughput (the tighter figure); chat, whose throughput is a fixed rate, by capacity.
  const withCap = w.stacks.filter((f) => f.capacity);
  if (fixedRate && withCap.length > 1) {
    const ranked = [...withCap].sort((a, b) => b.capacity!.value - a.capacity!.value);
    const top = ranked[0]!;
    for (const f of ranked.slice(1)) {
      const c =
        add(
          compareBrackets(
            w.workload,
            { stack: top.stack, cap: top.capacity! },
            { stack: f.stack, cap: f.capacity! },
          ),
        ) ??
        out.comparisons.find(
          (x) => x.metric === 'capacity' && [x.a, x.b].sort().join() === [top.stack, f.stack].sort().join(),
        );
      if (f === ranked[1] && c && !c.tie && !c.undecided && c.a === top.stack) out.winner = top.stack;
    }
    return out;
  }
  if (fixedRate) return out;
  const ranked = byRps(w.stacks);
  const fastest = ranked[0];
  if (fastest) {
    for (const f of ranked.slice(1)) {
      const c =
        add(rpsPair(w, fastest, f)) ??
        out.comparisons.find((x) => x.metric === 'rps' && x.a === fastest.stack && x.b === f.stack);
      // No comparison means the runner-up served nothing: the fastest wins if it served anything.
      if (f === ranked[1] && (c ? !c.tie : fastest.rps!.median > 0)) out.winner = fastest.stack;
    }
  }
  return out;
}
