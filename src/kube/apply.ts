// The few API calls a run makes, with @kubernetes/client-node's typed clients: create the rendered objects in
// order, scale a Deployment, delete the run's namespace (Foreground: its objects go before it does), and remove
// what a dead run left — namespaces of ours whose time to live has passed (a CLI that was SIGKILLed cannot
// delete its own; whose process it was cannot be checked from another host, its expiry can).
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  loadYaml,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { StackbenchError } from '../errors.js';
import { EXPIRES_AT, MANAGED_BY } from './names.js';
import type { Manifest } from './render.js';

export interface KubeApi {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  net: NetworkingV1Api;
}

export function connect(kc: KubeConfig): KubeApi {
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    net: kc.makeApiClient(NetworkingV1Api),
  };
}

/** An API failure as one line: what we asked, the status, the API server's own message. */
export function apiError(what: string, e: unknown): StackbenchError {
  if (e instanceof StackbenchError) return e;
  if (e instanceof ApiException) {
    let message = '';
    try {
      const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { message?: string };
      message = body?.message ?? '';
    } catch {
      message = String(e.body).slice(0, 200);
    }
    const fix =
      e.code === 401 || e.code === 403
        ? `your kubeconfig's user may not do this: see docs/KUBERNETES.md (RBAC) for the verbs a run needs`
        : undefined;
    return new StackbenchError('SB_KUBE_API', [`${what}: ${e.code} ${message}`.trim()], fix ? [fix] : []);
  }
  const cause = (e as { cause?: { code?: string } }).cause?.code;
  return new StackbenchError('SB_KUBE_API', [
    `${what}: ${(e as Error).message}${cause ? ` (${cause})` : ''}`,
  ]);
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw apiError(what, e);
  }
}

/**
 * The object as the client's own model. The typed clients serialize by their models' attribute names, and a
 * plain object loses what a model renames: a NetworkPolicy rule's `from` is `_from` there, so `{ from: [...] }`
 * went out as `{}` — an ingress rule that admits everyone (the contract test caught it). loadYaml is the
 * client's public way from the API's JSON (JSON is YAML) to its models.
 */
export const asClientModel = (o: Manifest): unknown => loadYaml(JSON.stringify(o));

/** Create one object with the client of its kind. */
function createOne(api: KubeApi, o: Manifest): Promise<unknown> {
  const namespace = o.metadata.namespace!;
  const body = asClientModel(o) as never;
  switch (o.kind) {
    case 'Namespace':
      return api.core.createNamespace({ body });
    case 'Secret':
      return api.core.createNamespacedSecret({ namespace, body });
    case 'ConfigMap':
      return api.core.createNamespacedConfigMap({ namespace, body });
    case 'Service':
      return api.core.createNamespacedService({ namespace, body });
    case 'Deployment':
      return api.apps.createNamespacedDeployment({ namespace, body });
    case 'Job':
      return api.batch.createNamespacedJob({ namespace, body });
    case 'NetworkPolicy':
      return api.net.createNamespacedNetworkPolicy({ namespace, body });
    default:
      throw new Error(`no client for kind ${o.kind}`);
  }
}

/** Create every object in order (the namespace first); stops at the first refusal, naming the object. */
export async function createAll(api: KubeApi, objects: Manifest[], signal?: AbortSignal): Promise<void> {
  for (const o of objects) {
    if (signal?.aborted) throw new StackbenchError('SB_INTERRUPTED');
    await call(`create ${o.kind}/${o.metadata.name}`, () => createOne(api, o));
  }
}

export async function scaleDeployment(api: KubeApi, namespace: string, name: string, replicas: number) {
  await call(`scale Deployment/${name} to ${replicas}`, () =>
    api.apps.patchNamespacedDeploymentScale(
      { name, namespace, body: { spec: { replicas } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
  );
}

/** Delete the run's namespace and, first, everything in it; a namespace already gone is fine. */
export async function deleteNamespace(api: KubeApi, name: string): Promise<void> {
  try {
    await api.core.deleteNamespace({ name, body: { propagationPolicy: 'Foreground' } });
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return;
    throw apiError(`delete Namespace/${name}`, e);
  }
}

/** Namespaces of earlier runs whose time to live has passed: deleted, and named. */
export async function sweepExpired(api: KubeApi, now = new Date()): Promise<string[]> {
  const list = await call('list namespaces of earlier runs', () =>
    api.core.listNamespace({ labelSelector: `${MANAGED_BY}=stackbench` }),
  );
  const gone: string[] = [];
  for (const ns of list.items) {
    const name = ns.metadata?.name;
    const expires = Date.parse(ns.metadata?.annotations?.[EXPIRES_AT] ?? '');
    if (!name || !(expires < now.getTime()) || ns.status?.phase === 'Terminating') continue;
    await deleteNamespace(api, name);
    gone.push(name);
  }
  return gone;
}
