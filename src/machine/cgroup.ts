// CPU budgets by cgroup: a replica gets a CFS bandwidth limit (quota per period) exactly as a container
// orchestrator applies one — cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us, cgroup v2 cpu.max. Each budget is
// a run-scoped group, stackbench-<RUN_ID>-pid<OWNER>-<START>/<name>: the owner's pid and start time are in the
// name (cgroupfs holds no files of ours), so a later run can tell a dead owner's groups from a live one's.
// A process enters its group before its first instruction (argvPrefix), so every worker it forks is inside.
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { armExitHooks, RUN_ID } from './process.js';

export type CgroupKind = 'v1' | 'v2';

/**
 * The CFS period budgets use unless told otherwise: 100 ms, the kernel's, Docker's and the kubelet's default
 * (bench/cpu-quota.ts measures 10 and 20 ms against it; docs/ARCHITECTURE.md "Decisions" says why 100 ms).
 */
export const DEFAULT_PERIOD_US = 100_000;

/** Where budgets are made: the cpu controller's hierarchy, and (v1) the one that counts CPU time. */
export interface CpuController {
  kind: CgroupKind;
  /** The cpu hierarchy's root as this process sees it (its mount point). */
  cpuRoot: string;
  /** v1: the cpuacct hierarchy's root (the same folder when co-mounted), or null when it is not mounted. */
  acctRoot: string | null;
}

export type CgroupSupport =
  { ok: true; controller: CpuController } | { ok: false; reason: string; fix: string };

/** Budgets cannot be made here: `reason` says why in one line, `fix` what would make them possible. */
export class CgroupError extends Error {
  readonly reason: string;
  readonly fix: string;
  constructor(reason: string, fix: string, what = 'CPU budgets unavailable') {
    super(`${what}: ${reason} — ${fix}`);
    this.name = 'CgroupError';
    this.reason = reason;
    this.fix = fix;
  }
}

const FIX_ROOT = 'run stackbench as root (CI does), or inside a cgroup delegated to this user';

interface Mount {
  point: string;
  options: string[];
  fstype: string;
  superOptions: string[];
}

// mountinfo: "ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS" (proc(5)).
// Paths escape space, tab, newline and backslash as octal.
function parseMountinfo(text: string): Mount[] {
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (dash < 6 || f.length < dash + 4) continue;
    mounts.push({
      point: unescape(f[4]!),
      options: f[5]!.split(','),
      fstype: f[dash + 1]!,
      superOptions: f[dash + 3]!.split(','),
    });
  }
  return mounts;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Is there a cpu controller we may write? v1: a mounted hierarchy with the cpu controller (alone or co-mounted
 * as cpu,cpuacct); v2: the unified hierarchy offering "cpu" in cgroup.controllers. Never throws: a missing
 * controller, a read-only mount or missing permission comes back as a reason. `from` replaces what is read
 * from /proc (for tests).
 */
export function cgroupSupport(from: { mountinfo?: string; uid?: number } = {}): CgroupSupport {
  const text = from.mountinfo ?? readText('/proc/self/mountinfo');
  if (text === undefined) {
    return {
      ok: false,
      reason: 'cannot read /proc/self/mountinfo (cgroups are a Linux feature)',
      fix: 'run on Linux',
    };
  }
  const mounts = parseMountinfo(text);
  const v1cpu = mounts.find((m) => m.fstype === 'cgroup' && m.superOptions.includes('cpu'));
  const v1acct = mounts.find((m) => m.fstype === 'cgroup' && m.superOptions.includes('cpuacct'));
  let mount: Mount | undefined = v1cpu;
  let kind: CgroupKind = 'v1';
  if (!mount) {
    const v2 = mounts.filter((m) => m.fstype === 'cgroup2');
    mount = v2.find((m) =>
      (readText(join(m.point, 'cgroup.controllers')) ?? '').split(/\s+/).includes('cpu'),
    );
    kind = 'v2';
    if (!mount) {
      const where = v2.length
        ? `the unified hierarchy at ${v2.map((m) => m.point).join(', ')} does not offer the cpu controller`
        : 'no cgroup hierarchy with the cpu controller is mounted';
      return {
        ok: false,
        reason: `no cgroup cpu controller: ${where}`,
        fix: 'mount one (cgroup v1 "cpu" or cgroup v2 with "cpu" in cgroup.controllers); in a container, give it a writable cgroup (docker run --privileged or --cgroupns=private)',
      };
    }
  }
  if (mount.options.includes('ro') || mount.superOptions.includes('ro')) {
    return {
      ok: false,
      reason: `the cgroup ${kind} cpu hierarchy at ${mount.point} is mounted read-only`,
      fix: 'remount it read-write; in a container: docker run --privileged, or a writable cgroup mount',
    };
  }
  const uid = from.uid ?? process.getuid?.() ?? -1;
  try {
    accessSync(mount.point, constants.W_OK);
  } catch (e) {
    return {
      ok: false,
      reason: `not permitted to create cgroups under ${mount.point} (uid ${uid}: ${(e as NodeJS.ErrnoException).code})`,
      fix: FIX_ROOT,
    };
  }
  const acctRoot = kind === 'v2' ? mount.point : (v1acct?.point ?? null);
  return { ok: true, controller: { kind, cpuRoot: mount.point, acctRoot } };
}

