// What a run will take, said at its start and counted down while it runs: the matrix cell by cell, the size
// sweep, the scaling study. Fitted to this machine's quick runs; docs/BENCHMARKS.md records how close it came.
import type { ScalingOptions } from './scaling.js';
import type { Suite } from './suites.js';
import type { SweepOptions } from './sweep.js';

/** Probes a capacity search usually takes (4-7 on this machine's quick runs): estimates use it, not the limit. */
export const TYPICAL_PROBES = 6;

/** Planned seconds for one (stack, workload) cell: for the progress line's time left. */
export function cellSeconds(s: Suite): number {
  const runs = s.repetitions + s.connections.length - 1;
  const probes = Math.min(s.probes, TYPICAL_PROBES);
  const points = runs + probes;
  // each point after the first: a short warm-up, plus ~100 ms waiting for an idle server
  // the warm-up usually settles within 3 to 4 chunks of 250 ms
  const ms =
    Math.min(s.warmupMs, 1000) + s.durationMs * runs + s.probeMs * probes + (points - 1) * (s.rewarmMs + 100);
  return ms / 1000;
}

export interface Planned {
  suite: Suite;
  stacks: readonly string[];
  workloads: readonly string[];
  main: boolean;
  sweep?: SweepOptions;
  scaling?: ScalingOptions;
}

/**
 * What the whole run should take: the matrix (cellSeconds), ~5 s per size of the sweep, and per stack and
 * workload of the scaling study a deployment, the split-cost rounds, a search per N where asked, the fault.
 */
export function plannedSeconds(plan: Planned): number {
  const main = plan.main ? plan.stacks.length * plan.workloads.length * cellSeconds(plan.suite) : 0;
  const sw = plan.sweep;
  const sweep = sw
    ? 5 *
      ((sw.families.includes('ml') ? sw.ml.length : 0) +
        (sw.families.includes('data') ? sw.dataRows.length * sw.dataOps.length : 0))
    : 0;
  const sc = plan.scaling;
  let scaling = 0;
  if (sc) {
    const stacks = sc.stacks === 'leading' ? 2 : sc.stacks === 'all' ? plan.stacks.length : sc.stacks.length;
    const maxN = Math.max(...sc.replicas);
    // A deployment and each replica's warm-up; then per round and N a settling load, a settle, the probe.
    const sp = sc.split;
    const split = sp
      ? 1 + maxN * 1.0 + sp.rounds * sc.replicas.length * ((sp.costMs + sp.saturationMs) / 1000 + 0.7)
      : 0;
    const perN = Math.min(plan.suite.probes, TYPICAL_PROBES) * (plan.suite.scalingProbeMs / 1000 + 0.5) + 1;
    const capacity = sc.capacity ? 4 + sc.replicas.length * perN * sc.forms.length : 0;
    // 11 s a pair beyond the probes: starting 4 replicas and HAProxy (Python imports on one shared core), the
    // chat check across replicas, stopping them; fitted to the quick run of 2026-12-03 (213 s measured for 6
    // pairs against 164 s estimated without it).
    const perPair = 11 + split + capacity;
    scaling = sc.workloads.reduce((sum, w) => sum + stacks * (perPair + (sc.faults.includes(w) ? 5 : 0)), 0);
  }
  return main + sweep + scaling;
}
