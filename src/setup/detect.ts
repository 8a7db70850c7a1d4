// What this machine has and lacks, and the command that fixes each gap: shared by `doctor` and `setup`, with
// the interpreter both name decided once, by choosePython() (src/stacks/python.ts), which `run` asks as well.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBalancer } from '../lab/balancer.js';
import { findPostgres } from '../lab/postgres.js';
import { redisGap } from '../lab/redis.js';
import {
  PY_PACKAGES,
  PY_REQUIRED,
  choosePython,
  debsFor,
  installCommand,
  isSystemPython,
  probePython,
  pythonFix,
  type PythonChoice,
} from '../stacks/python.js';

export const isDebian = () => existsSync('/etc/debian_version');
export const isRoot = () => process.getuid?.() === 0;
export const has = (cmd: string) =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/**
 * What `setup` installs with apt-get for the Python stacks: Python, every package of PY_PACKAGES by its Debian
 * name (the optional ones too), and OpenBLAS for NumPy — PyPI's NumPy wheels bundle OpenBLAS, and Debian's
 * numpy runs on the slow reference BLAS unless an optimized one is installed.
 */
export const DEBIAN_PYTHON = ['python3', ...debsFor(Object.keys(PY_PACKAGES)), 'libopenblas0-pthread'];

export interface Gap {
  what: string;
  fix: string;
  /** The Debian packages that close it (setup installs them, as root on Debian). */
  deb?: string[];
}

/** Which of these Debian packages dpkg does not list as installed (all of them where there is no dpkg). */
export function debianMissing(pkgs: string[]): string[] {
  if (!pkgs.length) return [];
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package}\\t${db:Status-Status}\\n', ...pkgs], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const installed = new Set(
    (r.stdout ?? '')
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([, status]) => status === 'installed')
      .map(([name]) => name!.replace(/:.*$/, '')),
  );
  return pkgs.filter((p) => !installed.has(p));
}

/**
 * A Python that can make a venv and reach PyPI through pip (a quick, bounded probe). --isolated: pip's
 * environment (PIP_FIND_LINKS, a local wheel folder) must not pass for the index.
 */
export function pipReachesIndex(): { python: string } | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const info = probePython(py);
    if (!info) continue;
    const venv = spawnSync(py, ['-c', 'import venv, ensurepip'], { stdio: 'ignore' });
    if (venv.status !== 0) continue;
    const dir = mkdtempSync(join(tmpdir(), 'stackbench-pip-'));
    const r = spawnSync(
      py,
      [
        '-m',
        'pip',
        '--isolated',
        'download',
        '--no-deps',
        '--quiet',
        '--timeout',
        '5',
        '--retries',
        '0',
        '-d',
        dir,
        'flask',
      ],
      { stdio: 'ignore', timeout: 20_000 },
    );
    rmSync(dir, { recursive: true, force: true });
    if (r.status === 0) return { python: py };
  }
  return undefined;
}

// BLAS libraries threadpoolctl knows; an empty list means NumPy runs on one it does not (the reference BLAS).
const KNOWN_BLAS = ['openblas', 'mkl', 'blis', 'flexiblas'];

/** The packages the stacks need that the chosen interpreter lacks (or that there is no interpreter at all). */
export function packageGaps(choice: PythonChoice = choosePython()): Gap[] {
  const { info, missing } = choice;
  if (!info) {
    const looked = choice.candidates.map((c) => c.path + (c.note ? ` (${c.note})` : '')).join(', ');
    return [
      {
        what: `no Python 3.9+ interpreter (looked at ${looked})`,
        fix: pythonFix(PY_REQUIRED),
        ...(isDebian() ? { deb: DEBIAN_PYTHON } : {}),
      },
    ];
  }
  if (!missing.length) return [];
  return [
    {
      what: `${info.path} (${info.version}) lacks ${missing.join(', ')}`,
      fix: installCommand(info.path, missing),
      ...(isDebian() && isSystemPython(info.path) ? { deb: DEBIAN_PYTHON } : {}),
    },
  ];
}

/** NumPy on the reference BLAS (Debian's numpy without an optimized BLAS): the ml workload would be unfair. */
export function blasGaps(choice: PythonChoice = choosePython()): Gap[] {
  const { info } = choice;
  if (!info?.blas || info.blas.some((b) => KNOWN_BLAS.includes(b))) return [];
  const system = isDebian() && isSystemPython(info.path);
  return [
    {
      what: `NumPy in ${info.path} runs on the reference BLAS (no OpenBLAS, MKL or BLIS found): slow matrix work`,
      fix: system
        ? 'apt-get install libopenblas0-pthread'
        : `${info.path} -m pip install --force-reinstall numpy   (PyPI's wheels bundle OpenBLAS)`,
      ...(system ? { deb: ['libopenblas0-pthread'] } : {}),
    },
  ];
}

