// `verify`: start each chosen stack in turn (alone on the server cores, through the lab's one lifecycle), run
// every workload's checks, stop it.
import type { CellStatus } from '../results/types.js';
import { withLab, type LabRun } from '../lab/session.js';
import type { CpuPlan } from '../machine/cpuset.js';
import type { StackId } from '../stacks/registry.js';
import { CUSTOM, type WorkloadId } from '../workloads.js';
import { CHECKS } from './checks.js';

export interface Cell {
  status: CellStatus;
  /** fail: what was wrong; unavailable: what is missing. */
  reason?: string;
  /** unavailable: the command that fixes it. */
  fix?: string;
}

export interface StackVerification {
  id: StackId;
  available: boolean;
  versions: Record<string, string>;
  workers: number;
  cells: Partial<Record<WorkloadId, Cell>>;
}

export interface Verification {
  schema: 'stackbench.verify/1';
  cpus: CpuPlan;
  postgres?: string;
  stacks: StackVerification[];
  /** Every available cell passed. */
  ok: boolean;
  interrupted: boolean;
}

export type VerifyEvent =
  { type: 'stack'; id: StackId } | { type: 'cell'; id: StackId; workload: WorkloadId; cell: Cell };

/** Check one running stack on the given workloads (the runner calls this before measuring). */
export async function checkWorkloads(
  port: number,
  workloads: WorkloadId[],
  lab: Pick<LabRun['services'], 'unavailable'>,
  onCell?: (w: WorkloadId, c: Cell) => void,
  signal?: AbortSignal,
): Promise<Partial<Record<WorkloadId, Cell>>> {
  const cells: Partial<Record<WorkloadId, Cell>> = {};
  for (const w of workloads) {
    if (signal?.aborted) break;
    const missing = lab.unavailable[w];
    let cell: Cell;
    if (missing) cell = { status: 'unavailable', reason: missing.missing, fix: missing.fix };
    else {
      // The lab's contract covers its own workloads; a user's requests (compare) have no contract to check.
      const check = w === CUSTOM ? async () => [] : CHECKS[w];
      const problems = await check(port).catch((e: Error) => [`check crashed: ${e.message}`]);
      if ('unsupported' in problems) cell = { status: 'unsupported', reason: problems.unsupported };
      else if (problems.length) cell = { status: 'fail', reason: problems.slice(0, 3).join('; ') };
      else cell = { status: 'pass' };
    }
    cells[w] = cell;
    onCell?.(w, cell);
  }
  return cells;
}

export async function verify(
  stacks: StackId[],
  workloads: WorkloadId[],
  opts: { basePort?: number; signal?: AbortSignal; onEvent?: (e: VerifyEvent) => void } = {},
): Promise<Verification> {
  const { signal, onEvent } = opts;
  const out = await withLab({ workloads, basePort: opts.basePort, signal }, async (lab) => {
    const v: Verification = {
      schema: 'stackbench.verify/1',
      cpus: lab.cpus,
      postgres: lab.services.postgres?.version,
      stacks: [],
      ok: true,
      interrupted: false,
    };
    for (const id of stacks) {
      if (signal?.aborted) break;
      onEvent?.({ type: 'stack', id });
      const rec = lab.record(id);
      const sv: StackVerification = {
        id,
        available: rec.available,
        versions: rec.versions,
        workers: rec.workers,
        cells: {},
      };
      v.stacks.push(sv);
      const markAll = (cell: Cell) => {
        for (const w of workloads) {
          sv.cells[w] = cell;
          onEvent?.({ type: 'cell', id, workload: w, cell });
        }
      };
      if (rec.failure) {
        markAll({ status: 'unavailable', reason: rec.failure.reason, fix: rec.failure.fix });
        continue;
      }
      const started = await lab.start(rec);
      if (!started.ok) {
        markAll({ status: 'fail', reason: [started.failure.reason, ...started.failure.log].join('\n') });
        continue;
      }
      try {
        const onCell = (w: WorkloadId, cell: Cell) => onEvent?.({ type: 'cell', id, workload: w, cell });
        sv.cells = await checkWorkloads(
          started.stack.port,
          workloads,
          { unavailable: lab.unavailableFor(rec) },
          onCell,
          signal,
        );
      } finally {
        await started.stack.stop();
      }
    }
    return v;
  });
  out.interrupted = signal?.aborted ?? false;
  out.ok = out.stacks.every((s) => Object.values(s.cells).every((c) => c.status !== 'fail'));
  return out;
}
