// `verify`: start each chosen stack in turn (alone on the server cores), run every workload's checks, stop it.
import { StackbenchError } from '../errors.js';
import { startLab, type Lab } from '../lab/lab.js';
import { planCpus, type CpuPlan } from '../stacks/cpuset.js';
import { startStack } from '../stacks/adapter.js';
import { PortAllocator } from '../stacks/net.js';
import { availability, STACKS, type StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import { CHECKS } from './checks.js';

/** unsupported: the stack cannot do this workload by its model (WebSocket on WSGI), itself a finding. */
export type CellStatus = 'pass' | 'fail' | 'unavailable' | 'unsupported';

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

/** Check one running stack on the given workloads (the lab's runner calls this before measuring). */
export async function checkWorkloads(
  port: number,
  workloads: WorkloadId[],
  lab: Pick<Lab, 'unavailable'>,
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
      const problems = await CHECKS[w](port).catch((e: Error) => [`check crashed: ${e.message}`]);
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
  const cpus = planCpus();
  const ports = new PortAllocator(opts.basePort);
  const out: Verification = { schema: 'stackbench.verify/1', cpus, stacks: [], ok: true, interrupted: false };
  const lab = await startLab(workloads, cpus.server, ports, opts.signal);
  try {
    out.postgres = lab.postgres?.version;
    for (const id of stacks) {
      if (opts.signal?.aborted) break;
      opts.onEvent?.({ type: 'stack', id });
      const avail = availability(STACKS[id]);
      const sv: StackVerification = {
        id,
        available: avail.ok,
        versions: avail.versions,
        workers: STACKS[id].workers(cpus.server.length),
        cells: {},
      };
      out.stacks.push(sv);
      const mark = (cell: Cell) => {
        for (const w of workloads) {
          sv.cells[w] = cell;
          opts.onEvent?.({ type: 'cell', id, workload: w, cell });
        }
      };
      if (!avail.ok) {
        mark({ status: 'unavailable', reason: avail.missing, fix: avail.fix });
        continue;
      }
      let running;
      try {
        running = await startStack(id, {
          port: await ports.take(),
          cpus: cpus.server,
          env: lab.env,
          signal: opts.signal,
        });
      } catch (e) {
        if (e instanceof StackbenchError && (e.code === 'SB_INTERRUPTED' || e.code === 'SB_PORT_IN_USE'))
          throw e;
        mark({ status: 'fail', reason: (e as Error).message });
        continue;
      }
      try {
        sv.cells = await checkWorkloads(
          running.port,
          workloads,
          lab,
          (w, cell) => opts.onEvent?.({ type: 'cell', id, workload: w, cell }),
          opts.signal,
        );
      } finally {
        await running.stop();
      }
    }
  } finally {
    await lab.stop();
  }
  out.interrupted = opts.signal?.aborted ?? false;
  out.ok = out.stacks.every((s) => Object.values(s.cells).every((c) => c.status !== 'fail'));
  return out;
}
