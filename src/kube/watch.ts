// The run's pods, as the API tells it (a watch): which are ready, and which never will be — an unschedulable pod,
// an image that cannot be pulled, a container that crashes or was OOM-killed, an evicted pod — each named with
// its reason, so a wait ends with what went wrong instead of going on forever (k6-operator's runners wait on an
// OOM-killed or unschedulable pod indefinitely). Restarts are counted: a replica that restarted mid-probe is a
// fault of that probe, as a stack that exits is on one host.
import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { StackbenchError } from '../errors.js';

/** Waiting reasons a container does not recover from by waiting (kubelet's, as pod status reports them). */
const FATAL_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
  'RunContainerError',
]);

export interface PodProblem {
  pod: string;
  reason: string;
  detail: string;
  /** Unschedulable can pass (a node frees up, an autoscaler adds one): fatal only after a grace period. */
  transient: boolean;
}

const nameOf = (p: V1Pod) => p.metadata?.name ?? '?';

/** Why this pod will not become ready, or undefined while it still may. */
export function podProblem(pod: V1Pod): PodProblem | undefined {
  const name = nameOf(pod);
  const status = pod.status ?? {};
  if (status.reason === 'Evicted' || status.phase === 'Failed')
    return {
      pod: name,
      reason: status.reason ?? 'Failed',
      detail: status.message ?? 'the pod failed',
      transient: false,
    };
  for (const c of status.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && FATAL_WAITING.has(waiting.reason)) {
      const last = c.lastState?.terminated;
      const why = last?.reason ? ` (last exit: ${last.reason}, code ${last.exitCode})` : '';
      return {
        pod: name,
        reason: waiting.reason,
        detail: `${c.name}: ${waiting.message ?? c.image ?? ''}${why}`.trim(),
        transient: false,
      };
    }
    const ended = c.state?.terminated ?? c.lastState?.terminated;
    if (ended?.reason === 'OOMKilled')
      return {
        pod: name,
        reason: 'OOMKilled',
        detail: `${c.name} exceeded its memory limit (exit ${ended.exitCode})`,
        transient: false,
      };
  }
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable')
    return { pod: name, reason: 'Unschedulable', detail: scheduled.message ?? '', transient: true };
  return undefined;
}

export const podReady = (p: V1Pod) =>
  !p.metadata?.deletionTimestamp &&
  (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export const restartsOf = (p: V1Pod) =>
  (p.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0);

/** What fixes each kind of problem, said with it. */
function fixFor(reason: string): string {
  if (reason === 'Unschedulable')
    return 'the cluster lacks free whole cores or memory for it (kubectl describe pod); use fewer --replicas/--agents or --cores, or --shared-nodes on a small cluster';
  if (/Image/.test(reason))
    return 'build and push the image (docs/KUBERNETES.md), and pass --image with a reference the nodes can pull';
  if (reason === 'OOMKilled') return 'the pod needs more memory than its limit (src/kube/plan.ts MEMORY_MIB)';
  return 'see `kubectl -n <namespace> describe pod` and its logs';
}

export interface PodWatch {
  readonly pods: ReadonlyMap<string, V1Pod>;
  /** Resolve once `ready(pods)` holds; reject on a pod that will not be ready, the deadline, or an abort. */
  until(
    what: string,
    ready: (pods: V1Pod[]) => boolean,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<void>;
  /** Restarts per pod now (compare two readings to see which restarted in between). */
  restarts(): Map<string, number>;
  stop(): void;
}

export interface WatchOptions {
  /** How long a pod may stay unschedulable before the wait ends with it (default 60 s). */
  unschedulableGraceMs?: number;
}

/** Watch the pods of a namespace that match a label selector, re-opening the watch when the server ends it. */
export async function watchPods(
  kc: KubeConfig,
  namespace: string,
  labelSelector: string,
  opts: WatchOptions = {},
): Promise<PodWatch> {
  const pods = new Map<string, V1Pod>();
  const firstSeen = new Map<string, number>();
  const listeners = new Set<() => void>();
  let stopped = false;
  let failure: Error | undefined;
  let controller: AbortController | undefined;
  const notify = () => listeners.forEach((l) => l());
  const open = async (): Promise<void> => {
    controller = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { labelSelector },
      (type: string, pod: V1Pod) => {
        const name = nameOf(pod);
        if (type === 'DELETED') pods.delete(name);
        else if (type === 'ADDED' || type === 'MODIFIED') {
          pods.set(name, pod);
          if (!firstSeen.has(name)) firstSeen.set(name, Date.now());
        }
        notify();
      },
      (err: unknown) => {
        if (stopped) return;
        // A watch ends by design (the server's timeout); a failed one ends the wait with the error.
        if (err && (err as Error).name !== 'AbortError') {
          failure = new StackbenchError('SB_KUBE_API', [
            `watch pods in ${namespace}: ${(err as Error).message ?? err}`,
          ]);
          notify();
        } else void open().catch((e: Error) => ((failure = e), notify()));
      },
    );
  };
  await open();
  const grace = opts.unschedulableGraceMs ?? 60_000;
  const fatal = (): PodProblem | undefined => {
    for (const pod of pods.values()) {
      const p = podProblem(pod);
      if (p && (!p.transient || Date.now() - (firstSeen.get(p.pod) ?? Date.now()) >= grace)) return p;
    }
    return undefined;
  };
  return {
    pods,
    until(what, ready, { timeoutMs, signal }) {
      return new Promise<void>((resolve, reject) => {
        const finish = (e?: Error) => {
          listeners.delete(check);
          clearTimeout(timer);
          clearInterval(tick);
          signal?.removeEventListener('abort', onAbort);
          if (e) reject(e);
          else resolve();
        };
        const check = () => {
          if (failure) return finish(failure);
          const problem = fatal();
          if (problem)
            return finish(
              new StackbenchError(
                'SB_KUBE_NOT_READY',
                [`${what}: pod ${problem.pod} is ${problem.reason}: ${problem.detail}`],
                [fixFor(problem.reason)],
              ),
            );
          if (ready([...pods.values()])) finish();
        };
        const onAbort = () => finish(new StackbenchError('SB_INTERRUPTED'));
        const timer = setTimeout(() => {
          const waiting = [...pods.values()]
            .filter((p) => !podReady(p))
            .map((p) => `${nameOf(p)} (${p.status?.phase ?? '?'})`);
          finish(
            new StackbenchError(
              'SB_KUBE_NOT_READY',
              [
                `${what}: not ready after ${Math.round(timeoutMs / 1000)} s; waiting for ${waiting.join(', ') || 'pods to appear'}`,
              ],
              ['see `kubectl -n <namespace> get pods` and `describe pod`'],
            ),
          );
        }, timeoutMs);
        // The grace of an unschedulable pod runs out with no event to say so.
        const tick = setInterval(check, 1000);
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        listeners.add(check);
        check();
      });
    },
    restarts: () => new Map([...pods].map(([name, p]) => [name, restartsOf(p)])),
    stop() {
      stopped = true;
      controller?.abort();
      listeners.clear();
    },
  };
}
