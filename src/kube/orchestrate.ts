// A run on a cluster, end to end: remove what dead runs left, create the plan's objects, wait until the services
// and the generator pods are up, then for each stack scale its Deployment to N = 1, 2, 4, ... and hand each step
// to `measure` with the agents' local endpoints (port-forwards) and the in-cluster target; collect what it
// returns; delete the namespace at the end — also on Ctrl-C (the signal) and on any error.
//
// The seam with the distributed generator: `measure` is the coordinator's side (dist/: connect to each agent's
// endpoint, run the probes of a capacity search through the runner, merge the agents' histograms). This file
// only deploys, scales, watches and cleans up; it never generates load itself.
import { request } from 'node:http';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { parseHaproxyStat, type UpstreamStats } from '../lab/balancer.js';
import { StackbenchError } from '../errors.js';
import { connect, createAll, deleteNamespace, scaleDeployment, sweepExpired, type KubeApi } from './apply.js';
import { portForwarder, type Forward, type Forwarder } from './forward.js';
import { STATS_CSV_PATH } from './haproxy.js';
import {
  AGENT_PORT,
  APP_PORT,
  COMPONENT,
  NAME,
  STATS_PORT,
  names,
  runSelector,
  serviceHost,
} from './names.js';
import type { KubePlan } from './plan.js';
import { allObjects, render } from './render.js';
import { targetService } from './render-stack.js';
import { podReady, restartsOf, watchPods, type PodWatch } from './watch.js';

export interface AgentEndpoint {
  /** The Job's completion index: the agent's share of every probe. */
  index: number;
  pod: string;
  node?: string;
  host: '127.0.0.1';
  port: number;
}

export interface MeasureStep {
  stack: string;
  /** Replicas ready behind the balancer. */
  n: number;
  /** Where the agents send load, inside the cluster (the balancer, or the Service under kube-proxy). */
  target: string;
  agents: AgentEndpoint[];
  signal: AbortSignal;
}

export type Measure<T> = (step: MeasureStep) => Promise<T>;

export interface StepRecord<T> {
  stack: string;
  n: number;
  replicas: Array<{ pod: string; node?: string }>;
  result?: T;
  /** Set when the step cannot stand as a figure: a replica restarted during it (named with its pod). */
  fault?: string;
  /** HAProxy's per-replica counters after the step (haproxy balancer only). */
  balancer?: UpstreamStats[];
}

export interface KubeRunOptions<T> {
  kc: KubeConfig;
  plan: KubePlan;
  measure: Measure<T>;
  signal?: AbortSignal;
  readyTimeoutMs?: number;
  unschedulableGraceMs?: number;
  forward?: Forwarder;
  /** Progress, one line at a time. */
  log?: (line: string) => void;
}

export interface KubeRunResult<T> {
  namespace: string;
  swept: string[];
  steps: Array<StepRecord<T>>;
}

const of = (component: string, name?: string) => (p: V1Pod) =>
  p.metadata?.labels?.[COMPONENT] === component &&
  (name === undefined || p.metadata?.labels?.[NAME] === name);
const live = (p: V1Pod) => !p.metadata?.deletionTimestamp;
const INDEX = 'batch.kubernetes.io/job-completion-index';

