// Child processes of a run: every one is started in its own process group, pinned to its CPU set, tied to our
// life (setpriv --pdeathsig, so even a SIGKILL of stackbench takes its direct children down), tagged with
// STACKBENCH_RUN_ID, and registered so that cleanupAll() stops every group on exit, Ctrl-C, crash or timeout.
// Importing this module changes nothing in the process (stackbench is also a library, src/index.ts): the exit
// hook is armed by the first child started, a signal backstop while children live; the CLI's Ctrl-C handling is
// installed by the CLI itself (handleSignals()).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { liveMembers } from '../probes/proc.js';

export const RUN_ID = process.env.STACKBENCH_RUN_ID ?? randomUUID();

/** Whether a helper program runs here; asked once, on first use (not at import). */
const tools = new Map<string, boolean>();
function has(cmd: string, arg: string): boolean {
  let ok = tools.get(cmd);
  if (ok === undefined) {
    ok = spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
    tools.set(cmd, ok);
  }
  return ok;
}

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
  /**
   * A protocol on stdin/stdout (an agent, src/dist): stdin is a pipe (child.stdin), and stdout is left to the
   * caller instead of being kept as log lines (stderr still is).
   */
  protocol?: boolean;
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
  armExitHooks();
  let argv = [spec.cmd, ...spec.args];
  if (spec.wrap) argv = spec.wrap(argv);
  if (spec.cpus?.length && has('taskset', '-V')) argv = ['taskset', '-c', spec.cpus.join(','), ...argv];
  if (has('setpriv', '--help')) {
    const who = spec.user ? [`--reuid=${spec.user}`, `--regid=${spec.user}`, '--init-groups'] : [];
    argv = ['setpriv', ...who, '--pdeathsig', 'TERM', '--', ...argv];
  } else if (spec.user) {
    argv = ['runuser', '-u', spec.user, '--', ...argv];
  }
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env, STACKBENCH_RUN_ID: RUN_ID },
    detached: true, // own process group: one kill reaches every worker it forks
    stdio: [spec.protocol ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > LOG_LINES) lines.shift();
    }
  };
  if (!spec.protocol) child.stdout!.on('data', keep);
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
  if (m.pid > 0) {
    live.add(m);
    armBackstop();
  }
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
  if (live.size === 0) disarmBackstop();
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

/**
 * The exit hook: every group still registered gets SIGKILL when the process exits, whoever made it exit.
 * Installed once, by the first start() (or by a module that must run its own hook after this one: cgroup.ts), so
 * that a host application importing the library gets no handler it did not cause.
 */
let exitHooked = false;
export function armExitHooks(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', killAllNow);
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * A host with no handler of its own for a signal dies by the default action, and Node runs no exit hook then:
 * our children would outlive it (setpriv's parent-death signal reaches only the direct children, not the workers
 * they fork). So while children are alive and this is a signal's only listener, the signal kills every group and
 * is raised again with the default action restored: the host dies as it would have. A host (or the CLI) with its
 * own handler decides for itself; this one stays out of it. Armed by start(), disarmed when the last group stops.
 */
let backstopArmed = false;
function armBackstop(): void {
  if (backstopArmed) return;
  backstopArmed = true;
  for (const sig of SIGNALS) process.on(sig, backstop);
}

function disarmBackstop(): void {
  if (!backstopArmed) return;
  backstopArmed = false;
  for (const sig of SIGNALS) process.removeListener(sig, backstop);
}

function backstop(sig: NodeJS.Signals): void {
  if (process.listenerCount(sig) > 1) return;
  killAllNow();
  disarmBackstop();
  process.kill(process.pid, sig);
}

/**
 * Ctrl-C / SIGTERM: the first aborts the current work (callers see `interrupt.signal.aborted` and stop
 * cleanly, keeping what was measured); a second one kills everything at once. Installed by the CLI
 * (handleSignals), never by importing this module.
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

/** The CLI's signal handling (above) and the exit hook: for the `stackbench` process only. */
export function handleSignals(): void {
  armExitHooks();
  for (const sig of SIGNALS) process.on(sig, onSignal);
}
