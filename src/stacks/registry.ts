// The reference stacks: what each is (its facts, stated here once and recorded into every results file), how it
// starts, how many instances it runs. Everything else — analysis, reports, `stackbench stacks` — reads the facts
// from here or from the results, never works them out again.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NODE_SERVERS, PYTHON_SERVERS, ROOT } from '../paths.js';
import { findPython, pythonFix, type PythonInfo } from './python.js';
import type { LabWorkloadId } from '../workloads.js';

/** other: a user's service in another runtime, or one whose runtime was not said (compare). */
export type Runtime = 'node' | 'python' | 'other';

/**
 * The concurrency model in the article's terms: the Node event loop, WSGI (sync, threads, green threads), ASGI;
 * unknown for a user's service that does not say.
 */
export type ServerClass =
  'event loop' | 'event loop x N' | 'WSGI sync' | 'WSGI gthread' | 'WSGI gevent' | 'ASGI' | 'unknown';

/** A stack id: a reference stack's (BUILTIN_IDS) or, later, one a user adds. */
export type StackId = string;

/** What a stack is. Recorded into results (StackRecord), so a report never has to guess. */
export interface StackFacts {
  id: StackId;
  runtime: Runtime;
  framework: string;
  server: string;
  serverClass: ServerClass;
  /** The concurrency model, in words. */
  model: string;
  /** The instance rule, in words (shown by `stacks` and in reports). */
  workerRule: string;
}