/** GET a forwarded stats page's CSV. */
function getText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('stats page timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Replicas HAProxy sends to: slots of the replicas backend whose health check passes. */
export function serversUp(csv: string): number {
  const lines = csv.split('\n').filter((l) => l.trim());
  const head = (lines[0] ?? '').replace(/^#\s*/, '').split(',');
  const status = head.indexOf('status');
  return lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((r) => r[0] === 'replicas' && /^r\d+$/.test(r[1] ?? '') && (r[status] ?? '').startsWith('UP'))
    .length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ctx<T> {
  o: KubeRunOptions<T>;
  api: KubeApi;
  watch: PodWatch;
  forward: Forwarder;
  forwards: Forward[];
  signal: AbortSignal;
  timeoutMs: number;
  log: (line: string) => void;
}

/** Wait until HAProxy's own checks pass on exactly n replicas (its DNS slots fill within about a second). */
async function balancerSees<T>(c: Ctx<T>, stack: string, n: number): Promise<Forward> {
  const lb = [...c.watch.pods.values()].find((p) => of('balancer', stack)(p) && podReady(p));
  if (!lb)
    throw new StackbenchError(
      'SB_KUBE_NOT_READY',
      [`the balancer of ${stack} has no ready pod`],
      ['kubectl describe pod'],
    );
  const stats = await c.forward(c.o.plan.namespace, lb.metadata!.name!, STATS_PORT);
  c.forwards.push(stats);
  const deadline = Date.now() + c.timeoutMs;
  let up = -1;
  while (Date.now() < deadline) {
    if (c.signal.aborted) throw new StackbenchError('SB_INTERRUPTED');
    up = serversUp(await getText(stats.port, STATS_CSV_PATH).catch(() => ''));
    if (up === n) return stats;
    await sleep(250);
  }
  throw new StackbenchError(
    'SB_KUBE_NOT_READY',
    [`the balancer of ${stack} saw ${up} replicas up, not ${n}, within ${c.timeoutMs / 1000} s`],
    ["see its stats page (port 8404, /stats) and the replicas' readiness"],
  );
}

async function stepAt<T>(
  c: Ctx<T>,
  stack: string,
  n: number,
  agents: AgentEndpoint[],
): Promise<StepRecord<T>> {
  const { plan } = c.o;
  await scaleDeployment(c.api, plan.namespace, names.sut(stack), n);
  await c.watch.until(
    `${n} replica${n === 1 ? '' : 's'} of ${stack}`,
    (pods) =>
      pods.filter((p) => of('sut', stack)(p) && live(p)).length === n &&
      pods.filter((p) => of('sut', stack)(p) && podReady(p)).length === n,
    { timeoutMs: c.timeoutMs, signal: c.signal },
  );
  const stats = plan.balancer === 'haproxy' ? await balancerSees(c, stack, n) : undefined;
  const replicas = [...c.watch.pods.values()].filter((p) => of('sut', stack)(p) && podReady(p));
  const before = new Map(replicas.map((p) => [p.metadata!.name!, restartsOf(p)]));
  c.log(`${stack}: N = ${n} ready; measuring`);
  const target = `http://${serviceHost(plan, targetService(plan, stack))}:${APP_PORT}`;
  const result = await c.o.measure({ stack, n, target, agents, signal: c.signal });
  const restarted = [...c.watch.restarts()].filter(([pod, r]) => before.has(pod) && r > before.get(pod)!);
  const record: StepRecord<T> = {
    stack,
    n,
    replicas: replicas.map((p) => ({ pod: p.metadata!.name!, node: p.spec?.nodeName })),
    result,
  };
  if (restarted.length)
    record.fault = `replica restarted during the step: ${restarted.map(([pod]) => pod).join(', ')} (server-exited)`;
  if (stats)
    record.balancer = parseHaproxyStat(await getText(stats.port, STATS_CSV_PATH).catch(() => ''), []);
  return record;
}

/** The services and the P generator pods ready; the agents forwarded to local ports, by completion index. */
async function bringUp<T>(c: Ctx<T>): Promise<AgentEndpoint[]> {
  const { plan } = c.o;
  const opts = { timeoutMs: c.timeoutMs, signal: c.signal };
  await c.watch.until(
    'PostgreSQL, Redis, the downstream and the generator pods',
    (pods) =>
      ['postgres', 'redis', 'downstream'].every((s) => pods.some((p) => of(s)(p) && podReady(p))) &&
      pods.filter((p) => of('agent')(p) && podReady(p)).length === plan.agents,
    opts,
  );
  const agents = [...c.watch.pods.values()].filter((p) => of('agent')(p) && podReady(p));
  const endpoints: AgentEndpoint[] = [];
  for (const pod of agents) {
    const f = await c.forward(plan.namespace, pod.metadata!.name!, AGENT_PORT);
    c.forwards.push(f);
    const index = Number(pod.metadata?.annotations?.[INDEX] ?? pod.metadata?.labels?.[INDEX]);
    endpoints.push({ index, pod: f.pod, node: pod.spec?.nodeName, host: '127.0.0.1', port: f.port });
  }
  return endpoints.sort((a, b) => a.index - b.index);
}

async function eachStack<T>(c: Ctx<T>, agents: AgentEndpoint[], steps: Array<StepRecord<T>>): Promise<void> {
  const { plan } = c.o;
  for (const stack of plan.stacks) {
    if (plan.balancer === 'haproxy') {
      await scaleDeployment(c.api, plan.namespace, names.lb(stack), 1);
      await c.watch.until(
        `the balancer of ${stack}`,
        (pods) => pods.some((p) => of('balancer', stack)(p) && podReady(p)),
        {
          timeoutMs: c.timeoutMs,
          signal: c.signal,
        },
      );
    }
    for (const n of plan.replicas) steps.push(await stepAt(c, stack, n, agents));
    // The next stack runs alone: this one's pods go before it starts.
    await scaleDeployment(c.api, plan.namespace, names.sut(stack), 0);
    if (plan.balancer === 'haproxy') await scaleDeployment(c.api, plan.namespace, names.lb(stack), 0);
    await c.watch.until(
      `${stack} scaled to 0`,
      (pods) => !pods.some((p) => of('sut', stack)(p) || of('balancer', stack)(p)),
      {
        timeoutMs: c.timeoutMs,
        signal: c.signal,
      },
    );
  }
}

export async function runOnCluster<T>(o: KubeRunOptions<T>): Promise<KubeRunResult<T>> {
  const plan: KubePlan = { ...o.plan, idle: true };
  const api = connect(o.kc);
  const log = o.log ?? (() => {});
  const signal = o.signal ?? new AbortController().signal;
  const swept = await sweepExpired(api);
  for (const ns of swept) log(`deleted ${ns}: an earlier run's namespace, past its time to live`);
  const steps: Array<StepRecord<T>> = [];
  let created = false;
  let watch: PodWatch | undefined;
  const forwards: Forward[] = [];
  try {
    log(`creating namespace ${plan.namespace} and its objects`);
    const [namespace, ...rest] = allObjects(render(plan));
    await createAll(api, [namespace!], signal);
    // Ours from here (a namespace that already existed is refused above and never deleted): whatever fails
    // next, the namespace goes.
    created = true;
    await createAll(api, rest, signal);
    watch = await watchPods(o.kc, plan.namespace, runSelector(plan), {
      unschedulableGraceMs: o.unschedulableGraceMs,
    });
    const c: Ctx<T> = {
      o: { ...o, plan },
      api,
      watch,
      forward: o.forward ?? portForwarder(o.kc),
      forwards,
      signal,
      timeoutMs: o.readyTimeoutMs ?? 300_000,
      log,
    };
    const agents = await bringUp(c);
    log(
      `${agents.length} generator pod${agents.length === 1 ? '' : 's'} forwarded: ${agents.map((a) => `${a.pod} → 127.0.0.1:${a.port}`).join(', ')}`,
    );
    await eachStack(c, agents, steps);
    return { namespace: plan.namespace, swept, steps };
  } finally {
    watch?.stop();
    for (const f of forwards) await f.close().catch(() => {});
    if (created) {
      log(`deleting namespace ${plan.namespace}`);
      // A failed delete must not hide why the run ended; it is said, and the namespace's TTL is the backstop.
      await deleteNamespace(api, plan.namespace).catch((e: Error) =>
        log(
          `could not delete ${plan.namespace} (${e.message}): a later run removes it after ${plan.expiresAt}`,
        ),
      );
    }
  }
}
