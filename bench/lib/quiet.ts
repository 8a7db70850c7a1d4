// Other work on the benchmark's cores: on a shared machine a run can lose its core to someone else's test, and a
// closed-loop figure then measures the neighbour. Each core's busy time comes from /proc/stat; what the benchmark's
// own processes used is subtracted (the caller knows it per core: a server's cgroup or process group, the
// generator as a reaped child of this process); the rest is "foreign" CPU, in cores, averaged over the window.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export interface CoreSample {
  at: number;
  /** Busy seconds per core since boot (user, nice, system, irq, softirq, steal). */
  busy: number[];
  /** CPU seconds of this process's reaped children (cutime + cstime): a finished generator run. */
  children: number;
}

export function sampleCores(): CoreSample {
  const busy: number[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const [user, nice, system, , , irq, softirq, steal] = m[2]!.split(' ').map(Number);
    busy[Number(m[1])] = (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / TICKS;
  }
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the comm's ')': [13] and [14] are fields 16 and 17 (cutime, cstime).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { at: performance.now(), busy, children: (Number(f[13]) + Number(f[14])) / TICKS };
}

/** Cores of other work on each listed core between two samples, given the seconds our processes used there. */
export function foreignCores(a: CoreSample, b: CoreSample, ours: Map<number, number>): Map<number, number> {
  const wall = (b.at - a.at) / 1000;
  const out = new Map<number, number>();
  for (const [core, used] of ours) {
    const busy = (b.busy[core] ?? 0) - (a.busy[core] ?? 0);
    out.set(core, Math.max(0, busy - used) / wall);
  }
  return out;
}

/** The generator's CPU seconds between two samples (it ran as a child of this process and was reaped). */
export function childSeconds(a: CoreSample, b: CoreSample): number {
  return b.children - a.children;
}

/** The runs a figure is made of: those without other work when there are any, else all of them. */
export function quietRuns<T extends { foreign: number }>(runs: T[], max: number): T[] {
  const clean = runs.filter((r) => r.foreign <= max);
  return clean.length ? clean : runs;
}

/** "2/3": runs without other work, of all runs; "0/3 (noisy)" when none was. */
export function quietCount(runs: Array<{ foreign: number }>, max: number): string {
  const clean = runs.filter((r) => r.foreign <= max).length;
  return `${clean}/${runs.length}${clean ? '' : ' (noisy)'}`;
}
