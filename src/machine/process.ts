// Child processes of a run: every one is started in its own process group, pinned to its CPU set, tied to our
// life (setpriv --pdeathsig, so even a SIGKILL of stackbench takes its direct children down), tagged with
// STACKBENCH_RUN_ID, and registered so that cleanupAll() stops every group on exit, Ctrl-C, crash or timeout.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { liveMembers } from '../probes/proc.js';

export const RUN_ID = process.env.STACKBENCH_RUN_ID ?? randomUUID();

const hasSetpriv = spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

export interface StartSpec {
  name: string;
  cmd: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Cores to pin to (taskset -c). */
  cpus?: number[];
  /** Run as this user (root only): PostgreSQL refuses to run as root. */
  user?: string;
  /** Signal that asks for a graceful stop (PostgreSQL: SIGINT = fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** Wraps the command before pinning (a CPU budget's cgroup entry, src/machine/cgroup.ts argvPrefix). */
  wrap?: (argv: string[]) => string[];
}

export interface Managed {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last lines the process printed, for error messages. */
  log(): string[];
  exited: boolean;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Managed>();
const LOG_LINES = 40;

export function start(spec: StartSpec): Managed {
  let argv = [spec.cmd, ...spec.args];
  if (spec.wrap) argv = spec.wrap(argv);
  if (spec.cpus?.length && hasTaskset) argv = ['taskset', '-c', spec.cpus.join(','), ...argv];
  if (hasSetpriv) {
    const who = spec.user ? [`--reuid=${spec.user}`, `--regid=${spec.user}`, '--init-groups'] : [];
    argv = ['setpriv', ...who, '--pdeathsig', 'TERM', '--', ...argv];
  } else if (spec.user) {
    argv = ['runuser', '-u', spec.user, '--', ...argv];
  }
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env, STACKBENCH_RUN_ID: RUN_ID },
    detached: true, // own process group: one kill reaches every worker it forks
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > LOG_LINES) lines.shift();
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const m: Managed = {
    name: spec.name,
    child,
    pid: child.pid ?? -1,
    log: () => [...lines],
    exited: false,
    exitCode: null,
    exitSignal: null,
    stop: (graceMs = 5000) => stopGroup(m, spec.stopSignal ?? 'SIGTERM', graceMs),
  };
  child.on('error', (e) => {
    lines.push(`spawn error: ${e.message}`);
    m.exited = true;
  });
  child.on('exit', (code, signal) => {
    m.exited = true;
    m.exitCode = code;
    m.exitSignal = signal;
  });
  if (m.pid > 0) live.add(m);
  return m;
}

function groupAlive(pgid: number): boolean {
  return liveMembers(pgid).length > 0;
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* already gone */
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Graceful signal to the whole group, then SIGKILL after graceMs; resolves when no member is left. */
async function stopGroup(m: Managed, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  if (m.pid <= 0) return;
  signalGroup(m.pid, sig);
  const deadline = Date.now() + graceMs;
  while (groupAlive(m.pid) && Date.now() < deadline) await sleep(25);
  if (groupAlive(m.pid)) {
    signalGroup(m.pid, 'SIGKILL');
    const hard = Date.now() + 2000;
    while (groupAlive(m.pid) && Date.now() < hard) await sleep(25);
  }
  live.delete(m);
}

/** Stop every live process group (in reverse start order: servers before the database). */
export async function cleanupAll(graceMs = 3000): Promise<void> {
  const all = [...live].reverse();
  for (const m of all) await m.stop(graceMs);
}

/** Last resort when the event loop is about to die: no waiting possible. */
function killAllNow(): void {
  for (const m of live) if (m.pid > 0) signalGroup(m.pid, 'SIGKILL');
  live.clear();
}

process.on('exit', killAllNow);

/**
 * Ctrl-C / SIGTERM: the first aborts the current work (callers see `interrupt.signal.aborted` and stop
 * cleanly, keeping what was measured); a second one kills everything at once.
 */
export const interrupt = new AbortController();
let signals = 0;
function onSignal(sig: NodeJS.Signals) {
  signals++;
  if (signals === 1) {
    process.stderr.write(`\n${sig}: stopping (again to force)…\n`);
    interrupt.abort(new Error(sig));
    // If the work does not wind down in time, leave anyway.
    setTimeout(() => {
      void cleanupAll(1000).finally(() => process.exit(130));
    }, 15_000).unref();
  } else {
    killAllNow();
    process.exit(130);
  }
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
