// A stack's container: the same command the one-host lab starts (the registry's launch), in its one-instance
// form, with this checkout's paths mapped to where the image holds them and the address every pod answers on.
// So a replica on a cluster runs exactly what a replica runs here, and the registry stays the one place a
// stack's command is written.
import { relative, isAbsolute, sep } from 'node:path';
import type { IContainer, IEnvVar } from 'kubernetes-models/v1';
import { ROOT } from '../paths.js';
import { stackDef, type BuiltinStackId } from '../stacks/registry.js';
import { APP_PORT, PG_PORT, REDIS_PORT, SECRET, names, serviceHost } from './names.js';
import { MEMORY_MIB, type KubePlan } from './plan.js';
import { APP_ROLE } from '../lab/postgres.js';
import { hardened } from './security.js';

/** Where the Dockerfile puts the repository in the image. */
export const IMAGE_ROOT = '/app';
/** Debian's interpreter, with Debian's python3-* packages (the Dockerfile installs setup's list). */
export const IMAGE_PYTHON = '/usr/bin/python3';

/** A path of this checkout as the image holds it; anything outside the checkout is left as it is. */
export function inImage(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(ROOT, path);
  if (rel === '') return IMAGE_ROOT;
  if (rel.startsWith('..')) return path;
  return `${IMAGE_ROOT}/${rel.split(sep).join('/')}`;
}

/** The services every replica gets, as the lab gives them: the database, the downstream, the chat broker. */
export function serviceEnv(plan: KubePlan): IEnvVar[] {
  const ref = (key: string) => ({ valueFrom: { secretKeyRef: { name: SECRET, key } } });
  return [
    // Kubernetes expands $(NAME) from variables defined before: the passwords never sit in a manifest's spec.
    { name: 'SB_PG_APP_PASSWORD', ...ref('pg-app-password') },
    { name: 'SB_REDIS_PASSWORD', ...ref('redis-password') },
    {
      name: 'STACKBENCH_PG',
      value: `postgresql://${APP_ROLE}:$(SB_PG_APP_PASSWORD)@${serviceHost(plan, 'pg')}:${PG_PORT}/stackbench`,
    },
    {
      name: 'STACKBENCH_REDIS',
      value: `redis://:$(SB_REDIS_PASSWORD)@${serviceHost(plan, 'redis')}:${REDIS_PORT}/0`,
    },
    { name: 'STACKBENCH_DOWNSTREAM', value: `http://${serviceHost(plan, 'downstream')}:${APP_PORT}` },
  ];
}

/** The names a replica is reached by (Django checks the Host header against them). */
function hostsOf(plan: KubePlan, stack: string): string[] {
  const services = [names.lb(stack), names.sut(stack)];
  return services.flatMap((s) => [
    s,
    `${s}.${plan.namespace}`,
    `${s}.${plan.namespace}.svc`,
    serviceHost(plan, s),
  ]);
}

export interface StackContainer {
  container: IContainer;
  /** Processes the one-instance replica runs (its instance rule on its whole cores). */
  workers: number;
}

/** One replica of a stack: its own instance rule applied to its whole cores, as deployment.ts runs one. */
export function stackContainer(plan: KubePlan, stack: BuiltinStackId): StackContainer {
  const def = stackDef(stack)!;
  const workers = def.workers(plan.coresEach);
  const launch = def.launch(APP_PORT, workers, IMAGE_PYTHON, '0.0.0.0');
  const cmd = launch.cmd === process.execPath ? 'node' : inImage(launch.cmd);
  const env: Record<string, string> = {
    ...launch.env,
    STACKBENCH_SHARED: `${IMAGE_ROOT}/servers/shared`,
    // NumPy's BLAS threads follow the replica's cores shared among its processes (adapter.ts's rule).
    STACKBENCH_BLAS_THREADS: String(Math.max(1, Math.floor(plan.coresEach / workers))),
    STACKBENCH_ALLOWED_HOSTS: hostsOf(plan, stack).join(','),
  };
  const cores = String(plan.coresEach);
  const memory = `${MEMORY_MIB.stack}Mi`;
  return {
    workers,
    container: {
      name: 'stack',
      image: plan.image,
      command: [cmd, ...launch.args.map(inImage)],
      workingDir: inImage(launch.cwd),
      env: [...Object.entries(env).map(([name, value]) => ({ name, value })), ...serviceEnv(plan)],
      ports: [{ name: 'http', containerPort: APP_PORT }],
      resources: { requests: { cpu: cores, memory }, limits: { cpu: cores, memory } },
      // The readiness the lab waits for: the health path answers. Slow answers are not failures: a replica at its
      // ceiling answers late, and a probe that gave up would take it out of rotation (the balancer's lesson).
      readinessProbe: {
        httpGet: {
          path: def.user?.readyPath ?? '/json',
          port: APP_PORT,
          httpHeaders: [{ name: 'Host', value: 'localhost' }],
        },
        periodSeconds: 1,
        timeoutSeconds: 10,
        failureThreshold: 3,
      },
      securityContext: hardened(),
    },
  };
}
