// The TCP ports a process group listens on, from /proc: each member's socket inodes (/proc/PID/fd) matched to
// the LISTEN entries of /proc/net/tcp and tcp6. For the message "listens on 3000, not on the port it was given".
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { liveMembers } from './proc.js';

function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** Ports (sorted, unique) that members of the group listen on. */
export function listeningPorts(pgid: number): number[] {
  const inodes = new Set<string>();
  for (const p of liveMembers(pgid)) for (const i of socketInodes(p.pid)) inodes.add(i);
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    // sl local_address rem_address st ... inode: st 0A is LISTEN, local_address is HEXADDR:HEXPORT.
    for (const line of text.trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A' || !inodes.has(f[9]!)) continue;
      ports.add(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}
