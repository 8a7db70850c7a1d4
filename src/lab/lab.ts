// The lab: the services stacks need besides themselves — a private PostgreSQL (db), the downstream (service),
// and a private Redis through which chat rooms span a stack's worker processes and replicas. Each is started
// only if a chosen workload needs it; one that cannot start makes its workloads "not available" with the reason
// and the fix, and the rest of the run goes on. The lab watches its services: one that dies mid-run is named,
// and its workloads become "not measured" rather than figures blamed on the stacks.
import { StackbenchError } from '../errors.js';
import type { Managed } from '../machine/process.js';
import type { PortAllocator } from '../machine/net.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';
import { startDownstream, type Downstream } from './downstream.js';
import { startPostgres, type PgInstance } from './postgres.js';
import { RedisUnavailable, startRedis, type RedisInstance } from './redis.js';

export interface Unavailable {
  missing: string;
  fix: string;
}

export type ServiceName = 'postgres' | 'downstream' | 'redis';

const SERVICE_NAME: Record<ServiceName, string> = {
  postgres: 'PostgreSQL',
  downstream: 'the downstream service',
  redis: 'Redis',
};

export interface Lab {
  /** What every stack gets: STACKBENCH_PG, STACKBENCH_DOWNSTREAM. */
  env: Record<string, string>;
  postgres?: PgInstance;
  downstream?: Downstream;
  /** The chat broker, for stacks of several processes (and replicas); absent without chat or redis-server. */
  redis?: RedisInstance;
  /** Why there is no broker when chat needs one (redis-server missing), with the fix. */
  brokerMissing?: Unavailable;
  /** Workloads the lab could not serve, and why. */
  unavailable: Partial<Record<WorkloadId, Unavailable>>;
  /** The environment a stack of `processes` processes gets: the broker only where rooms span processes. */
  envFor(processes: number): Record<string, string>;
  /**
   * Services that died since the lab started, each named once: its workloads are marked unavailable from now
   * on (checkWorkloads sees them) and the caller drops what was measured meanwhile.
   */
  deaths(): Array<{ service: ServiceName; workloads: WorkloadId[]; reason: string; log: string[] }>;
  stop(): Promise<void>;
}

/** The workloads that need a service (chat needs the broker only for stacks of several processes). */
function needing(service: ServiceName, workloads: WorkloadId[]): WorkloadId[] {
  return workloads.filter((w) => WORKLOADS[w].needs === service || (service === 'redis' && w === 'chat'));
}

export async function startLab(
  workloads: WorkloadId[],
  cpus: number[],
  ports: PortAllocator,
  signal?: AbortSignal,
): Promise<Lab> {
  const needs = new Set(workloads.map((w) => WORKLOADS[w].needs).filter(Boolean));
  const watched: Array<{ service: ServiceName; proc: Managed; dead: boolean }> = [];
  const lab: Lab = {
    env: {},
    unavailable: {},
    envFor(processes) {
      const broker = this.redis && !this.brokerMissing;
      return processes > 1 && broker ? { ...this.env, STACKBENCH_REDIS: this.redis!.url } : this.env;
    },
    deaths() {
      const out: ReturnType<Lab['deaths']> = [];
      for (const w of watched) {
        if (w.dead || !w.proc.exited) continue;
        w.dead = true;
        const how = w.proc.exitSignal ?? `exit code ${w.proc.exitCode}`;
        const reason = `${SERVICE_NAME[w.service]} stopped during the run (${how})`;
        const affected = needing(w.service, workloads);
        // Without its broker, chat still works for single-process stacks: only the others lose it.
        if (w.service === 'redis') {
          this.brokerMissing = { missing: reason, fix: 'see its last log lines in the run notes' };
        } else {
          for (const wl of affected)
            this.unavailable[wl] = { missing: reason, fix: 'see its last log lines in the run notes' };
        }
        out.push({ service: w.service, workloads: affected, reason, log: w.proc.log().slice(-5) });
      }
      return out;
    },
    async stop() {
      for (const w of watched) w.dead = true;
      await this.redis?.stop();
      await this.downstream?.stop();
      await this.postgres?.stop();
    },
  };
  try {
    if (needs.has('downstream')) {
      lab.downstream = await startDownstream(await ports.take(), cpus, signal);
      lab.env.STACKBENCH_DOWNSTREAM = lab.downstream.url;
      watched.push({ service: 'downstream', proc: lab.downstream.proc, dead: false });
    }
    if (needs.has('postgres')) {
      try {
        lab.postgres = await startPostgres(await ports.take(), cpus, signal);
        lab.env.STACKBENCH_PG = lab.postgres.url;
        watched.push({ service: 'postgres', proc: lab.postgres.proc, dead: false });
      } catch (e) {
        if (!(e instanceof StackbenchError) || e.code !== 'SB_POSTGRES_MISSING') throw e;
        lab.unavailable.db = { missing: e.message, fix: e.hint };
      }
    }
    if (workloads.includes('chat')) {
      try {
        lab.redis = await startRedis(await ports.take(), cpus, signal);
        watched.push({ service: 'redis', proc: lab.redis.proc, dead: false });
      } catch (e) {
        if (!(e instanceof RedisUnavailable)) throw e;
        lab.brokerMissing = { missing: e.message, fix: e.fix };
      }
    }
  } catch (e) {
    await lab.stop();
    throw e;
  }
  return lab;
}