/** What a failed cgroupfs write means, in words. */
function failure(e: unknown, what: string): CgroupError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const msg = (e as Error).message;
  if (code === 'EACCES' || code === 'EPERM')
    return new CgroupError(`not permitted to ${what} (${code})`, FIX_ROOT);
  if (code === 'EROFS')
    return new CgroupError(`cannot ${what}: the cgroup file system is read-only`, FIX_ROOT);
  if (code === 'EBUSY' && what.includes('subtree_control')) {
    return new CgroupError(
      `cannot ${what}: the parent group holds processes (cgroup v2 "no internal processes" rule)`,
      'run stackbench from a cgroup whose parent has the cpu controller enabled, e.g. a delegated systemd scope',
    );
  }
  return new CgroupError(
    `cannot ${what}: ${msg}`,
    'see the kernel message above; `stackbench doctor` checks the machine',
  );
}

function write(path: string, value: string, what: string): void {
  try {
    writeFileSync(path, value);
  } catch (e) {
    throw failure(e, `${what} (${path})`);
  }
}

function mkdirOnce(path: string): void {
  try {
    mkdirSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw failure(e, `create ${path}`);
  }
}

/** Owner identity: pid plus its start time (clock ticks after boot), so a reused pid is not taken for it. */
function startTicks(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // Fields after the comm's closing parenthesis: [0] is field 3 (state), [19] field 22 (starttime).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (f[0] === 'Z' || f[0] === 'X') return undefined;
  return Number(f[19]);
}

const RUN_GROUP = /^stackbench-(.+)-pid(\d+)-(\d+)$/;

function runGroupName(): string {
  const owner = process.pid;
  const safeRun = RUN_ID.replace(/[^A-Za-z0-9_-]/g, '_');
  return `stackbench-${safeRun}-pid${owner}-${startTicks(owner) ?? 0}`;
}

export interface CpuBudgetStats {
  /** CPU time the group used, µs (v1: cpuacct.usage; null when no cpuacct hierarchy is mounted). */
  usageUs: number | null;
  /** Enforcement periods that had runnable tasks, and how many of them ran out of quota. */
  nrPeriods: number;
  nrThrottled: number;
  /** Total time the group's tasks were held back by the quota, µs. */
  throttledUs: number;
}

export interface CpuBudget {
  name: string;
  /** The group in the cpu hierarchy. */
  path: string;
  kind: CgroupKind;
  /** quotaUs / periodUs = cores; quotaUs is null when unlimited (setQuota('max')). */
  quotaUs: number | null;
  periodUs: number;
  /** argv that enters the group, then execs `argv`: the process and everything it forks run inside. */
  argvPrefix(argv: string[]): string[];
  /** Change the limit of a live group (cores: a fraction of one core, or 'max' for no limit). */
  setQuota(cores: number | 'max', periodUs?: number): void;
  stats(): CpuBudgetStats;
  /** Processes in the group now. */
  pids(): number[];
  /** Waits (up to timeoutMs) until the group is empty, then removes it; throws CgroupError naming the pids left. */
  remove(opts?: { timeoutMs?: number }): Promise<void>;
}

export interface BudgetSpec {
  /** The group's name inside the run's group: 1..64 of [A-Za-z0-9_.-]. */
  name: string;
  /** Cores as a fraction (0.25 = a quarter of one core; 2 = two cores). */
  cores: number;
  /** CFS period in µs (1000..1000000); default DEFAULT_PERIOD_US. */
  periodUs?: number;
}

function checkPeriod(periodUs: number): void {
  if (!Number.isInteger(periodUs) || periodUs < 1000 || periodUs > 1_000_000) {
    throw new RangeError(`CFS period must be an integer 1000..1000000 µs (got ${periodUs})`);
  }
}

/** The quota for `cores` of a period, within the kernel's limits (1 ms .. 1 s periods, quota >= 1 ms). */
function limits(cores: number, periodUs: number): number {
  checkPeriod(periodUs);
  if (!(cores > 0) || !Number.isFinite(cores)) throw new RangeError(`cores must be > 0 (got ${cores})`);
  const quotaUs = Math.round(cores * periodUs);
  if (quotaUs < 1000) {
    throw new RangeError(
      `quota ${quotaUs} µs (${cores} x ${periodUs} µs) is below the kernel's 1 ms minimum: use a longer period`,
    );
  }
  return quotaUs;
}

