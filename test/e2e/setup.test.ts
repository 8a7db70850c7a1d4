// The README's first command on a machine whose first python3 on PATH has none of the stacks' packages (a pyenv
// Python, as here): setup, doctor, stacks and run must all choose /usr/bin/python3 (Debian's, with the
// packages), setup must exit 0 naming it, and run must measure a Python stack on it. Real CLI, real servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Results } from '../../src/results/types.js';
import { PY_REQUIRED, probePython } from '../../src/stacks/python.js';
import { leftovers, ROOT, runCli } from '../helpers/cli.js';

const SYSTEM = '/usr/bin/python3';
const PYTHON_STACKS = ['flask-gunicorn', 'flask-gevent', 'django-gunicorn', 'django-asgi', 'fastapi-uvicorn'];

/** True when the interpreter (its argv) can import none of the stacks' packages. */
function importsNone(argv: string[]): boolean {
  const code = 'import importlib.util as u, sys\nsys.exit(any(u.find_spec(n) for n in sys.argv[1:]))';
  const r = spawnSync(argv[0]!, [...argv.slice(1), '-c', code, ...PY_REQUIRED], { timeout: 10_000 });
  return r.status === 0;
}

/**
 * A folder holding a `python3` without the stacks' packages: a pyenv interpreter that imports none of them
 * (pyenv's 3.11 here has Flask, NumPy and requests, so each is checked), else Debian's own with -I -S (no
 * site-packages, no user site, no PYTHON* variables): the same binary, none of its packages.
 */
function bareFirstPython(dir: string): { script: string; runs: string } {
  const pyenv = '/root/.pyenv/versions';
  // Newest first, 3.9+ (older ones stackbench calls too old, which is another story).
  const version = (v: string) => v.split('.').map(Number);
  const found = existsSync(pyenv)
    ? readdirSync(pyenv)
        .filter((v) => /^3\.\d+\.\d+$/.test(v) && version(v)[1]! >= 9)
        .sort((a, b) => version(b)[1]! - version(a)[1]! || version(b)[2]! - version(a)[2]!)
        .map((v) => join(pyenv, v, 'bin/python3'))
        .filter((p) => existsSync(p) && importsNone([p]))
    : [];
  const argv = found.length ? [found[0]!] : [SYSTEM, '-I', '-S'];
  if (!found.length) assert.ok(importsNone(argv), `${argv.join(' ')} still imports a stack package`);
  const script = join(dir, 'python3');
  writeFileSync(script, `#!/bin/sh\nexec ${argv.join(' ')} "$@"\n`, { mode: 0o755 });
  return { script, runs: argv.join(' ') };
}

