// Plumbing shared by the tests that start the reference servers directly: ports, exits, children, and the
// lab's own argv for the Python stacks (from the stack registry, so the tests run exactly what the lab runs).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { STACKS, type BuiltinStackId } from '../../src/stacks/registry.js';
import { pythonFix } from '../../src/stacks/python.js';

export { freePort } from '../../src/machine/net.js';

export type PythonStackId = Extract<
  BuiltinStackId,
  'flask-gunicorn' | 'flask-gevent' | 'django-gunicorn' | 'django-asgi' | 'fastapi-uvicorn'
>;

/** The argv the lab starts a Python stack with (after the interpreter), cwd servers/python. */
export function pythonArgv(id: PythonStackId, port: number, workers: number): string[] {
  return STACKS[id].launch(port, workers).args;
}

/**
 * Throws (the test fails, it is not skipped) when /usr/bin/python3 lacks a package the stack needs, naming
 * the command that installs it.
 */
export function assertPythonStack(id: PythonStackId, extra: string[] = []): void {
  const needed = [...(STACKS[id].pyPackages ?? []), ...extra];
  const probe = spawnSync(
    '/usr/bin/python3',
    ['-c', 'import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)', ...needed],
    { encoding: 'utf8' },
  );
  if (probe.status === 0) return;
  const missing = needed.filter(
    (m) => spawnSync('/usr/bin/python3', ['-c', `import ${m}`], { encoding: 'utf8' }).status !== 0,
  );
  throw new Error(
    `${id} needs ${missing.join(', ') || needed.join(', ')}: ${pythonFix(missing.length ? missing : needed)}`,
  );
}

/** Resolves with the exit code (or signal) of the child, or 'timeout'. */
export function exited(child: ChildProcess, timeoutMs: number): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode ?? child.signalCode);
  }
  return new Promise((res) => {
    const timer = setTimeout(() => res('timeout'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      res(code ?? signal);
    });
  });
}

export function childPids(pid: number): number[] {
  const out = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
