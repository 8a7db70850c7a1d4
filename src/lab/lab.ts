// The lab: the services stacks need besides themselves (a private PostgreSQL, the downstream). Each is
// started only if a chosen workload needs it; one that cannot start makes its workloads "not available"
// with the reason and the fix, and the rest of the run goes on.
import { StackbenchError } from '../errors.js';
import type { PortAllocator } from '../machine/net.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';
import { startDownstream, type Downstream } from './downstream.js';
import { startPostgres, type PgInstance } from './postgres.js';

export interface Unavailable {
  missing: string;
  fix: string;
}

export interface Lab {
  env: Record<string, string>;
  postgres?: PgInstance;
  downstream?: Downstream;
  /** Workloads the lab could not serve, and why. */
  unavailable: Partial<Record<WorkloadId, Unavailable>>;
  stop(): Promise<void>;
}

export async function startLab(
  workloads: WorkloadId[],
  cpus: number[],
  ports: PortAllocator,
  signal?: AbortSignal,
): Promise<Lab> {
  const needs = new Set(workloads.map((w) => WORKLOADS[w].needs).filter(Boolean));
  const lab: Lab = {
    env: {},
    unavailable: {},
    async stop() {
      await this.downstream?.stop();
      await this.postgres?.stop();
    },
  };
  if (needs.has('downstream')) {
    lab.downstream = await startDownstream(await ports.take(), cpus, signal);
    lab.env.STACKBENCH_DOWNSTREAM = lab.downstream.url;
  }
  if (needs.has('postgres')) {
    try {
      lab.postgres = await startPostgres(await ports.take(), cpus, signal);
      lab.env.STACKBENCH_PG = lab.postgres.url;
    } catch (e) {
      if (!(e instanceof StackbenchError) || e.code !== 'SB_POSTGRES_MISSING') {
        await lab.stop();
        throw e;
      }
      lab.unavailable.db = { missing: e.message, fix: e.hint };
    }
  }
  return lab;
}
