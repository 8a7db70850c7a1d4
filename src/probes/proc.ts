// Reading /proc: the processes of one process group, with their state and CPU ticks.
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcEntry {
  pid: number;
  /** R, S, D, Z (zombie), ... */
  state: string;
  /** user + system CPU, in clock ticks. */
  cpuTicks: number;
}

export function scanGroup(pgid: number): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // comm (field 2) may hold spaces and parentheses: split after the last ')'. Then [0] is field 3 (state),
    // [2] field 5 (pgrp), [11] and [12] fields 14 and 15 (utime, stime).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) !== pgid) continue;
    out.push({ pid: Number(name), state: f[0]!, cpuTicks: Number(f[11]) + Number(f[12]) });
  }
  return out;
}

/** Running members: zombies do not count (where PID 1 does not reap orphans, they stay forever). */
export function liveMembers(pgid: number): ProcEntry[] {
  return scanGroup(pgid).filter((p) => p.state !== 'Z' && p.state !== 'X');
}