test(
  'first run: a bare python3 first on PATH; setup, doctor, stacks and run agree on /usr/bin/python3',
  { timeout: 90_000 },
  async () => {
    // The machine's side: Debian's interpreter has every package the stacks need (setup would install them).
    const system = probePython(SYSTEM);
    const lacks = PY_REQUIRED.filter((n) => !system?.packages[n]);
    assert.deepEqual(
      lacks,
      [],
      `${SYSTEM} lacks ${lacks.join(', ')}: run node bin/stackbench.js setup --yes`,
    );
    // A .venv would be the first candidate (and rightly chosen when complete): this test is about the others.
    assert.ok(!existsSync(join(ROOT, '.venv')), `${ROOT}/.venv exists: this test needs it absent`);

    const dir = mkdtempSync(join(tmpdir(), 'sb-setup-'));
    try {
      const fake = bareFirstPython(dir);
      const env = { PATH: `${dir}${delimiter}${process.env.PATH ?? ''}`, STACKBENCH_PYTHON: '' };
      // Made sure, through stackbench's own probe: the fake is first on PATH, runs, and has none of the packages.
      const first = spawnSync('sh', ['-c', 'command -v python3'], { env: { ...process.env, ...env } });
      assert.equal(first.stdout.toString().trim(), fake.script);
      const probed = probePython(fake.script);
      assert.ok(probed, `${fake.script} (${fake.runs}) does not run`);
      assert.deepEqual(
        PY_REQUIRED.filter((n) => probed.packages[n]),
        [],
        `${fake.runs} imports some of the stacks' packages`,
      );

      const setup = await runCli(['setup', '--yes'], env);
      assert.equal(setup.code, 0, setup.stdout + setup.stderr);
      assert.match(
        setup.stdout,
        /^Python: \/usr\/bin\/python3 \(3\.\d+\.\d+\) has every package the stacks need$/m,
      );
      // ...and says plainly that the first python3 on PATH is not the one, and why.
      const note = setup.stdout.split('\n').find((l) => l.includes(`python3 on PATH is ${fake.script}`));
      assert.ok(note, setup.stdout);
      assert.match(
        note,
        new RegExp(`lacks ${PY_REQUIRED.length} of the packages .*stacks use /usr/bin/python3`),
      );

      const doctor = await runCli(['doctor', '--json'], env);
      const d = JSON.parse(doctor.stdout) as {
        python: { path: string; complete: boolean } | null;
        pythonCandidates: Array<{ path: string; source: string; runs: boolean; missing: string[] }>;
        gaps: Array<{ what: string }>;
      };
      assert.equal(d.python?.path, SYSTEM);
      assert.equal(d.python?.complete, true);
      const onPath = d.pythonCandidates.find((c) => c.source === 'python3 on PATH');
      assert.equal(onPath?.path, fake.script);
      assert.equal(onPath?.runs, true);
      assert.deepEqual(onPath?.missing, PY_REQUIRED);
      // setup exited 0: nothing the stacks or the lab need is missing, and doctor agrees.
      assert.deepEqual(d.gaps, []);
      assert.equal(doctor.code, 0);

      const stacks = await runCli(['stacks', '--json'], env);
      assert.equal(stacks.code, 0, stacks.stderr);
      const s = JSON.parse(stacks.stdout) as {
        python: { path: string } | null;
        stacks: Array<{ id: string; available: boolean; versions: Record<string, string> }>;
      };
      assert.equal(s.python?.path, SYSTEM);
      for (const st of s.stacks.filter((x) => PYTHON_STACKS.includes(x.id))) {
        assert.equal(st.available, true, st.id);
        assert.equal(st.versions.python, SYSTEM, st.id);
      }

      const out = join(dir, 'out');
      const run = await runCli(
        [
          'run',
          '--stacks',
          'flask-gunicorn,node-http',
          '--workloads',
          'json',
          '--reps',
          '1',
          '-d',
          '200ms',
          '--probes',
          '0',
          '--scaling',
          'off',
          '--out',
          out,
        ],
        env,
      );
      assert.equal(run.code, 0, run.stderr);
      const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
      assert.match(res.machine.python ?? '', /\(\/usr\/bin\/python3\)$/);
      const flask = res.stacks.find((x) => x.id === 'flask-gunicorn');
      assert.equal(flask?.versions.python, SYSTEM);
      const measured = res.points.filter((p) => p.stack === 'flask-gunicorn' && p.workload === 'json');
      assert.ok(measured.length >= 1, 'flask-gunicorn was measured on json');
      assert.ok(measured.every((p) => p.rps > 0 && p.errorRate === 0));
      for (const r of [setup, doctor, stacks, run]) assert.deepEqual(leftovers(r.runId), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('a stack whose packages are missing is not available, with the exact command; the others are', async () => {
  // An interpreter that lacks gevent only: Debian's, with a gevent that refuses to import first on its path.
  const dir = mkdtempSync(join(tmpdir(), 'sb-setup-'));
  try {
    const block = join(dir, 'block', 'gevent');
    mkdirSync(block, { recursive: true });
    writeFileSync(join(block, '__init__.py'), 'raise ImportError("gevent withheld by the test")\n');
    const py = join(dir, 'python3');
    writeFileSync(py, `#!/bin/sh\nPYTHONPATH=${join(dir, 'block')} exec ${SYSTEM} "$@"\n`, { mode: 0o755 });

    const stacks = await runCli(['stacks', '--json'], { STACKBENCH_PYTHON: py });
    assert.equal(stacks.code, 0, stacks.stderr);
    const s = JSON.parse(stacks.stdout) as {
      python: { path: string; complete: boolean } | null;
      stacks: Array<{ id: string; available: boolean; missing?: string; fix?: string }>;
    };
    assert.equal(s.python?.path, py);
    assert.equal(s.python?.complete, false);
    for (const st of s.stacks) {
      if (st.id !== 'flask-gevent') {
        assert.equal(st.available, true, `${st.id}: ${st.missing}`);
        continue;
      }
      assert.equal(st.available, false);
      assert.equal(st.missing, `${py} lacks gevent`);
      // Not Debian's interpreter, so pip into it (Debian's own gets apt-get: see the unit test).
      assert.equal(st.fix, `${py} -m pip install gevent`);
    }

    // Named explicitly, it is bad input with the same command; doctor names it as the one gap of Python.
    const verify = await runCli(['verify', '--stacks', 'flask-gevent'], { STACKBENCH_PYTHON: py });
    assert.equal(verify.code, 2);
    assert.ok(verify.stderr.includes(`(fix: ${py} -m pip install gevent)`), verify.stderr);
    const doctor = await runCli(['doctor', '--json'], { STACKBENCH_PYTHON: py });
    const d = JSON.parse(doctor.stdout) as { gaps: Array<{ what: string; fix: string }> };
    assert.deepEqual(d.gaps, [
      { what: `${py} (${versionOf(py)}) lacks gevent`, fix: `${py} -m pip install gevent` },
    ]);
    assert.equal(doctor.code, 1);
    for (const r of [stacks, verify, doctor]) assert.deepEqual(leftovers(r.runId), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function versionOf(py: string): string {
  return spawnSync(py, ['-c', 'import sys; print(sys.version.split()[0])'], {
    encoding: 'utf8',
  }).stdout.trim();
}
