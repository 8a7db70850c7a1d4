// Choosing the Python after an install: the probes taken before it must be forgotten, or setup reports as
// missing what it has just installed. Real interpreters (Debian's, with and without its site-packages), real dpkg.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEBIAN_PYTHON,
  blasGaps,
  debianMissing,
  packageGaps,
  pythonOptional,
} from '../../src/setup/detect.js';
import {
  PY_OPTIONAL,
  PY_PACKAGES,
  PY_REQUIRED,
  choosePython,
  forgetPythons,
  installCommand,
} from '../../src/stacks/python.js';

const SYSTEM = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'sb-pychoice-'));
const saved = process.env.STACKBENCH_PYTHON;
after(() => {
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env.STACKBENCH_PYTHON;
  else process.env.STACKBENCH_PYTHON = saved;
  forgetPythons();
});

const sudo = process.getuid?.() === 0 ? '' : 'sudo ';

test('after an install, the interpreter is probed again and chosen again', () => {
  assert.ok(existsSync(SYSTEM), `no ${SYSTEM}: apt-get install python3`);
  const py = join(dir, 'python3');
  // Before the "install": Debian's interpreter without its site-packages (-I -S) has none of the packages.
  writeFileSync(py, `#!/bin/sh\nexec ${SYSTEM} -I -S "$@"\n`, { mode: 0o755 });
  process.env.STACKBENCH_PYTHON = py;
  forgetPythons();
  const before = choosePython();
  assert.equal(before.info?.path, py);
  assert.deepEqual(before.missing, PY_REQUIRED);
  const [gap] = packageGaps(before);
  assert.equal(gap?.fix, `${py} -m pip install ${PY_REQUIRED.map((n) => PY_PACKAGES[n]!.pip).join(' ')}`);
  // Optional packages are reported apart, never as a gap.
  assert.deepEqual(before.optionalMissing, PY_OPTIONAL);
  assert.ok(!gap!.what.includes('channels'));
  assert.deepEqual(
    pythonOptional(before).map((o) => o.fix),
    [`${py} -m pip install channels`],
  );

  // The "install": the same path now runs an interpreter with every package.
  writeFileSync(py, `#!/bin/sh\nexec ${SYSTEM} "$@"\n`, { mode: 0o755 });
  assert.deepEqual(choosePython().missing, PY_REQUIRED, 'the earlier probe is kept until forgotten');
  forgetPythons();
  const now = choosePython();
  const lacks = now.missing;
  assert.deepEqual(lacks, [], `${SYSTEM} lacks ${lacks.join(', ')}: ${installCommand(SYSTEM, lacks)}`);
  assert.deepEqual(packageGaps(now), []);
  // NumPy's BLAS as threadpoolctl sees it: OpenBLAS here (libopenblas0-pthread), else a gap with its fix.
  assert.deepEqual(blasGaps(now), []);
  assert.ok(now.info?.blas?.length, 'NumPy reported its BLAS');
});

test('the install command is the exact one for the interpreter: apt-get for Debian’s own, pip for any other', () => {
  assert.ok(existsSync('/etc/debian_version'), 'these commands are for Debian');
  const gevent = ['gevent', 'geventwebsocket', 'psycogreen'];
  assert.equal(
    installCommand(SYSTEM, gevent),
    `${sudo}apt-get install python3-gevent python3-gevent-websocket python3-psycogreen`,
  );
  // A .venv's python is a symlink to Debian's, yet pip installs into the .venv.
  assert.equal(
    installCommand('/srv/app/.venv/bin/python', [...gevent, 'psycopg2']),
    '/srv/app/.venv/bin/python -m pip install gevent gevent-websocket psycogreen psycopg2-binary',
  );
});

test('Debian packages: every PY_PACKAGES package by its Debian name, and dpkg says which are not installed', () => {
  for (const p of Object.values(PY_PACKAGES)) assert.ok(DEBIAN_PYTHON.includes(p.deb), p.deb);
  assert.ok(DEBIAN_PYTHON.includes('python3') && DEBIAN_PYTHON.includes('libopenblas0-pthread'));
  assert.deepEqual(debianMissing(['python3', 'stackbench-no-such-package']), ['stackbench-no-such-package']);
});