const readNum = (path: string) => Number((readText(path) ?? '').trim());

function readPids(dir: string): number[] {
  return (readText(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number);
}

function statFields(path: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (readText(path) ?? '').split('\n')) {
    const [k, v] = line.split(' ');
    if (k && v !== undefined) out.set(k, Number(v));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Budgets of this process, removed on exit. The process plumbing's exit handler (armed first: see hookExit) has
 * just sent SIGKILL to every child group; the kernel takes a moment to empty the groups, so wait for that,
 * briefly and synchronously (an exit handler cannot await). What is left is for cleanupStaleBudgets() of a later
 * run.
 */
const mine = new Set<string[]>();
function removeMine(): void {
  const deadline = Date.now() + 500;
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (const dirs of mine) {
    while (!dirs.every(rmdirQuiet) && Date.now() < deadline) Atomics.wait(tick, 0, 0, 10);
  }
}

/** Armed by the first budget, not at import; after process.ts's hook, so the groups are being emptied first. */
let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  armExitHooks();
  process.on('exit', removeMine);
}

function rmdirQuiet(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Create a budget: a group stackbench-<RUN_ID>-pid<P>-<T>/<name> with quota = cores x period. v1 with a separate
 * cpuacct hierarchy gets a twin group there, so usage is counted; v2 enables +cpu in the parents'
 * cgroup.subtree_control where needed. Throws CgroupError (with the reason) when cgroups cannot be written.
 */
/** Where a budget's files are, once made: the group to limit, those to enter, those to remove after. */
interface Groups {
  path: string;
  /** Leaf groups a process must enter (cpu, and cpuacct when mounted apart). */
  leaves: string[];
  /** The run's groups, removed once their last budget is. */
  runs: string[];
  /** Where CPU time is counted (v1 without cpuacct: nowhere). */
  acctLeaf: string | null;
}

/** What differs between cgroup v1 and v2: making the groups, setting the limit, reading the counters. */
interface Layout {
  make(c: CpuController, run: string, name: string): Groups;
  apply(path: string, quota: number | null, period: number): void;
  stats(g: Groups): CpuBudgetStats;
}

const V2: Layout = {
  make(c, run, name) {
    const enable = (dir: string) => {
      const ctl = join(dir, 'cgroup.subtree_control');
      if (!(readText(ctl) ?? '').split(/\s+/).includes('cpu'))
        write(ctl, '+cpu', 'enable cpu in cgroup.subtree_control');
    };
    const cpuRun = join(c.cpuRoot, run);
    const path = join(cpuRun, name);
    enable(c.cpuRoot);
    mkdirOnce(cpuRun);
    enable(cpuRun);
    mkdirOnce(path);
    return { path, leaves: [path], runs: [cpuRun], acctLeaf: path };
  },
  apply(path, quota, period) {
    write(join(path, 'cpu.max'), `${quota ?? 'max'} ${period}`, 'set cpu.max');
  },
  stats(g) {
    const s = statFields(join(g.path, 'cpu.stat'));
    return {
      usageUs: s.get('usage_usec') ?? 0,
      nrPeriods: s.get('nr_periods') ?? 0,
      nrThrottled: s.get('nr_throttled') ?? 0,
      throttledUs: s.get('throttled_usec') ?? 0,
    };
  },
};

const V1: Layout = {
  make(c, run, name) {
    const cpuRun = join(c.cpuRoot, run);
    const path = join(cpuRun, name);
    mkdirOnce(cpuRun);
    mkdirOnce(path);
    const g: Groups = { path, leaves: [path], runs: [cpuRun], acctLeaf: c.acctRoot ? path : null };
    if (c.acctRoot && c.acctRoot !== c.cpuRoot) {
      const acctRun = join(c.acctRoot, run);
      mkdirOnce(acctRun);
      mkdirOnce(join(acctRun, name));
      g.leaves.push(join(acctRun, name));
      g.runs.push(acctRun);
      g.acctLeaf = join(acctRun, name);
    }
    return g;
  },
  apply(path, quota, period) {
    // Quota first to "unlimited", so that no intermediate (quota, period) pair is refused.
    write(join(path, 'cpu.cfs_quota_us'), '-1', 'set cpu.cfs_quota_us');
    write(join(path, 'cpu.cfs_period_us'), String(period), 'set cpu.cfs_period_us');
    if (quota !== null) write(join(path, 'cpu.cfs_quota_us'), String(quota), 'set cpu.cfs_quota_us');
  },
  stats(g) {
    const s = statFields(join(g.path, 'cpu.stat'));
    return {
      usageUs: g.acctLeaf ? readNum(join(g.acctLeaf, 'cpuacct.usage')) / 1000 : null,
      nrPeriods: s.get('nr_periods') ?? 0,
      nrThrottled: s.get('nr_throttled') ?? 0,
      throttledUs: (s.get('throttled_time') ?? 0) / 1000,
    };
  },
};

/** Wait until no task is left in the leaves, remove them, then the run's groups once they are empty. */
async function removeGroups(g: Groups, pids: () => number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids();
    // rmdir is the test: it fails with EBUSY while a task is still attached.
    if (left.length === 0 && g.leaves.every(rmdirQuiet)) break;
    if (Date.now() > deadline) {
      throw new CgroupError(
        `group ${g.path} still holds ${left.length ? `pids ${left.join(', ')}` : 'tasks'} after ${timeoutMs} ms`,
        'stop the processes started in the budget before removing it',
        'cannot remove a CPU budget',
      );
    }
    await sleep(20);
  }
  // The run's group goes once its last budget has (ENOTEMPTY/EBUSY while others remain).
  for (const d of g.runs) rmdirQuiet(d);
}

export function createCpuBudget(spec: BudgetSpec, support: CgroupSupport = cgroupSupport()): CpuBudget {
  if (!support.ok) throw new CgroupError(support.reason, support.fix);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(spec.name) || spec.name.startsWith('.')) {
    throw new RangeError(`budget name must be 1..64 of [A-Za-z0-9_.-] (got ${JSON.stringify(spec.name)})`);
  }
  const c = support.controller;
  const layout = c.kind === 'v2' ? V2 : V1;
  const periodUs = spec.periodUs ?? DEFAULT_PERIOD_US;
  const quotaUs: number | null = limits(spec.cores, periodUs);
  const g = layout.make(c, runGroupName(), spec.name);
  const dirs = [...g.leaves, ...g.runs];
  hookExit();
  mine.add(dirs);
  try {
    layout.apply(g.path, quotaUs, periodUs);
  } catch (e) {
    for (const d of dirs) rmdirQuiet(d);
    mine.delete(dirs);
    throw e;
  }
  const budget: CpuBudget = {
    name: spec.name,
    path: g.path,
    kind: c.kind,
    quotaUs,
    periodUs,
    argvPrefix(argv) {
      // $$ is the shell's pid, which exec hands to the program: it is in every group before it runs.
      const script = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
      const procs = g.leaves.map((d) => join(d, 'cgroup.procs'));
      return ['sh', '-c', script, 'stackbench-cgroup', ...procs, '--', ...argv];
    },
    setQuota(cores, period = budget.periodUs) {
      checkPeriod(period);
      const q = cores === 'max' ? null : limits(cores, period);
      layout.apply(g.path, q, period);
      budget.quotaUs = q;
      budget.periodUs = period;
    },
    stats: () => layout.stats(g),
    pids: () => [...new Set(g.leaves.flatMap(readPids))],
    async remove({ timeoutMs = 5000 } = {}) {
      await removeGroups(g, budget.pids, timeoutMs);
      mine.delete(dirs);
    },
  };
  return budget;
}

