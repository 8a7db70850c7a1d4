// Which Python the stacks run on. Candidates, in order: STACKBENCH_PYTHON (then the only one: the user said
// which), the project's .venv (made by `stackbench setup` where pip reaches its index), the system's
// /usr/bin/python3 (Debian's python3-* packages), then python3 on PATH. choosePython() decides, and every
// command asks it (doctor, setup, stacks, verify, run): the first candidate that has every package the stacks
// need; when none has them all, the first that runs — the one `setup` fills (the .venv, or /usr/bin/python3
// through Debian's packages), so what doctor reports missing is what setup installs.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { VENV_PYTHON } from '../paths.js';

export interface PyPackage {
  /** What pip installs. */
  pip: string;
  /** Debian's package. */
  deb: string;
  /** Set when no stack requires it: what it adds. Reported as optional, never as a gap. */
  optional?: string;
}

/** import name -> what a user installs (pip name, Debian package). */
export const PY_PACKAGES: Record<string, PyPackage> = {
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
  channels: {
    pip: 'channels',
    deb: 'python3-django-channels',
    optional: 'django-asgi serves /chat with it (501 without it)',
  },
};

/** The packages the stacks need (every stack's pyPackages is among them). */
export const PY_REQUIRED = Object.keys(PY_PACKAGES).filter((n) => !PY_PACKAGES[n]!.optional);
export const PY_OPTIONAL = Object.keys(PY_PACKAGES).filter((n) => PY_PACKAGES[n]!.optional);

/** servers/python/requirements.txt: Python 3.9 or newer. */
const MIN_PYTHON: [number, number] = [3, 9];

// One run of the interpreter reports its version, where it lives, every package's version (None when the
// import fails) and which BLAS NumPy loaded (threadpoolctl's view; [] when it finds none it knows: Debian's
// reference BLAS, much slower than the OpenBLAS PyPI wheels bundle).
const PROBE = `
import json, sys, importlib
out = {"version": sys.version.split()[0], "executable": sys.executable, "prefix": sys.prefix,
       "sysPath": sys.path, "packages": {}, "blas": None}
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
if out["packages"].get("numpy") and out["packages"].get("threadpoolctl"):
    try:
        import threadpoolctl
        out["blas"] = [i.get("internal_api") for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    except Exception:
        pass
print(json.dumps(out))
`;

export interface PythonInfo {
  /** What stackbench runs (a candidate's path: STACKBENCH_PYTHON, the .venv's, /usr/bin/python3, PATH's). */
  path: string;
  version: string;
  /** sys.executable: where a wrapper or a pyenv shim lands. */
  executable: string;
  prefix: string;
  sysPath: string[];
  packages: Record<string, string | null>;
  /** The BLAS libraries NumPy loaded (threadpoolctl's internal_api), or null without NumPy or threadpoolctl. */
  blas: string[] | null;
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

/** Forget every probe: after `setup` installs packages, the next question probes again. */
export function forgetPythons(): void {
  cache.clear();
}

/** The first executable NAME in PATH's folders (what a shell would run), or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* not there, or not executable */
    }
  }
  return undefined;
}

export interface PythonCandidate {
  path: string;
  /** Why it is a candidate, in words: "STACKBENCH_PYTHON", "the project's .venv", … */
  source: string;
  /** Null when it does not run (or is older than 3.9: then `note` says so). */
  info: PythonInfo | null;
  note?: string;
  /** Required packages it lacks (all of them when it does not run). */
  missing: string[];
  optionalMissing: string[];
}

export interface PythonChoice {
  /** The interpreter the stacks run on, or null when no candidate runs. */
  info: PythonInfo | null;
  source?: string;
  /** Required packages it lacks: empty when it has every one. */
  missing: string[];
  optionalMissing: string[];
  /** Every candidate, in order, each probed (doctor explains the choice with them). */
  candidates: PythonCandidate[];
}

function candidatePaths(): Array<{ path: string; source: string }> {
  // An explicit choice is the only candidate: the user (or a test) said which Python to use.
  if (process.env.STACKBENCH_PYTHON)
    return [{ path: process.env.STACKBENCH_PYTHON, source: 'STACKBENCH_PYTHON' }];
  const list: Array<{ path: string; source: string }> = [];
  if (existsSync(VENV_PYTHON)) list.push({ path: VENV_PYTHON, source: "the project's .venv" });
  if (existsSync('/usr/bin/python3')) list.push({ path: '/usr/bin/python3', source: "the system's" });
  const first = onPath('python3');
  list.push({ path: first ?? 'python3', source: 'python3 on PATH' });
  return list;
}