/** What the chosen interpreter lacks: packages the stacks need, and an optimized BLAS under NumPy. */
export function pythonGaps(choice: PythonChoice = choosePython()): Gap[] {
  return [...packageGaps(choice), ...blasGaps(choice)];
}

/** Optional packages the chosen interpreter lacks: reported, never a gap. */
export function pythonOptional(choice: PythonChoice = choosePython()): Gap[] {
  const { info } = choice;
  if (!info) return [];
  return choice.optionalMissing.map((name) => ({
    what: `${name}: ${PY_PACKAGES[name]!.optional}`,
    fix: installCommand(info.path, [name]),
  }));
}

/** One line: the interpreter the stacks run on, and whether it has every package they need. */
export function pythonLine(choice: PythonChoice): string {
  const { info, missing } = choice;
  if (!info) return `no Python 3.9+ found (looked at ${choice.candidates.map((c) => c.path).join(', ')})`;
  const at = `${info.path} (${info.version})`;
  return missing.length
    ? `${at} lacks ${missing.length} of the ${PY_REQUIRED.length} packages the stacks need`
    : `${at} has every package the stacks need`;
}

/**
 * The other interpreters, in plain words: above all the python3 first on PATH when it lacks packages the chosen
 * one has (a pyenv or a self-built Python often comes first on PATH, and is not the one the stacks run on).
 */
export function pythonNotes(choice: PythonChoice): string[] {
  const chosen = choice.info;
  const notes: string[] = [];
  for (const c of choice.candidates) {
    if (chosen && c.info === chosen) continue;
    const runs = c.info && c.info.executable !== c.path ? `, runs ${c.info.executable}` : '';
    const who =
      c.source === 'python3 on PATH'
        ? `python3 on PATH is ${c.path}`
        : c.source === "the system's"
          ? c.path
          : `${c.source} ${c.path}`;
    if (!c.info) notes.push(`${who}: ${c.note ?? 'does not run'}`);
    else if (!c.missing.length) notes.push(`${who} (Python ${c.info.version}${runs}) has every package too`);
    else {
      const lacks = `lacks ${c.missing.length} of the packages the stacks need (${c.missing.join(', ')})`;
      const so =
        chosen && !choice.missing.length ? `, so the stacks use ${chosen.path}, which has them all` : '';
      notes.push(`${who} (Python ${c.info.version}${runs}); it ${lacks}${so}`);
    }
  }
  return notes;
}

export function postgresGaps(): Gap[] {
  const pg = findPostgres();
  return pg.ok
    ? []
    : [
        {
          what: pg.missing!,
          fix: isDebian() ? 'apt-get install postgresql' : 'install PostgreSQL 13+ (server binaries)',
          ...(isDebian() ? { deb: ['postgresql'] } : {}),
        },
      ];
}

/** PostgreSQL (db), Redis (chat across worker processes and replicas), HAProxy (the scaling study). */
export function serviceGaps(): Gap[] {
  const deb = (p: string) => (isDebian() ? { deb: [p] } : {});
  const gaps = [...postgresGaps()];
  for (const g of redisGap())
    gaps.push({
      what: `${g.what} (chat across worker processes and replicas)`,
      fix: g.fix,
      ...deb('redis-server'),
    });
  const lb = findBalancer('haproxy');
  if (!lb.ok)
    gaps.push({ what: `${lb.missing} (the scaling study's balancer)`, fix: lb.fix!, ...deb('haproxy') });
  return gaps;
}

/**
 * What the tests need beyond the lab (`setup --dev` installs it): Debian's Chromium for the report in a real
 * browser, nginx for the balancer tests, iproute2 for the network namespaces that stand in for other hosts, and
 * procps (ps) for the tests that prove no process outlives a run.
 */
export function devGaps(): Gap[] {
  const gaps: Gap[] = [];
  const need = (what: string, ok: boolean, pkg: string, fix = `apt-get install ${pkg}`) => {
    if (!ok) gaps.push({ what, fix, ...(isDebian() ? { deb: [pkg] } : {}) });
  };
  need(
    '/usr/bin/chromium (the report tests open report.html in it)',
    existsSync('/usr/bin/chromium'),
    'chromium',
  );
  need("nginx (the balancer tests' second balancer)", findBalancer('nginx').ok, 'nginx');
  need('ip (network namespaces as test hosts)', has('ip'), 'iproute2');
  need('ps (the tests that check no process is left)', has('ps'), 'procps');
  return gaps;
}
