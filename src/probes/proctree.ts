// Server cost: CPU seconds and memory of a stack's whole process tree (its process group: the master and
// every worker it forked), read from /proc. Memory is PSS (shared pages split among the processes that share
// them), so a pre-fork server's workers are not counted as copies of each other; RSS where PSS is unreadable.
import { readFileSync } from 'node:fs';
import { liveMembers } from './proc.js';
import { spawnSync } from 'node:child_process';

/** A getconf value, asked on first use (importing the library runs no program). */
const conf = new Map<string, number>();
function getconf(name: string, fallback: number): number {
  let v = conf.get(name);
  if (v === undefined) {
    v = Number(spawnSync('getconf', [name], { encoding: 'utf8' }).stdout?.trim()) || fallback;
    conf.set(name, v);
  }
  return v;
}
const clockTick = () => getconf('CLK_TCK', 100);

function memoryBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    /* fall through to RSS */
  }
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * getconf('PAGESIZE', 4096);
  } catch {
    return 0;
  }
}

export interface TreeUsage {
  cpuSeconds: number;
  peakMiB: number;
  processes: number;
}

/**
 * Sample a process group while a point runs. CPU is the difference of the group's ticks between start and
 * stop (per pid, so a worker that appears mid-point counts from zero); memory is the peak of the sampled sum.
 */
export function sampleTree(pgid: number, intervalMs = 200): { stop(): TreeUsage } {
  const startTicks = new Map<number, number>();
  for (const p of liveMembers(pgid)) startTicks.set(p.pid, p.cpuTicks);
  let peak = 0;
  const sample = () => {
    let sum = 0;
    for (const p of liveMembers(pgid)) sum += memoryBytes(p.pid);
    peak = Math.max(peak, sum);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const procs = liveMembers(pgid);
      let ticks = 0;
      for (const p of procs) ticks += p.cpuTicks - (startTicks.get(p.pid) ?? 0);
      return { cpuSeconds: ticks / clockTick(), peakMiB: peak / 2 ** 20, processes: procs.length };
    },
  };
}

/**
 * Wait until the group is idle: at most 10 % of the CPU it may use (`cores`) over a window of 50 ms / cores. A closed-loop run that ends
 * leaves up to `connections` requests queued in the server, which it keeps working on after the client has
 * gone; the next point must not pay for them. Returns the time waited, or -1 when it never settled.
 */
export async function waitIdle(pgid: number, maxMs = 10_000, cores = 1): Promise<number> {
  // Idle: under a tenth of the CPU it may use, over a window long enough to see it. A process held to an
  // eighth of a core (a CPU quota) that is still busy uses ~6 ms in 50 ms, often no 10 ms tick at all: it
  // would pass for idle. Its window grows as its budget shrinks (400 ms at 0.125 core: ~5 ticks when busy).
  const windowMs = Math.min(500, 50 / Math.min(1, Math.max(cores, 0.01)));
  const limit = 0.1 * Math.min(1, cores) * (windowMs / 1000);
  const t0 = Date.now();
  const ticks = () => liveMembers(pgid).reduce((sum, p) => sum + p.cpuTicks, 0);
  let before = ticks();
  while (Date.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = ticks();
    if ((now - before) / clockTick() <= limit) return Date.now() - t0;
    before = now;
  }
  return -1;
}

/** CPU seconds the live members of a process group have used so far (a running total, for deltas). */
export function groupCpuSeconds(pgid: number): number {
  return liveMembers(pgid).reduce((a, p) => a + p.cpuTicks, 0) / clockTick();
}
