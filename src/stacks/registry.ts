// The seven stacks of DESIGN.md section 2: how each starts, how many instances, what it needs.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NODE_SERVERS, PYTHON_SERVERS, ROOT } from '../paths.js';
import { findPython, pythonFix, type PythonInfo } from './python.js';

export const STACK_IDS = [
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
export type StackId = (typeof STACK_IDS)[number];

export interface Launch {
  cmd: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface StackDef {
  id: StackId;
  runtime: 'node' | 'python';
  framework: string;
  server: string;
  model: string;
  /** The instance rule, in words (shown by `stacks` and in reports). */
  workerRule: string;
  workers(serverCores: number): number;
  /** Python import names this stack needs. */
  pyPackages?: string[];
  launch(port: number, workers: number, python?: string): Launch;
}

const node = (id: StackId, file: string, framework: string, rule: string, workers: (n: number) => number) =>
  ({
    id,
    runtime: 'node',
    framework,
    server:
      file === 'cluster'
        ? 'node:http + cluster'
        : framework === 'node:http'
          ? 'node:http'
          : `${framework} (node:http)`,
    model: file === 'cluster' ? 'event loop x N' : 'event loop',
    workerRule: rule,
    workers,
    launch: (port, w) => ({
      cmd: process.execPath,
      args: [resolve(NODE_SERVERS, `${file}.js`)],
      cwd: ROOT,
      env: { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), WORKERS: String(w) },
    }),
  }) satisfies StackDef;

const py = (
  id: StackId,
  framework: string,
  server: string,
  model: string,
  rule: string,
  workers: (n: number) => number,
  pyPackages: string[],
  argv: (port: number, w: number) => string[],
): StackDef => ({
  id,
  runtime: 'python',
  framework,
  server,
  model,
  workerRule: rule,
  workers,
  pyPackages,
  launch: (port, w, python = '/usr/bin/python3') => ({
    cmd: python,
    args: argv(port, w),
    cwd: PYTHON_SERVERS,
    env: { HOST: '127.0.0.1', PORT: String(port), WORKERS: String(w), PYTHONDONTWRITEBYTECODE: '1' },
  }),
});

const bind = (port: number) => ['--bind', `127.0.0.1:${port}`];

export const STACKS: Record<StackId, StackDef> = {
  'node-http': node('node-http', 'http', 'node:http', '1 process', () => 1),
  fastify: node('fastify', 'fastify', 'fastify', '1 process', () => 1),
  express: node('express', 'express', 'express', '1 process', () => 1),
  'node-cluster': node('node-cluster', 'cluster', 'node:http', 'N workers (N = server cores)', (n) => n),
  'flask-gunicorn': py(
    'flask-gunicorn',
    'flask',
    'gunicorn (sync)',
    'pre-fork, 1 request per worker',
    '2N+1 workers (gunicorn docs)',
    (n) => 2 * n + 1,
    ['flask', 'gunicorn', 'numpy', 'pandas', 'psycopg2', 'requests'],
    (port, w) => [
      '-m',
      'gunicorn',
      '--workers',
      String(w),
      '--worker-class',
      'sync',
      ...bind(port),
      'stackbench_py.flask_app:app',
    ],
  ),
  'flask-gevent': py(
    'flask-gevent',
    'flask',
    'gunicorn (gevent)',
    'pre-fork + greenlets',
    // gunicorn's docs: "How Many Workers?" (design page) recommends (2 x cores) + 1 for every worker type,
    // and the worker_connections setting (default 1000, gevent and eventlet workers only) bounds each one.
    '2N+1 workers x 1000 connections (gunicorn docs)',
    (n) => 2 * n + 1,
    [
      'flask',
      'gunicorn',
      'gevent',
      'geventwebsocket',
      'psycogreen',
      'redis',
      'numpy',
      'pandas',
      'psycopg2',
      'requests',
    ],
    (port, w) => [
      '-m',
      'gunicorn',
      '--workers',
      String(w),
      '--worker-class',
      'stackbench_py.gevent_worker.Worker',
      '--worker-connections',
      '1000',
      ...bind(port),
      'stackbench_py.flask_gevent_app:app',
    ],
  ),
  'django-gunicorn': py(
    'django-gunicorn',
    'django',
    'gunicorn (gthread)',
    'pre-fork + threads',
    'N workers x 4 threads',
    (n) => n,
    ['django', 'gunicorn', 'numpy', 'pandas', 'psycopg2', 'requests'],
    (port, w) => [
      '-m',
      'gunicorn',
      '--workers',
      String(w),
      '--worker-class',
      'gthread',
      '--threads',
      '4',
      ...bind(port),
      'stackbench_py.django_app.wsgi:application',
    ],
  ),
  'django-asgi': py(
    'django-asgi',
    'django',
    'uvicorn (uvloop, httptools)',
    'asyncio event loop',
    'N workers',
    (n) => n,
    [
      'django',
      'uvicorn',
      'uvloop',
      'httptools',
      'numpy',
      'pandas',
      'psycopg2',
      'httpx',
      'websockets',
      'redis',
    ],
    (port, w) => [
      '-m',
      'uvicorn',
      'stackbench_py.django_app.asgi:application',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      String(w),
      '--loop',
      'uvloop',
      '--http',
      'httptools',
      '--no-access-log',
      // Django 3.2's ASGI handler serves no lifespan events; uvicorn would log that it tried.
      '--lifespan',
      'off',
      // uvicorn and `websockets` log every WebSocket connection at INFO; the contract logs nothing per request.
      '--log-level',
      'warning',
    ],
  ),
  'fastapi-uvicorn': py(
    'fastapi-uvicorn',
    'fastapi',
    'uvicorn (uvloop, httptools)',
    'asyncio event loop',
    'N workers',
    (n) => n,
    ['fastapi', 'uvicorn', 'uvloop', 'httptools', 'numpy', 'pandas', 'asyncpg', 'httpx', 'websockets'],
    (port, w) => [
      '-m',
      'uvicorn',
      'stackbench_py.fastapi_app:app',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      String(w),
      '--loop',
      'uvloop',
      '--http',
      'httptools',
      '--no-access-log',
    ],
  ),
};

export interface Availability {
  ok: boolean;
  /** What is missing, in words. */
  missing?: string;
  /** The command that fixes it. */
  fix?: string;
  python?: PythonInfo;
  versions: Record<string, string>;
}

function npmVersion(pkg: string): string {
  try {
    return (
      JSON.parse(readFileSync(resolve(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'missing';
  }
}

export function availability(def: StackDef): Availability {
  if (def.runtime === 'node') {
    const file = def.launch(0, 1).args[0]!;
    const versions: Record<string, string> = { runtime: `node ${process.versions.node}` };
    if (def.framework !== 'node:http') versions.framework = `${def.framework} ${npmVersion(def.framework)}`;
    else versions.framework = `node:http ${process.versions.node}`;
    versions.server =
      def.id === 'node-cluster' ? `node:cluster ${process.versions.node}` : versions.framework;
    if (!existsSync(file))
      return { ok: false, missing: `${file} is not built`, fix: 'npm run build', versions };
    if (versions.framework.endsWith('missing'))
      return { ok: false, missing: `${def.framework} is not installed`, fix: 'npm ci', versions };
    return { ok: true, versions };
  }
  const { info, missing } = findPython(def.pyPackages ?? []);
  if (!info) {
    return {
      ok: false,
      missing: 'no Python 3 interpreter found',
      fix: pythonFix(def.pyPackages ?? []),
      versions: {},
    };
  }
  const serverPkg = def.server.startsWith('uvicorn') ? 'uvicorn' : 'gunicorn';
  const versions: Record<string, string> = {
    runtime: `python ${info.version}`,
    framework: `${def.framework} ${info.packages[def.framework] ?? 'missing'}`,
    server: `${serverPkg} ${info.packages[serverPkg] ?? 'missing'}`,
    python: info.path,
  };
  if (missing.length) {
    return {
      ok: false,
      missing: `${info.path} lacks ${missing.join(', ')}`,
      fix: pythonFix(missing),
      python: info,
      versions,
    };
  }
  return { ok: true, python: info, versions };
}