export interface Launch {
  cmd: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface StackDef extends StackFacts {
  workers(serverCores: number): number;
  /** Python import names this stack needs. */
  pyPackages?: string[];
  /** The package that names the server's version (Python: the import name; Node: the npm package). */
  serverPackage?: string;
  /** host: the address it listens on, loopback unless a cluster's pod must answer on its own IP (src/kube/). */
  launch(port: number, workers: number, python?: string, host?: string): Launch;
  /** A user's stack (config file): the lab workloads it implements, and where it answers once ready. */
  user?: { implements: LabWorkloadId[]; readyPath: string };
  /**
   * The leading stack of its server class and runtime: the one the quick suite measures for the class (the
   * fastest of it in this lab's full runs; docs/RESULTS.md). Exactly one per class (test/unit/stacks.test.ts).
   */
  leads?: boolean;
}

export const BUILTIN_IDS = [
  'node-http',
  'fastify',
  'express',
  'node-cluster',
  'flask-gunicorn',
  'flask-gevent',
  'django-gunicorn',
  'django-asgi',
  'fastapi-uvicorn',
] as const;
export type BuiltinStackId = (typeof BUILTIN_IDS)[number];

/** The facts of a stack, without its functions: what results record. */
export function factsOf(def: StackFacts): StackFacts {
  const { id, runtime, framework, server, serverClass, model, workerRule } = def;
  return { id, runtime, framework, server, serverClass, model, workerRule };
}

export const isWsgi = (s: Pick<StackFacts, 'serverClass'>) => s.serverClass.startsWith('WSGI');

interface NodeSpec {
  id: BuiltinStackId;
  file: string;
  framework: string;
  server: string;
  serverClass: ServerClass;
  model: string;
  workerRule: string;
  workers: (n: number) => number;
  leads?: true;
}

/** What a built-in stack's definition takes from its spec as it is, whichever its runtime. */
const given = (s: Omit<NodeSpec, 'file'>, runtime: Runtime) => ({
  id: s.id,
  runtime,
  framework: s.framework,
  server: s.server,
  serverClass: s.serverClass,
  model: s.model,
  workerRule: s.workerRule,
  workers: s.workers,
  ...(s.leads ? { leads: true } : {}),
});

const node = (s: NodeSpec): StackDef => ({
  ...given(s, 'node'),
  ...(s.framework === 'node:http' ? {} : { serverPackage: s.framework }),
  launch: (port, w, _python, host = '127.0.0.1') => ({
    cmd: process.execPath,
    args: [resolve(NODE_SERVERS, `${s.file}.js`)],
    cwd: ROOT,
    env: { NODE_ENV: 'production', HOST: host, PORT: String(port), WORKERS: String(w) },
  }),
});

interface PySpec extends Omit<NodeSpec, 'file'> {
  pyPackages: string[];
  serverPackage: string;
  argv: (port: number, w: number, host: string) => string[];
}

const py = (s: PySpec): StackDef => ({
  ...given(s, 'python'),
  pyPackages: s.pyPackages,
  serverPackage: s.serverPackage,
  launch: (port, w, python = '/usr/bin/python3', host = '127.0.0.1') => ({
    cmd: python,
    args: s.argv(port, w, host),
    cwd: PYTHON_SERVERS,
    env: { HOST: host, PORT: String(port), WORKERS: String(w), PYTHONDONTWRITEBYTECODE: '1' },
  }),
});

const bind = (port: number, host: string) => ['--bind', `${host}:${port}`];
/** uvicorn as a production server: uvloop, httptools, N workers, no access log. */
const uvicorn =
  (app: string, extra: string[] = []) =>
  (port: number, w: number, host: string) => [
    '-m',
    'uvicorn',
    app,
    '--host',
    host,
    '--port',
    String(port),
    '--workers',
    String(w),
    '--loop',
    'uvloop',
    '--http',
    'httptools',
    '--no-access-log',
    ...extra,
  ];
const gunicorn =
  (workerClass: string, extra: string[], app: string) => (port: number, w: number, host: string) => [
    '-m',
    'gunicorn',
    '--workers',
    String(w),
    '--worker-class',
    workerClass,
    ...extra,
    ...bind(port, host),
    app,
  ];

/** What every app imports (stackbench_py/common.py): the data work and its BLAS thread limit. */
const COMMON_PACKAGES = ['numpy', 'pandas', 'threadpoolctl'];
/** uvicorn() below: the server and the event loop and parser it is run with. */
const UVICORN_PACKAGES = ['uvicorn', 'uvloop', 'httptools'];
/** How both ASGI stacks are served: the same uvicorn setup (uvicorn() below), so the same facts. */
const UVICORN_SERVER = {
  server: 'uvicorn (uvloop, httptools)',
  serverClass: 'ASGI',
  model: 'asyncio event loop',
  workerRule: 'N workers',
  workers: (n: number) => n,
} as const;

export const STACKS: Record<BuiltinStackId, StackDef> = {
  'node-http': node({
    id: 'node-http',
    leads: true,
    file: 'http',
    framework: 'node:http',
    server: 'node:http',
    serverClass: 'event loop',
    model: 'event loop',
    workerRule: '1 process',
    workers: () => 1,
  }),
  fastify: node({
    id: 'fastify',
    file: 'fastify',
    framework: 'fastify',
    server: 'fastify (node:http)',
    serverClass: 'event loop',
    model: 'event loop',
    workerRule: '1 process',
    workers: () => 1,
  }),
  express: node({
    id: 'express',
    file: 'express',
    framework: 'express',
    server: 'express (node:http)',
    serverClass: 'event loop',
    model: 'event loop',
    workerRule: '1 process',
    workers: () => 1,
  }),
  'node-cluster': node({
    id: 'node-cluster',
    leads: true,
    file: 'cluster',
    framework: 'node:http',
    server: 'node:http + cluster',
    serverClass: 'event loop x N',
    model: 'event loop x N',
    workerRule: 'N workers (N = server cores)',
    workers: (n) => n,
  }),
  'flask-gunicorn': py({
    id: 'flask-gunicorn',
    leads: true,
    framework: 'flask',
    server: 'gunicorn (sync)',
    serverClass: 'WSGI sync',
    model: 'pre-fork, 1 request per worker',
    workerRule: '2N+1 workers (gunicorn docs)',
    workers: (n) => 2 * n + 1,
    pyPackages: ['flask', 'gunicorn', ...COMMON_PACKAGES, 'psycopg2', 'requests'],
    serverPackage: 'gunicorn',
    argv: gunicorn('sync', [], 'stackbench_py.flask_app:app'),
  }),
  'flask-gevent': py({
    id: 'flask-gevent',
    leads: true,
    framework: 'flask',
    server: 'gunicorn (gevent)',
    serverClass: 'WSGI gevent',
    model: 'pre-fork + greenlets',
    // gunicorn's docs: "How Many Workers?" (design page) recommends (2 x cores) + 1 for every worker type,
    // and the worker_connections setting (default 1000, gevent and eventlet workers only) bounds each one.
    workerRule: '2N+1 workers x 1000 connections (gunicorn docs)',
    workers: (n) => 2 * n + 1,
    pyPackages: [
      'flask',
      'gunicorn',
      'gevent',
      'geventwebsocket',
      'psycogreen',
      'redis',
      ...COMMON_PACKAGES,
      'psycopg2',
      'requests',
    ],
    serverPackage: 'gunicorn',
    argv: gunicorn(
      'stackbench_py.gevent_worker.Worker',
      ['--worker-connections', '1000'],
      'stackbench_py.flask_gevent_app:app',
    ),
  }),
  'django-gunicorn': py({
    id: 'django-gunicorn',
    leads: true,
    framework: 'django',
    server: 'gunicorn (gthread)',
    serverClass: 'WSGI gthread',
    model: 'pre-fork + threads',
    workerRule: 'N workers x 4 threads',
    workers: (n) => n,
    pyPackages: ['django', 'gunicorn', ...COMMON_PACKAGES, 'psycopg2', 'requests'],
    serverPackage: 'gunicorn',
    argv: gunicorn('gthread', ['--threads', '4'], 'stackbench_py.django_app.wsgi:application'),
  }),
  'django-asgi': py({
    id: 'django-asgi',
    framework: 'django',
    ...UVICORN_SERVER,
    pyPackages: [
      'django',
      ...UVICORN_PACKAGES,
      ...COMMON_PACKAGES,
      'psycopg2',
      'httpx',
      'websockets',
      'redis',
    ],
    serverPackage: 'uvicorn',
    argv: uvicorn('stackbench_py.django_app.asgi:application', [
      // Django 3.2's ASGI handler serves no lifespan events; uvicorn would log that it tried.
      '--lifespan',
      'off',
      // uvicorn and `websockets` log every WebSocket connection at INFO; the contract logs nothing per request.
      '--log-level',
      'warning',
    ]),
  }),
  'fastapi-uvicorn': py({
    id: 'fastapi-uvicorn',
    leads: true,
    framework: 'fastapi',
    ...UVICORN_SERVER,
    pyPackages: ['fastapi', ...UVICORN_PACKAGES, ...COMMON_PACKAGES, 'asyncpg', 'httpx', 'websockets'],
    serverPackage: 'uvicorn',
    argv: uvicorn('stackbench_py.fastapi_app:app'),
  }),
};

/** The definition of a reference stack by id, or undefined (a user's stack lives in the run's Catalog). */
/** The quick suite's stacks: the leading one of each server class per runtime, in the registry's order. */
export function classLeaders(): BuiltinStackId[] {
  return BUILTIN_IDS.filter((id) => STACKS[id].leads === true);
}

export function stackDef(id: StackId): StackDef | undefined {
  return (STACKS as Record<string, StackDef>)[id];
}

export interface Availability {
  ok: boolean;
  /** What is missing, in words. */
  missing?: string;
  /** The command that fixes it. */
  fix?: string;
  python?: PythonInfo;
  versions: Record<string, string>;
}

/**
 * The version of the npm package the Node servers load. Looked up as Node resolves their imports: node_modules
 * beside us, then in every folder above (installed as a dependency, npm hoists ours into the user's).
 */
function npmVersion(pkg: string): string {
  for (let dir = ROOT; ; dir = dirname(dir)) {
    try {
      const file = resolve(dir, 'node_modules', pkg, 'package.json');
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      if (dirname(dir) === dir) return 'missing';
    }
  }
}

export function availability(def: StackDef): Availability {
  // A user's stack brings its own runtime and packages: whether it runs shows when it starts.
  if (def.user) return { ok: true, versions: { runtime: def.runtime, server: def.server } };
  if (def.runtime === 'node') {
    const file = def.launch(0, 1).args[0]!;
    const node = `node ${process.versions.node}`;
    const framework = def.serverPackage
      ? `${def.framework} ${npmVersion(def.serverPackage)}`
      : `${def.framework} ${process.versions.node}`;
    const server = def.serverClass === 'event loop x N' ? `node:cluster ${process.versions.node}` : framework;
    const versions = { runtime: node, framework, server };
    if (!existsSync(file))
      return { ok: false, missing: `${file} is not built`, fix: 'npm run build', versions };
    if (framework.endsWith('missing'))
      return { ok: false, missing: `${def.framework} is not installed`, fix: 'npm ci', versions };
    return { ok: true, versions };
  }
  const needed = def.pyPackages ?? [];
  const { info, missing } = findPython(needed);
  if (!info)
    return { ok: false, missing: 'no Python 3 interpreter found', fix: pythonFix(needed), versions: {} };
  const pkg = def.serverPackage ?? def.framework;
  const versions: Record<string, string> = {
    runtime: `python ${info.version}`,
    framework: `${def.framework} ${info.packages[def.framework] ?? 'missing'}`,
    server: `${pkg} ${info.packages[pkg] ?? 'missing'}`,
    python: info.path,
  };
  if (missing.length) {
    const lacks = `${info.path} lacks ${missing.join(', ')}`;
    return { ok: false, missing: lacks, fix: pythonFix(missing, info.path), python: info, versions };
  }
  return { ok: true, python: info, versions };
}
