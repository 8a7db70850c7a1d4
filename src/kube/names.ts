// The names and labels every object of a run carries: one place, so the selectors, the watch, the cleanup of a
// dead run's namespace and the tests all ask the same question.
import type { KubePlan } from './plan.js';

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const COMPONENT = 'app.kubernetes.io/component';
export const NAME = 'app.kubernetes.io/name';
export const RUN = 'stackbench.dev/run';
export const OWNER = 'stackbench.dev/owner';
export const CREATED_AT = 'stackbench.dev/created-at';
/** After this instant the namespace is a dead run's: a later run (or `kubectl delete`) may remove it. */
export const EXPIRES_AT = 'stackbench.dev/expires-at';

export type Component = 'sut' | 'balancer' | 'postgres' | 'redis' | 'downstream' | 'agent';

/** The port every stack, the downstream and the balancer listen on inside their pods. */
export const APP_PORT = 8080;
export const STATS_PORT = 8404;
export const AGENT_PORT = 7070;
export const PG_PORT = 5432;
export const REDIS_PORT = 6379;

export const SECRET = 'sb-credentials';
export const PG_INIT = 'pg-init';
export const AGENTS = 'gen';

export const names = {
  sut: (stack: string) => `sut-${stack}`,
  /** Headless: one DNS record per ready replica, which HAProxy's server-template resolves. */
  sutPods: (stack: string) => `sut-${stack}-pods`,
  lb: (stack: string) => `lb-${stack}`,
};

/** What selects a component's pods (and its Service's endpoints): the run, the component, its name. */
export function selector(plan: KubePlan, component: Component, name: string): Record<string, string> {
  return { [RUN]: plan.runId, [COMPONENT]: component, [NAME]: name };
}

/** Every object's labels: the selector's, and who manages it. */
export function labels(plan: KubePlan, component: Component, name: string): Record<string, string> {
  return { [MANAGED_BY]: 'stackbench', ...selector(plan, component, name) };
}

/** The labels of what belongs to the whole run (the namespace, its Secret and NetworkPolicy). */
export const runLabels = (plan: Pick<KubePlan, 'runId'>) => ({
  [MANAGED_BY]: 'stackbench',
  [RUN]: plan.runId,
});

/** The label selector (as the API takes it) of everything a run made. */
export const runSelector = (plan: Pick<KubePlan, 'runId'>) => `${MANAGED_BY}=stackbench,${RUN}=${plan.runId}`;

/** In-cluster DNS name of a Service of the run. */
export const serviceHost = (plan: KubePlan, service: string) =>
  `${service}.${plan.namespace}.svc.${plan.clusterDomain}`;
