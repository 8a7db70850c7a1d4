// The lab session: one lifecycle for every command that starts stacks (verify, run): plan the CPU sets, hand out ports, start
// the services the chosen workloads need, start each stack alone on the server cores, stop everything at the end.
// The error rule is the same for all: an interruption or bad input (a port in use) ends the whole run; a stack
// that cannot start is an outcome recorded with its last log lines, and the run goes on.
import { StackbenchError } from '../errors.js';
import { deploy, type BudgetPlan, type Deployment, type Form } from './deployment.js';
import { startLab, type Lab, type Unavailable } from './lab.js';
import { sweepStale } from '../machine/scratch.js';
import { planCpus, type CpuPlan } from '../machine/cpuset.js';
import { PortAllocator } from '../machine/net.js';
import type { StackRecord } from '../results/types.js';
import { startStack, type RunningStack } from '../stacks/adapter.js';
import { BUILTIN_CATALOG, type Catalog } from '../stacks/catalog.js';
import { availability, factsOf, type StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';

export interface LabRunOptions {
  workloads: WorkloadId[];
  /** The CPU plan, when the caller made it (a run records it before the lab starts). */
  cpus?: CpuPlan;
  basePort?: number;
  signal?: AbortSignal;
  /** The stacks it knows (a run's reference and user stacks); the reference ones by default. */
  catalog?: Catalog;
}

export type Failure = NonNullable<StackRecord['failure']>;
export type Started = { ok: true; stack: RunningStack } | { ok: false; failure: Failure };

export interface LabRun {
  cpus: CpuPlan;
  catalog: Catalog;
  services: Lab;
  /** A stack as results record it: facts, workers on the server cores, versions, whether it can run here. */
  record(id: StackId): StackRecord;
  /** Start an available stack alone on the server cores; a stack that fails to start comes back as a failure. */
  start(rec: StackRecord): Promise<Started>;
  /** Start a stack as the scaling study runs it: N replicas behind a balancer, or its own N workers. */
  deploy(
    rec: StackRecord,
    form: Form,
    n: number,
    plan: BudgetPlan,
    opts?: { unlimited?: boolean },
  ): Promise<Deployment>;
  /** The workloads this stack cannot be served here, and why (a dead service; chat across processes without a broker). */
  unavailableFor(rec: StackRecord): Partial<Record<WorkloadId, Unavailable>>;
}

/** Errors that end a whole run rather than one stack: an interruption, or bad input such as a port in use. */
export function endsRun(e: unknown): boolean {
  return e instanceof StackbenchError && (e.code === 'SB_INTERRUPTED' || e.exit === 2);
}

export function stackRecord(id: StackId, serverCores: number, catalog = BUILTIN_CATALOG): StackRecord {
  const def = catalog.def(id);
  if (!def) throw new StackbenchError('SB_UNKNOWN_STACK', [id], ['see `stackbench stacks`']);
  const a = availability(def);
  return {
    ...factsOf(def),
    workers: def.workers(serverCores),
    versions: a.versions,
    available: a.ok,
    verification: {},
    ...(def.user ? { implements: def.user.implements } : {}),
    ...(a.ok ? {} : { failure: { reason: a.missing ?? 'not available', fix: a.fix, log: [] } }),
  };
}

/** Open the lab, run `body` with it, and stop every service and stack whatever happens. */
export async function withLab<T>(opts: LabRunOptions, body: (lab: LabRun) => Promise<T>): Promise<T> {
  const cpus = opts.cpus ?? planCpus();
  const ports = new PortAllocator(opts.basePort);
  // Folders of earlier runs that were killed before they could clean up (their owner process is gone).
  sweepStale();
  const services = await startLab(opts.workloads, cpus.server, ports, opts.signal);
  const catalog = opts.catalog ?? BUILTIN_CATALOG;
  const def = (rec: StackRecord) => {
    const d = catalog.def(rec.id);
    if (!d) throw new StackbenchError('SB_UNKNOWN_STACK', [rec.id], ['see `stackbench stacks`']);
    return d;
  };
  const lab: LabRun = {
    cpus,
    catalog,
    services,
    record: (id) => stackRecord(id, cpus.server.length, catalog),
    deploy(rec, form, n, plan, how) {
      // Every member gets the broker: a scaled chat room spans replicas (and workers) at every N.
      const env = services.envFor(2);
      const ctx = { ports, serverCpus: cpus.server, env, signal: opts.signal };
      return deploy(ctx, def(rec), rec, form, n, plan, how);
    },
    unavailableFor(rec) {
      const out = { ...services.unavailable };
      if (rec.workers > 1 && services.brokerMissing && opts.workloads.includes('chat'))
        out.chat = {
          missing: `chat across ${rec.workers} worker processes needs a broker: ${services.brokerMissing.missing}`,
          fix: services.brokerMissing.fix,
        };
      return out;
    },
    async start(rec) {
      try {
        const stack = await startStack(def(rec), {
          port: await ports.take(),
          cpus: cpus.server,
          env: services.envFor(rec.workers),
          signal: opts.signal,
        });
        return { ok: true, stack };
      } catch (e) {
        if (endsRun(e)) throw e;
        const [reason = 'failed to start', ...log] = (e as Error).message.split('\n');
        return { ok: false, failure: { reason, log: log.map((l) => l.replace(/^\s*\| /, '')) } };
      }
    },
  };
  try {
    return await body(lab);
  } finally {
    await services.stop();
  }
}
