// A deployment, as the horizontal-scaling study runs a stack: N independent replicas, each in its one-instance
// form, behind a private balancer ("spin up multiple instances and balance traffic") — or the stack's own N
// workers in one process tree (the native form: node cluster, gunicorn or uvicorn workers). Each replica gets a
// CPU budget as production gives one: whole pinned cores where the server side has enough of them, otherwise a
// CFS bandwidth limit (src/machine/cgroup.ts), so N replicas have N units. The balancer runs outside every
// budget, on CPU the replicas cannot take, and its own CPU is measured apart.
import { cgroupSupport, createCpuBudget, type CpuBudget } from '../machine/cgroup.js';
import type { PortAllocator } from '../machine/net.js';
import type { StackRecord } from '../results/types.js';
import { startStack, type RunningStack } from '../stacks/adapter.js';
import type { StackDef } from '../stacks/registry.js';
import { startBalancer, type Balancer } from './balancer.js';

export type Form = 'replicas' | 'native';

export interface BudgetPlan {
  kind: 'pinned' | 'quota';
  /** Cores each replica (or each worker's share, native) gets. */
  coresEach: number;
  /** CFS period, µs (quota only). */
  periodUs?: number;
  /** Where the balancer runs, and how many cores' worth of CPU the replicas leave it. */
  balancerCpus: number[];
  balancerCores: number;
  /** Said with every figure: "4 replicas x 0.25 core, CPU quota (20 ms period), 1 physical core". */
  describe(n: number, form: Form): string;
}

/**
 * The budget of each replica, and what is left for the balancer.
 *
 * Pinned, when the server side has a core for each of `maxN` replicas and at least one more: whole cores each,
 * the balancer on the cores left over. Otherwise a quota: the replicas together get at most half of the server
 * cores (serverCores / (2 x maxN) each), the balancer the other half. Why half: on a trivial request HAProxy
 * spends about as much CPU per request as the server does (bench/balancer-overhead.ts: 13.4 vs 12.6 µs on
 * node:http /json), so with replicas allowed the whole core the balancer became the limit as N grew — capacity
 * at N = 4 fell below N = 2, a figure of the balancer's starvation, not of the stack's scaling.
 */
export function planBudget(serverCpus: number[], maxN: number, periodUs: number): BudgetPlan {
  const s = serverCpus.length;
  const physical = `${s} physical core${s === 1 ? '' : 's'}`;
  if (s >= maxN + 1) {
    const each = Math.floor((s - 1) / maxN);
    const rest = serverCpus.slice(maxN * each);
    return {
      kind: 'pinned',
      coresEach: each,
      balancerCpus: rest,
      balancerCores: rest.length,
      describe: (n, form) =>
        form === 'native'
          ? `1 process, ${n} x ${each} core${each === 1 ? '' : 's'} pinned`
          : `${n} replica${n === 1 ? '' : 's'} x ${each} core${each === 1 ? '' : 's'}, pinned; the balancer on ${rest.length} more`,
    };
  }
  const each = s / (2 * maxN);
  const quota = `CPU quota (${periodUs / 1000} ms period), ${physical}`;
  return {
    kind: 'quota',
    coresEach: each,
    periodUs,
    balancerCpus: serverCpus,
    balancerCores: s / 2,
    describe: (n, form) =>
      form === 'native'
        ? `1 process, ${Number((n * each).toFixed(3))} core by ${quota}`
        : `${n} replica${n === 1 ? '' : 's'} x ${Number(each.toFixed(3))} core, ${quota}; the balancer outside the quotas`,
  };
}

export interface Deployment {
  form: Form;
  n: number;
  plan: BudgetPlan;
  /** Where the load goes: the balancer (replicas) or the stack itself (native). */
  port: number;
  members: RunningStack[];
  balancer?: Balancer;
  /** Each member's cgroup: its quota under a quota plan, else for accounting only (no limit). */
  budgets: CpuBudget[];
  /** The balancer's accounting cgroup (no limit), where cgroups can be made. */
  balancerBudget?: CpuBudget;
  /** Put each member under its budget (a deployment made with `unlimited` starts without one). */
  limit(): void;
  /** Whether the members are under their quotas now (false for `unlimited` until limit()). */
  limited(): boolean;
  stop(): Promise<void>;
}

