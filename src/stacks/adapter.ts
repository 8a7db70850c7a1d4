// Start a stack on a port and CPU set, wait until it answers, and stop its whole process tree.
import { resolve } from 'node:path';
import { SHARED } from '../paths.js';
import { start, type Managed } from '../machine/process.js';
import { waitAllInstances, waitReady } from '../machine/net.js';
import { availability, type StackDef, type StackId } from './registry.js';

const STOP_GRACE_MS = 2000;

export interface RunningStack {
  id: StackId;
  def: StackDef;
  port: number;
  workers: number;
  cpus: number[];
  proc: Managed;
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  cpus: number[];
  /** Override the instance rule (scaling runs). */
  workers?: number;
  /** STACKBENCH_PG, STACKBENCH_DOWNSTREAM from the lab. */
  env?: Record<string, string>;
  signal?: AbortSignal;
  readyTimeoutMs?: number;
  /** Wraps the command (a CPU budget's cgroup entry). */
  wrap?: (argv: string[]) => string[];
  /** The CPU budget in cores when it is not the pinned cores (a quota): sizes the BLAS threads. */
  budgetCores?: number;
}

export async function startStack(def: StackDef, opts: StartOptions): Promise<RunningStack> {
  const id = def.id;
  const avail = availability(def);
  const workers = opts.workers ?? def.workers(opts.cpus.length);
  const launch = def.launch(opts.port, workers, avail.python?.path);
  const proc = start({
    name: id,
    cmd: launch.cmd,
    args: launch.args,
    cwd: launch.cwd,
    env: {
      ...launch.env,
      STACKBENCH_SHARED: resolve(SHARED),
      // NumPy's BLAS threads follow the stack's CPU budget: its cores shared among its worker processes.
      STACKBENCH_BLAS_THREADS: String(
        Math.max(1, Math.floor((opts.budgetCores ?? opts.cpus.length) / workers)),
      ),
      ...opts.env,
    },
    cpus: opts.cpus,
    wrap: opts.wrap,
  });
  try {
    const wait = { timeoutMs: opts.readyTimeoutMs ?? 30_000, signal: opts.signal };
    await waitReady(proc, opts.port, def.user?.readyPath ?? '/json', wait);
    // Every worker up is checked on /io; a user's stack without /io is ready when it answers.
    if (workers > 1 && (!def.user || def.user.implements.includes('io')))
      await waitAllInstances(proc, opts.port, workers, wait);
  } catch (e) {
    await proc.stop(2000);
    throw e;
  }
  // 2 s to stop gracefully, then SIGKILL: nothing is measured any more, and gunicorn's gevent workers wait for
  // open sockets up to graceful_timeout (a quick run spent ~5 s on each such stop at the 5 s default).
  return { id, def, port: opts.port, workers, cpus: opts.cpus, proc, stop: () => proc.stop(STOP_GRACE_MS) };
}
