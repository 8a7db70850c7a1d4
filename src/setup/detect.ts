// What this machine has and lacks, and the command that fixes each gap: shared by `doctor` and `setup`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgres } from '../lab/postgres.js';
import { PY_PACKAGES, findPython, probePython } from '../stacks/python.js';

export const isDebian = () => existsSync('/etc/debian_version');
export const isRoot = () => process.getuid?.() === 0;
export const has = (cmd: string) =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Debian packages that give every Python stack and the database. */
export const DEBIAN_PYTHON = [...new Set(Object.values(PY_PACKAGES).map((p) => p.deb))];

export interface Gap {
  what: string;
  fix: string;
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

export function pythonGaps(): Gap[] {
  const { info, missing } = findPython(Object.keys(PY_PACKAGES));
  if (!info)
    return [
      {
        what: 'no Python 3 interpreter',
        fix: isDebian() ? 'apt-get install python3' : 'install Python 3.9+',
      },
    ];
  if (!missing.length) return [];
  return [
    {
      what: `Python packages missing (${info.path}): ${missing.join(', ')}`,
      fix: isDebian()
        ? `apt-get install ${[...new Set(missing.map((m) => PY_PACKAGES[m]!.deb))].join(' ')}`
        : 'python3 -m venv .venv && .venv/bin/pip install -r servers/python/requirements.txt',
    },
  ];
}

export function postgresGaps(): Gap[] {
  const pg = findPostgres();
  return pg.ok
    ? []
    : [
        {
          what: pg.missing!,
          fix: isDebian() ? 'apt-get install postgresql' : 'install PostgreSQL 13+ (server binaries)',
        },
      ];
}
