// Finding a Python that has the stacks' packages: STACKBENCH_PYTHON, the project's .venv (made by
// `stackbench setup` where pip reaches its index), the system's /usr/bin/python3 (Debian's python3-* packages),
// then python3 on PATH. One probe per interpreter reports the version of every package we need.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { VENV_PYTHON } from '../paths.js';

/** import name -> what a user installs (pip name, Debian package). */
export const PY_PACKAGES: Record<string, { pip: string; deb: string }> = {
  flask: { pip: 'Flask', deb: 'python3-flask' },
  gunicorn: { pip: 'gunicorn', deb: 'gunicorn' },
  django: { pip: 'Django', deb: 'python3-django' },
  fastapi: { pip: 'fastapi', deb: 'python3-fastapi' },
  uvicorn: { pip: 'uvicorn', deb: 'python3-uvicorn' },
  uvloop: { pip: 'uvloop', deb: 'python3-uvloop' },
  httptools: { pip: 'httptools', deb: 'python3-httptools' },
  numpy: { pip: 'numpy', deb: 'python3-numpy' },
  pandas: { pip: 'pandas', deb: 'python3-pandas' },
  psycopg2: { pip: 'psycopg2-binary', deb: 'python3-psycopg2' },
  asyncpg: { pip: 'asyncpg', deb: 'python3-asyncpg' },
  requests: { pip: 'requests', deb: 'python3-requests' },
  httpx: { pip: 'httpx', deb: 'python3-httpx' },
  websockets: { pip: 'websockets', deb: 'python3-websockets' },
  gevent: { pip: 'gevent', deb: 'python3-gevent' },
  geventwebsocket: { pip: 'gevent-websocket', deb: 'python3-gevent-websocket' },
  psycogreen: { pip: 'psycogreen', deb: 'python3-psycogreen' },
  redis: { pip: 'redis', deb: 'python3-redis' },
  threadpoolctl: { pip: 'threadpoolctl', deb: 'python3-threadpoolctl' },
  // Optional: django-asgi serves /chat with it when importable (501 otherwise); no stack requires it.
  channels: { pip: 'channels', deb: 'python3-django-channels' },
};

const PROBE = `
import json, sys, importlib
out = {"version": sys.version.split()[0], "packages": {}}
for name in sys.argv[1:]:
    try:
        m = importlib.import_module(name)
        v = getattr(m, "__version__", None)
        if v is None:
            try:
                from importlib.metadata import version
                v = version({"geventwebsocket": "gevent-websocket"}.get(name, name))
            except Exception:
                v = "?"
        out["packages"][name] = str(v).split()[0]
    except Exception:
        out["packages"][name] = None
print(json.dumps(out))
`;

export interface PythonInfo {
  path: string;
  version: string;
  packages: Record<string, string | null>;
}

const cache = new Map<string, PythonInfo | null>();

export function probePython(path: string): PythonInfo | null {
  if (cache.has(path)) return cache.get(path)!;
  let info: PythonInfo | null = null;
  const r = spawnSync(path, ['-c', PROBE, ...Object.keys(PY_PACKAGES)], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status === 0) {
    try {
      const parsed = JSON.parse(r.stdout) as Omit<PythonInfo, 'path'>;
      info = { path, ...parsed };
    } catch {
      info = null;
    }
  }
  cache.set(path, info);
  return info;
}

function candidates(): string[] {
  // An explicit choice is the only candidate: the user (or a test) said which Python to use.
  if (process.env.STACKBENCH_PYTHON) return [process.env.STACKBENCH_PYTHON];
  const list: string[] = [];
  if (existsSync(VENV_PYTHON)) list.push(VENV_PYTHON);
  list.push('/usr/bin/python3', 'python3');
  return list;
}

/** The first interpreter that has every listed package; else the one with most of them (to report what is missing). */
export function findPython(needed: string[]): { info: PythonInfo | null; missing: string[] } {
  let best: { info: PythonInfo | null; missing: string[] } = { info: null, missing: needed };
  for (const path of candidates()) {
    const info = probePython(path);
    if (!info) continue;
    const missing = needed.filter((n) => !info.packages[n]);
    if (missing.length === 0) return { info, missing };
    if (!best.info || missing.length < best.missing.length) best = { info, missing };
  }
  return best;
}

/** The command that installs what is missing, for this machine. */
export function pythonFix(missing: string[]): string {
  if (missing.length === 0) return '';
  const debs = [...new Set(missing.map((m) => PY_PACKAGES[m]?.deb ?? `python3-${m}`))];
  return `stackbench setup --yes   (or: apt-get install ${debs.join(' ')}; or: pip install -r servers/python/requirements.txt)`;
}