export interface DeployContext {
  ports: PortAllocator;
  serverCpus: number[];
  /** The environment every member gets (database, downstream, and the broker: rooms span replicas). */
  env: Record<string, string>;
  signal?: AbortSignal;
}

/** The cores of replica i when pinned: its own slice of the server cores. */
function coresOf(ctx: DeployContext, plan: BudgetPlan, i: number, count: number): number[] {
  if (plan.kind === 'quota') return ctx.serverCpus;
  return ctx.serverCpus.slice(i * plan.coresEach, (i + count) * plan.coresEach);
}

/**
 * Start a deployment. `unlimited`: the members start without their quota, for a warm-up at full speed (a JIT
 * warming on an eighth of a core takes many seconds, and a replica in production is warm), until `limit()`.
 */
export async function deploy(
  ctx: DeployContext,
  def: StackDef,
  rec: StackRecord,
  form: Form,
  n: number,
  plan: BudgetPlan,
  { unlimited = false }: { unlimited?: boolean } = {},
): Promise<Deployment> {
  const members: RunningStack[] = [];
  const budgets: CpuBudget[] = [];
  let balancer: Balancer | undefined;
  let balancerBudget: CpuBudget | undefined;
  // Cgroups for quotas, or (pinned) only to read each process's CPU exactly; none where they cannot be made.
  const accounting = plan.kind === 'quota' || cgroupSupport().ok;
  const stop = async () => {
    await balancer?.stop();
    for (const m of members) await m?.stop();
    for (const b of [...budgets, balancerBudget]) await b?.remove({ timeoutMs: 5000 }).catch(() => {});
  };
  try {
    // A replica runs its instance rule as if its budget were whole cores (at least one): flask-gunicorn keeps its
    // 3 workers on a quarter core; the native form applies the rule to its N units (node-cluster: N workers).
    const perUnit = Math.max(1, Math.round(plan.coresEach));
    const startOne = async (i: number, units: number) => {
      const cores = units * plan.coresEach;
      // The quota is set once the member is ready: importing pandas on a quarter core would take seconds.
      const budget = accounting
        ? createCpuBudget({ name: `${rec.id}-${form}-${n}-${i}`, cores, periodUs: plan.periodUs })
        : undefined;
      budget?.setQuota('max');
      // By index, not by who is ready first: the balancer's upstream i, members[i] and budgets[i] are one replica
      // (setting replicas aside at N, and reading their throttling, go by that index).
      if (budget) budgets[i] = budget;
      const member = await startStack(def, {
        port: await ctx.ports.take(),
        cpus: coresOf(ctx, plan, form === 'native' ? 0 : i, units),
        workers: def.workers(units * perUnit),
        budgetCores: cores,
        env: ctx.env,
        signal: ctx.signal,
        wrap: budget ? (argv) => budget.argvPrefix(argv) : undefined,
      });
      members[i] = member;
      if (!unlimited && plan.kind === 'quota') budget?.setQuota(cores, plan.periodUs);
    };
    if (form === 'native') await startOne(0, n);
    else {
      // Every start settles before a failure is thrown, so stop() reaches the replicas that did start.
      const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => startOne(i, 1)));
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    if (form === 'replicas') {
      if (accounting) {
        balancerBudget = createCpuBudget({ name: `${rec.id}-${form}-${n}-lb`, cores: 1 });
        balancerBudget.setQuota('max');
      }
      const lb = balancerBudget;
      balancer = await startBalancer({
        kind: 'haproxy',
        port: await ctx.ports.take(),
        upstreams: members.map((m) => m.port),
        cpus: plan.balancerCpus,
        signal: ctx.signal,
        readyPath: def.user?.readyPath ?? '/json',
        ...(lb ? { wrap: (argv: string[]) => lb.argvPrefix(argv) } : {}),
      });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  let underQuota = plan.kind === 'quota' && !unlimited;
  const limit = () => {
    if (plan.kind !== 'quota') return;
    for (const b of budgets) b.setQuota(plan.coresEach * (form === 'native' ? n : 1), plan.periodUs);
    underQuota = true;
  };
  const limited = () => underQuota;
  const port = balancer?.port ?? members[0]!.port;
  return { form, n, plan, port, members, balancer, balancerBudget, budgets, limit, limited, stop };
}
