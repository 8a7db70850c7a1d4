// What a run will take, said at its start and counted down while it runs: the matrix cell by cell, the size
// sweep, the scaling study. Fitted to this machine's quick runs; docs/BENCHMARKS.md records how close it came.
import type { ScalingOptions } from './scaling.js';
import type { Suite } from './suites.js';
import type { SweepOptions } from './sweep.js';
import { STACKS, type StackDef } from '../stacks/registry.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';

/** Probes a capacity search usually takes (4-7 on this machine's quick runs): estimates use it, not the limit. */
export const TYPICAL_PROBES = 6;

/** A point's time beyond its load: settling the server (idle, every worker free), re-warming, recording it. */
const POINT_MS = 200;
/** Starting a stack and verifying it, then stopping it. */
const STACK_S = 4;
/**
 * The cells whose closed runs are stretched (cell.ts: most connections unanswered in a short run), seconds a
 * run: the Python stacks' /data and /stream at 64 connections on one core. Fitted to a quick run of 2026-12-07
 * (8 such cells, the main matrix 55 s longer).
 */
const STRETCHED: readonly WorkloadId[] = ['data', 'stream'];
const STRETCH_S = 2;

/** Planned seconds for one (stack, workload) cell, with a capacity search or without. */
export function cellSeconds(s: Suite, search = true): number {
  const runs = s.repetitions + s.connections.length - 1;
  const probes = search ? Math.min(s.probes, TYPICAL_PROBES) : 0;
  // the warm-up usually settles within 3 to 5 chunks of 200 ms
  const ms =
    Math.min(s.warmupMs, 1000) +
    runs * (s.durationMs + s.rewarmMs + POINT_MS) +
    probes * (s.probeMs + s.rewarmMs + POINT_MS);
  return ms / 1000;
}

/** Whether the suite searches capacity on this workload (every one in full; the concurrency ones in quick). */
const searches = (s: Suite, w: string) =>
  s.probes > 0 && (s.searchAll || WORKLOADS[w as WorkloadId]?.concurrency !== false);

/** The main matrix's seconds per cell on average (the progress line's time left). */
export function averageCellSeconds(plan: Planned): number {
  const n = Math.max(1, plan.workloads.length);
  return plan.workloads.reduce((a, w) => a + cellSeconds(plan.suite, searches(plan.suite, w)), 0) / n;
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
 * What the whole run should take: the matrix (cellSeconds), ~11 s per size of the sweep, and per stack and
 * workload of the scaling study a deployment, the split-cost rounds, a search per N where asked, the fault.
 */
export function plannedSeconds(plan: Planned): number {
  const builtin: Partial<Record<string, StackDef>> = STACKS;
  const python = plan.stacks.filter((id) => builtin[id]?.runtime === 'python').length;
  const stretched = plan.workloads.filter((w) => STRETCHED.includes(w as WorkloadId)).length;
  const main = plan.main
    ? plan.stacks.length * (STACK_S + plan.workloads.length * averageCellSeconds(plan)) +
      python * stretched * plan.suite.repetitions * STRETCH_S
    : 0;
  const sw = plan.sweep;
  // Per size, on both leaders and every implementation: 11 s since the slow sizes (1M rows, 540 MFLOP) are
  // warmed on every process and measured in windows that hold their answers (quick run, 2026-12-07: 100 s).
  const sweep = sw
    ? 11 *
      ((sw.families.includes('ml') ? sw.ml.length : 0) +
        (sw.families.includes('data') ? sw.dataRows.length * sw.dataOps.length : 0))
    : 0;
  const sc = plan.scaling;
  let scaling = 0;
  if (sc) {
    const stacks = sc.stacks === 'leading' ? 2 : sc.stacks === 'all' ? plan.stacks.length : sc.stacks.length;
    const maxN = Math.max(...sc.replicas);
    // Each replica's warm-up, the rate's calibration (~4 s), then one load of rounds x N slices (twice with a
    // saturation load), and a grace at its end.
    const sp = sc.split;
    // About a third of the full suite's loads (24 rounds, to ±6 %) were too wide after the first rounds and ran
    // once more; a study run alone at the quick suite's 10 rounds (to ±10 %) ran its second load nearly always
    // (4 of 4 stacks, 2026-12-07: 81-94 s where 52 s was announced).
    const again = sp && sp.maxRounds > sp.rounds ? (sp.rounds < 20 ? 0.9 : 0.35) : 0;
    const loads = 1 + again;
    const drive = sp ? loads * (1 + (sp.rounds * sc.replicas.length * sp.sliceMs) / 1000) : 0;
    const split = sp ? maxN * 0.8 + 5 + drive * (sp.saturation ? 2 : 1) : 0;
    const perN = Math.min(plan.suite.probes, TYPICAL_PROBES) * (plan.suite.scalingProbeMs / 1000 + 0.5) + 1;
    const capacity = sc.capacity ? 4 + sc.replicas.length * perN * sc.forms.length : 0;
    // 5 s a stack beyond the loads: starting 4 replicas and HAProxy (Python imports on one shared core), the
    // chat check across replicas, stopping them; one deployment serves a stack's workloads unless quotas were
    // set. Fitted to the quick runs of 2026-12-07 (148 s for 2 stacks x 3 workloads).
    const deploys = sc.capacity ? sc.workloads.length : 1;
    const perPair = split + capacity;
    scaling =
      stacks * 5 * deploys +
      sc.workloads.reduce((sum, w) => sum + stacks * (perPair + (sc.faults.includes(w) ? 1 : 0)), 0);
  }
  return main + sweep + scaling;
}

/** "about 80 s" for a short run, "about 9 min" from 150 s: a minute's rounding is most of a short run. */
export function aboutText(seconds: number): string {
  return seconds < 150
    ? `about ${Math.max(10, Math.round(seconds / 10) * 10)} s`
    : `about ${Math.round(seconds / 60)} min`;
}
