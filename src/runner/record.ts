// Recording a run, written once for every schedule (run's stack-major matrix, compare's interleaved targets):
// the results document created with the machine it runs on, the generator pinned to its cores, results.json
// rewritten after every point, and the ending — complete, interrupted (what was measured is kept) or failed (an
// error, or the generator's agents lost: what was measured before is kept).
import { StackbenchError } from '../errors.js';
import { describeMachine } from '../machine/describe.js';
import { pinSelf, type CpuPlan } from '../machine/cpuset.js';
import { newResults } from '../results/new.js';
import { writeResultsAtomic } from '../results/store.js';
import type { Capacity, Point, Results } from '../results/types.js';
import { pythonLabel } from '../stacks/python.js';
import type { StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import type { Generator } from './generator.js';

export type RunEvent =
  | { type: 'stack'; stack: StackId; note: string }
  | { type: 'cell'; stack: StackId; workload: WorkloadId; index: number; total: number }
  | { type: 'load'; stack: StackId; workload: WorkloadId; phase: string; rps: number }
  | { type: 'point'; point: Point }
  | { type: 'skip'; stack: StackId; reason: string };

export interface Recorder {
  results: Results;
  /** Rewrite results.json (atomically) as it stands. */
  save(): void;
  /** Keep a point (as a study's kind when given), save, and say so. */
  point(p: Point, kind?: Point['kind']): Promise<void>;
  capacity(c: Capacity): void;
  emit(e: RunEvent): void;
}

export interface RecordingOptions {
  suite: Results['suite'];
  config: Results['config'];
  cpus: CpuPlan;
  /** Where results.json is written as it is measured; none: kept in memory only. */
  outDir?: string;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /** The run's generator: its agents are recorded (config.agents), and one lost ends the run as failed. */
  generator?: Generator;
}

/** How the run ended, once its body returned or was interrupted: a lost generator is a failure, said. */
function ending(results: Results, opts: RecordingOptions, interrupted: boolean): Results['status'] {
  const lost = opts.generator?.lost();
  if (!lost) return interrupted ? 'interrupted' : 'complete';
  results.failures.push(
    `the generator failed: ${lost}; the run stopped there (a load from fewer agents than planned is not the planned load)`,
  );
  return 'failed';
}

/** Record what `body` measures; resolves with the results, whatever status they end in. */
export async function recording(
  opts: RecordingOptions,
  body: (rec: Recorder) => Promise<void>,
): Promise<Results> {
  const { cpus } = opts;
  const results = newResults(opts.suite, describeMachine(cpus, pythonLabel()), opts.config);
  if (opts.generator?.agents) results.config.agents = opts.generator.agents;
  const save = () => {
    if (opts.outDir) writeResultsAtomic(results, opts.outDir);
  };
  const emit = (e: RunEvent) => opts.onEvent?.(e);
  const rec: Recorder = {
    results,
    save,
    emit,
    async point(p, kind) {
      const kept = kind ? { ...p, kind } : p;
      results.points.push(kept);
      save();
      emit({ type: 'point', point: kept });
    },
    capacity(c) {
      // A search the generator's loss cut short is the generator's bracket, not the server's.
      if (opts.generator?.lost()) return;
      results.capacities.push(c);
      save();
    },
  };
  const shared = cpus.server.join() === cpus.generator.join();
  if (!shared && !pinSelf(cpus.generator))
    results.notes.push(
      'taskset is missing: the generator could not be pinned; servers and generator may share cores',
    );
  if (shared) results.notes.push(`${results.machine.cpuNote}: figures are lower bounds`);
  save();
  try {
    await body(rec);
    results.status = ending(results, opts, opts.signal?.aborted === true);
  } catch (e) {
    // Interrupted while starting something: keep what was measured and report it like any interruption.
    if (e instanceof StackbenchError && e.code === 'SB_INTERRUPTED')
      results.status = ending(results, opts, true);
    else {
      results.status = 'failed';
      results.notes.push(`run failed: ${(e as Error).message}`);
      throw e;
    }
  } finally {
    results.finishedAt = new Date().toISOString();
    save();
  }
  return results;
}
