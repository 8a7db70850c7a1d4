// The kernel's per-core time accounting (/proc/stat): what the server cores spent busy, and what the hypervisor
// took (steal) or interrupts cost (softirq) while a probe ran. A probe whose cores lost time to steal is
// measuring the neighbour, not the stack.
import { readFileSync } from 'node:fs';

export interface CoreTimes {
  /** Clock ticks (USER_HZ, 100/s) summed over the cores asked for. */
  total: number;
  idle: number;
  steal: number;
  softirq: number;
}

/** The ticks of the given cores so far (all of them when none are named). */
export function coreTimes(cpus: readonly number[] = [], text?: string): CoreTimes {
  const out = { total: 0, idle: 0, steal: 0, softirq: 0 };
  for (const line of (text ?? readFileSync('/proc/stat', 'utf8')).split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m || (cpus.length && !cpus.includes(Number(m[1])))) continue;
    // user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
    const f = m[2]!.trim().split(/\s+/).map(Number);
    out.total += f.slice(0, 8).reduce((a, b) => a + b, 0);
    out.idle += f[3]! + f[4]!;
    out.softirq += f[6]!;
    out.steal += f[7]!;
  }
  return out;
}

/** What happened between two readings: busy seconds, and steal and softirq as shares of the window. */
export function coreDelta(
  a: CoreTimes,
  b: CoreTimes,
): { busySeconds: number; steal: number; softirq: number } {
  const total = b.total - a.total;
  const share = (x: number) => (total > 0 ? Math.max(0, Math.min(1, x / total)) : 0);
  return {
    busySeconds: (total - (b.idle - a.idle) - (b.steal - a.steal)) / 100,
    steal: share(b.steal - a.steal),
    softirq: share(b.softirq - a.softirq),
  };
}