const atLeast = (version: string, [major, minor]: [number, number]) => {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
};

/** One interpreter seen twice (PATH's python3 is /usr/bin/python3): the same binary and the same sys.path. */
function sameInterpreter(a: PythonInfo, b: PythonInfo): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  return real(a.executable) === real(b.executable) && a.sysPath.join('\0') === b.sysPath.join('\0');
}

/** THE decision: which interpreter the stacks run on (see the comment at the top of this file). */
export function choosePython(): PythonChoice {
  const candidates: PythonCandidate[] = [];
  for (const { path, source } of candidatePaths()) {
    const probed = probePython(path);
    if (probed && candidates.some((c) => c.info && sameInterpreter(c.info, probed))) continue;
    const tooOld = probed && !atLeast(probed.version, MIN_PYTHON);
    const info = tooOld ? null : probed;
    candidates.push({
      path,
      source,
      info,
      ...(tooOld ? { note: `Python ${probed.version}: ${MIN_PYTHON.join('.')}+ needed` } : {}),
      missing: PY_REQUIRED.filter((n) => !info?.packages[n]),
      optionalMissing: PY_OPTIONAL.filter((n) => !info?.packages[n]),
    });
  }
  const pick = candidates.find((c) => c.info && c.missing.length === 0) ?? candidates.find((c) => c.info);
  return {
    info: pick?.info ?? null,
    ...(pick ? { source: pick.source } : {}),
    missing: pick?.missing ?? PY_REQUIRED,
    optionalMissing: pick?.optionalMissing ?? PY_OPTIONAL,
    candidates,
  };
}

/** The chosen interpreter, and which of `needed` it lacks (a stack's packages). */
export function findPython(needed: string[]): { info: PythonInfo | null; missing: string[] } {
  const { info } = choosePython();
  return { info, missing: info ? needed.filter((n) => !info.packages[n]) : needed };
}

/** Debian's own interpreter, the one its python3-* packages install into (a .venv's python is not, even as a symlink to it). */
export const isSystemPython = (path: string) => /^\/(usr\/)?bin\/python3(\.\d+)?$/.test(path);

const isDebian = () => existsSync('/etc/debian_version');
const sudo = () => (process.getuid?.() === 0 ? '' : 'sudo ');
const unique = (xs: string[]) => [...new Set(xs)];

/** Debian's packages for these import names (unknown names as python3-NAME). */
export const debsFor = (names: string[]) => unique(names.map((n) => PY_PACKAGES[n]?.deb ?? `python3-${n}`));
export const pipsFor = (names: string[]) => unique(names.map((n) => PY_PACKAGES[n]?.pip ?? n));

/**
 * The exact command that installs these packages into this interpreter: Debian's packages for Debian's own
 * python3, pip for any other (a .venv, a pyenv or a self-built Python).
 */
export function installCommand(python: string, names: string[]): string {
  if (isDebian() && isSystemPython(python)) return `${sudo()}apt-get install ${debsFor(names).join(' ')}`;
  return `${python} -m pip install ${pipsFor(names).join(' ')}`;
}

/** The command that gives a stack what it lacks, for this machine; `python` is the chosen interpreter, if any. */
export function pythonFix(missing: string[], python?: string): string {
  if (missing.length === 0) return '';
  const target = python ?? choosePython().info?.path;
  if (target) return installCommand(target, missing);
  const by = isDebian()
    ? `${sudo()}apt-get install python3 ${debsFor(missing).join(' ')}`
    : 'python3 -m venv .venv && .venv/bin/pip install -r servers/python/requirements.txt';
  return `stackbench setup --yes   (or: ${by})`;
}

/** The interpreter the stacks run on, as results record it ("3.11.2 (/usr/bin/python3)"); none found: undefined. */
export function pythonLabel(): string | undefined {
  const { info } = choosePython();
  return info ? `${info.version} (${info.path})` : undefined;
}
