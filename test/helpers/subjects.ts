// Plumbing shared by the tests that start the reference servers directly: ports, exits, children, and the
// lab's own argv for the Python stacks (from the stack registry, so the tests run exactly what the lab runs).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { STACKS, type StackId } from '../../src/stacks/registry.js';

export { freePort } from '../../src/stacks/net.js';

export type PythonStackId = Extract<
  StackId,
  'flask-gunicorn' | 'flask-gevent' | 'django-gunicorn' | 'django-asgi' | 'fastapi-uvicorn'
>;

/** The argv the lab starts a Python stack with (after the interpreter), cwd servers/python. */
export function pythonArgv(id: PythonStackId, port: number, workers: number): string[] {
  return STACKS[id].launch(port, workers).args;
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