export interface StaleCleanup {
  /** Groups removed: earlier runs' whose owner process is gone. */
  removed: string[];
  /** stackbench groups left in place, and why (a live owner, or processes still inside). */
  kept: Array<{ path: string; why: string }>;
}

/**
 * Remove the budgets of earlier runs whose owner is gone (its pid has exited, or now belongs to a process that
 * started at another time) — and only those: a group of a live owner, or one that still holds processes, stays.
 * Processes are never killed here.
 */
export function cleanupStaleBudgets(support: CgroupSupport = cgroupSupport()): StaleCleanup {
  const out: StaleCleanup = { removed: [], kept: [] };
  if (!support.ok) return out;
  const c = support.controller;
  const roots = [c.cpuRoot, ...(c.acctRoot && c.acctRoot !== c.cpuRoot ? [c.acctRoot] : [])];
  for (const root of roots) {
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = RUN_GROUP.exec(name);
      if (!m) continue;
      const runDir = join(root, name);
      const pid = Number(m[2]);
      if (startTicks(pid) === Number(m[3])) {
        out.kept.push({ path: runDir, why: `owner pid ${pid} is alive` });
        continue;
      }
      let leaves: string[] = [];
      try {
        leaves = readdirSync(runDir, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(runDir, d.name));
      } catch {
        continue;
      }
      let clean = true;
      for (const leaf of leaves) {
        const left = readPids(leaf);
        if (left.length) {
          out.kept.push({
            path: leaf,
            why: `owner pid ${pid} is gone but pids ${left.join(', ')} are inside`,
          });
          clean = false;
        } else if (rmdirQuiet(leaf)) {
          out.removed.push(leaf);
        } else {
          clean = false;
        }
      }
      if (clean && rmdirQuiet(runDir)) out.removed.push(runDir);
    }
  }
  return out;
}
