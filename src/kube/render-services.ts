// What the stacks need besides themselves, on a cluster as in the lab: a PostgreSQL seeded with the `world`
// table (the lab's own statements), a Redis for chat across replicas, the downstream for /service — each its own
// Deployment and Service — their passwords in one Secret made for this plan, and the namespace that holds the
// run, closed by a NetworkPolicy to everything outside it.
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, type IContainer, type IVolume } from 'kubernetes-models/v1';
import type { Model } from '@kubernetes-models/base';
import { PG_SETTINGS, SUPERUSER, seedStatements } from '../lab/postgres.js';
import { redisConfig } from '../lab/redis.js';
import { IMAGE_ROOT } from './container.js';
import {
  APP_PORT,
  CREATED_AT,
  EXPIRES_AT,
  OWNER,
  PG_INIT,
  PG_PORT,
  REDIS_PORT,
  SECRET,
  labels,
  selector,
  runLabels,
  type Component,
} from './names.js';
import { MEMORY_MIB, SERVICE_IMAGES, type KubePlan } from './plan.js';
import { hardened, IMAGE_USERS, podBasics } from './security.js';

export function renderNamespace(plan: KubePlan): Namespace {
  return new Namespace({
    metadata: {
      name: plan.namespace,
      labels: {
        ...runLabels(plan),
        // Admission refuses privileged pods and host namespaces here; "restricted" is what every pod meets.
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
      annotations: { [OWNER]: plan.owner, [CREATED_AT]: plan.createdAt, [EXPIRES_AT]: plan.expiresAt },
    },
  });
}

/** Ingress only from the namespace's own pods; egress only to them and to DNS. */
export function renderNetworkPolicy(plan: KubePlan): NetworkPolicy {
  return new NetworkPolicy({
    metadata: { name: 'namespace-only', namespace: plan.namespace, labels: runLabels(plan) },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [
        { to: [{ podSelector: {} }] },
        // The cluster DNS, wherever it runs (kube-system, a node-local cache on a link-local address).
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    },
  });
}

export function renderSecret(plan: KubePlan): Secret {
  const s = plan.secrets;
  return new Secret({
    metadata: { name: SECRET, namespace: plan.namespace, labels: runLabels(plan) },
    type: 'Opaque',
    stringData: {
      'pg-admin-password': s.pgAdmin,
      'pg-app-password': s.pgApp,
      'redis-password': s.redis,
      // The whole config, so the password is in a file of a Secret volume and never on a command line.
      'redis.conf': redisConfig(REDIS_PORT, s.redis, '/data', '* -::*'),
    },
  });
}

/** The PostgreSQL image runs the scripts of /docker-entrypoint-initdb.d once, on an empty data folder. */
export function pgInitScript(): string {
  const sql = seedStatements(":'app_password'");
  const block = (lines: string[]) => lines.map((l) => `${l};`).join('\n');
  return `#!/bin/sh
# stackbench: the lab's seed (src/lab/postgres.ts seedStatements): the application role may read world, nothing more
set -eu
psql -v ON_ERROR_STOP=1 -v app_password="$SB_PG_APP_PASSWORD" --username "$POSTGRES_USER" --dbname postgres <<'SQL'
${block(sql.postgres)}
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname stackbench <<'SQL'
${block(sql.stackbench)}
SQL
`;
}

interface One {
  component: Component;
  container: IContainer;
  uid: number;
  cores?: number;
  memoryMiB: number;
  volumes?: IVolume[];
}

/** A one-pod service: a Deployment (recreated, never two at once) and its Service on the same port. */
function single(plan: KubePlan, o: One, port: number): Model<unknown>[] {
  const name = o.component === 'postgres' ? 'pg' : o.component;
  const cores = String(o.cores ?? 1);
  const memory = `${o.memoryMiB}Mi`;
  const meta = { name, namespace: plan.namespace, labels: labels(plan, o.component, name) };
  const match = selector(plan, o.component, name);
  return [
    new Deployment({
      metadata: meta,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 0,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: match },
        template: {
          metadata: { labels: labels(plan, o.component, name) },
          spec: {
            ...podBasics(o.uid),
            containers: [
              {
                ...o.container,
                resources: { requests: { cpu: cores, memory }, limits: { cpu: cores, memory } },
                securityContext: hardened(o.uid),
              },
            ],
            ...(o.volumes ? { volumes: o.volumes } : {}),
          },
        },
      },
    }),
    new Service({
      metadata: meta,
      spec: { selector: match, ports: [{ name: o.component, port, targetPort: port }] },
    }),
  ];
}

