// One stack on a cluster: its replicas as a Deployment of one-instance pods with whole cores (requests = limits:
// Guaranteed QoS), the Services that reach them, and — with the HAProxy balancer — the HAProxy in front of them
// with its config. Replica pods spread over the nodes where they can; the generator keeps off their nodes.
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import type { Model } from '@kubernetes-models/base';
import { clusterHaproxyConfig, HAPROXY_CFG, STATS_CSV_PATH } from './haproxy.js';
import { stackContainer } from './container.js';
import { APP_PORT, STATS_PORT, labels, names, selector } from './names.js';
import { MEMORY_MIB, SERVICE_IMAGES, type KubePlan } from './plan.js';
import { hardened, IMAGE_USERS, podBasics } from './security.js';
import type { BuiltinStackId } from '../stacks/registry.js';

const HOSTNAME = 'kubernetes.io/hostname';

function sutDeployment(plan: KubePlan, stack: BuiltinStackId): Deployment {
  const { container, workers } = stackContainer(plan, stack);
  const name = names.sut(stack);
  const match = selector(plan, 'sut', stack);
  return new Deployment({
    metadata: {
      name,
      namespace: plan.namespace,
      labels: labels(plan, 'sut', stack),
      annotations: { 'stackbench.dev/workers-per-replica': String(workers) },
    },
    spec: {
      replicas: plan.idle ? 0 : plan.replicas[0]!,
      revisionHistoryLimit: 0,
      selector: { matchLabels: match },
      template: {
        metadata: { labels: labels(plan, 'sut', stack) },
        spec: {
          ...podBasics(),
          containers: [container],
          // Real nodes, real cores: one replica per node where there are enough, never blocking where not.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: HOSTNAME,
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: match },
            },
          ],
        },
      },
    },
  });
}

function services(plan: KubePlan, stack: BuiltinStackId): Service[] {
  const port = [{ name: 'http', port: APP_PORT, targetPort: APP_PORT }];
  const meta = (name: string) => ({ name, namespace: plan.namespace, labels: labels(plan, 'sut', stack) });
  return [
    // The kube-proxy balancer, and a stable name for the replicas either way.
    new Service({
      metadata: meta(names.sut(stack)),
      spec: { selector: selector(plan, 'sut', stack), ports: port },
    }),
    // Headless: DNS answers with every ready replica's address, which HAProxy's server-template fills its slots from.
    new Service({
      metadata: meta(names.sutPods(stack)),
      spec: { clusterIP: 'None', selector: selector(plan, 'sut', stack), ports: port },
    }),
  ];
}

function balancer(plan: KubePlan, stack: BuiltinStackId): Model<unknown>[] {
  const name = names.lb(stack);
  const meta = { name, namespace: plan.namespace, labels: labels(plan, 'balancer', stack) };
  const cores = String(plan.balancerCores);
  const memory = `${MEMORY_MIB.haproxy}Mi`;
  const deployment = new Deployment({
    metadata: meta,
    spec: {
      replicas: plan.idle ? 0 : 1,
      revisionHistoryLimit: 0,
      selector: { matchLabels: selector(plan, 'balancer', stack) },
      template: {
        metadata: { labels: labels(plan, 'balancer', stack) },
        spec: {
          ...podBasics(IMAGE_USERS.haproxy),
          containers: [
            {
              name: 'haproxy',
              image: SERVICE_IMAGES.haproxy,
              // -W: master-worker, -db: in the foreground (the container's one process tree).
              command: ['haproxy', '-W', '-db', '-f', HAPROXY_CFG],
              ports: [
                { name: 'http', containerPort: APP_PORT },
                { name: 'stats', containerPort: STATS_PORT },
              ],
              resources: { requests: { cpu: cores, memory }, limits: { cpu: cores, memory } },
              readinessProbe: { httpGet: { path: STATS_CSV_PATH, port: STATS_PORT }, periodSeconds: 1 },
              volumeMounts: [
                { name: 'config', mountPath: HAPROXY_CFG, subPath: 'haproxy.cfg', readOnly: true },
              ],
              securityContext: hardened(IMAGE_USERS.haproxy),
            },
          ],
          volumes: [{ name: 'config', configMap: { name } }],
        },
      },
    },
  });
  return [
    new ConfigMap({ metadata: meta, data: { 'haproxy.cfg': clusterHaproxyConfig(plan, stack) } }),
    deployment,
    new Service({
      metadata: meta,
      spec: {
        selector: selector(plan, 'balancer', stack),
        ports: [
          { name: 'http', port: APP_PORT, targetPort: APP_PORT },
          { name: 'stats', port: STATS_PORT, targetPort: STATS_PORT },
        ],
      },
    }),
  ];
}

/** Every object of one stack: replicas, their Services, and its HAProxy unless kube-proxy balances. */
export function renderStack(plan: KubePlan, stack: BuiltinStackId): Model<unknown>[] {
  return [
    sutDeployment(plan, stack),
    ...services(plan, stack),
    ...(plan.balancer === 'haproxy' ? balancer(plan, stack) : []),
  ];
}

/** Where the generator sends a stack's load, inside the cluster: its balancer, or its Service (kube-proxy). */
export function targetService(plan: KubePlan, stack: string): string {
  return plan.balancer === 'haproxy' ? names.lb(stack) : names.sut(stack);
}