const secretEnv = (name: string, key: string) => ({
  name,
  valueFrom: { secretKeyRef: { name: SECRET, key } },
});

function postgres(plan: KubePlan): Model<unknown>[] {
  const init = new ConfigMap({
    metadata: { name: PG_INIT, namespace: plan.namespace, labels: labels(plan, 'postgres', PG_INIT) },
    data: { 'seed.sh': pgInitScript() },
  });
  const container: IContainer = {
    name: 'postgres',
    image: SERVICE_IMAGES.postgres,
    args: PG_SETTINGS.flatMap((s) => ['-c', s]),
    env: [
      { name: 'POSTGRES_USER', value: SUPERUSER },
      secretEnv('POSTGRES_PASSWORD', 'pg-admin-password'),
      // The image would otherwise create a database named after the user; the seed creates `stackbench` itself.
      { name: 'POSTGRES_DB', value: 'postgres' },
      // A folder below the mount: initdb wants to own and chmod it, which it cannot do to the mount point.
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      secretEnv('SB_PG_APP_PASSWORD', 'pg-app-password'),
    ],
    ports: [{ name: 'postgres', containerPort: PG_PORT }],
    // TCP answers only once the seed is done: the image's first server, during the init scripts, has no TCP.
    readinessProbe: {
      exec: { command: ['pg_isready', '-h', '127.0.0.1', '-p', String(PG_PORT), '-U', SUPERUSER] },
      periodSeconds: 1,
      timeoutSeconds: 5,
    },
    volumeMounts: [
      { name: 'data', mountPath: '/var/lib/postgresql/data' },
      { name: 'run', mountPath: '/var/run/postgresql' },
      { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
    ],
  };
  return [
    init,
    ...single(
      plan,
      {
        component: 'postgres',
        container,
        uid: IMAGE_USERS.postgres,
        memoryMiB: MEMORY_MIB.postgres,
        volumes: [
          // Throwaway, as the lab's is: seeded at start, gone with the namespace.
          { name: 'data', emptyDir: {} },
          { name: 'run', emptyDir: {} },
          { name: 'init', configMap: { name: PG_INIT, defaultMode: 0o555 } },
        ],
      },
      PG_PORT,
    ),
  ];
}

function redis(plan: KubePlan): Model<unknown>[] {
  const container: IContainer = {
    name: 'redis',
    image: SERVICE_IMAGES.redis,
    command: ['redis-server', '/etc/stackbench/redis.conf'],
    ports: [{ name: 'redis', containerPort: REDIS_PORT }],
    readinessProbe: { tcpSocket: { port: REDIS_PORT }, periodSeconds: 1 },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/stackbench', readOnly: true },
      { name: 'data', mountPath: '/data' },
    ],
  };
  const volumes = [
    { name: 'config', secret: { secretName: SECRET, items: [{ key: 'redis.conf', path: 'redis.conf' }] } },
    { name: 'data', emptyDir: {} },
  ];
  return single(
    plan,
    { component: 'redis', container, uid: IMAGE_USERS.redis, memoryMiB: MEMORY_MIB.redis, volumes },
    REDIS_PORT,
  );
}

function downstream(plan: KubePlan): Model<unknown>[] {
  const container: IContainer = {
    name: 'downstream',
    image: plan.image,
    command: ['node', `${IMAGE_ROOT}/servers/node/dist/downstream.js`],
    workingDir: IMAGE_ROOT,
    env: [
      { name: 'NODE_ENV', value: 'production' },
      { name: 'HOST', value: '0.0.0.0' },
      { name: 'PORT', value: String(APP_PORT) },
    ],
    ports: [{ name: 'http', containerPort: APP_PORT }],
    readinessProbe: { httpGet: { path: '/item', port: APP_PORT }, periodSeconds: 1 },
  };
  return single(
    plan,
    { component: 'downstream', container, uid: IMAGE_USERS.stackbench, memoryMiB: MEMORY_MIB.downstream },
    APP_PORT,
  );
}

/** The lab's services: PostgreSQL (with its seed), Redis, the downstream. */
export function renderServices(plan: KubePlan): Model<unknown>[] {
  return [...postgres(plan), ...redis(plan), ...downstream(plan)];
}
