// Hosts on one machine, for the distributed generator's tests and benchmark: P network namespaces, each with a
// veth pair into one bridge, their own addresses in 198.19.X.0/24 (RFC 2544's benchmarking range, 198.18.0.0/15),
// no route beyond the bridge. The bridge's address is the host side, where the target listens.
//   bridge  sb<tag>br   198.19.X.1/24, its alias the owner: sbt-<tag>-pid<P>-<T>
//   netns   sbt-<tag>-pid<P>-<T>-g<k>, veth sb<tag>h<k> (bridge side) / sb<tag>n<k> (inside), 198.19.X.(10+k)
// Everything is removed by remove(), on exit, and — when a run died before it could (SIGKILL) — by the next run:
// names carry the owner's pid and its start time, as the run-scoped cgroups do (src/machine/cgroup.ts), so only
// the leftovers of owners that are gone are removed.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface NetnsLab {
  /** The bridge's address: where a target on the host side listens. */
  hostAddress: string;
  /** The namespaces, and each one's address. */
  names: string[];
  addresses: string[];
  /** Each namespace's interface (inside it): where tc netem can delay its traffic. */
  interfaces: string[];
  bridge: string;
  /** Remove everything (idempotent, synchronous: also runs on exit). */
  remove(): void;
}

const OWNED = /^sbt-([0-9a-f]{6})-pid(\d+)-(\d+)(-g\d+)?$/;

function ip(args: string[], check = true): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`ip ${args.join(' ')}: ${r.error.message} (apt-get install iproute2)`);
  if (check && r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** A process's start time in clock ticks after boot (/proc/PID/stat field 22); undefined when it is gone. */
function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[0] === 'Z' || f[0] === 'X' ? undefined : f[19];
  } catch {
    return undefined;
  }
}

const ownerAlive = (pid: string, ticks: string) => startTicks(Number(pid)) === ticks;

/** Why these tests cannot run here, or undefined: they need root and iproute2 (CI runs as root). */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root: run the tests as root (CI does)';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error) return 'the ip command is missing: apt-get install iproute2';
  if (r.status !== 0) return `ip netns does not work here: ${r.stderr.trim()}`;
  return undefined;
}

export function listNetns(): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
}

/** Processes inside a namespace (ip netns pids). */
export function netnsPids(name: string): number[] {
  return ip(['netns', 'pids', name], false).split('\n').filter(Boolean).map(Number);
}

/** Remove the namespaces and bridges of owners that are gone; returns what was removed. */
export function removeStale(): string[] {
  const removed: string[] = [];
  for (const name of listNetns()) {
    const m = OWNED.exec(name);
    if (m && !ownerAlive(m[2]!, m[3]!)) {
      ip(['netns', 'del', name], false);
      removed.push(name);
    }
  }
  for (const line of ip(['-o', 'link', 'show', 'type', 'bridge']).split('\n')) {
    const dev = /^\d+: (sb[0-9a-f]{6}br)[:@]/.exec(line)?.[1];
    const owner = / alias (sbt-\S+)/.exec(line)?.[1];
    const m = owner ? OWNED.exec(owner) : null;
    if (dev && m && !ownerAlive(m[2]!, m[3]!)) {
      ip(['link', 'del', dev], false);
      removed.push(dev);
    }
  }
  return removed;
}

/** A free 198.19.X.0/24: no address of this host in it. */
function freeSubnet(): number {
  const taken = ip(['-o', 'addr', 'show']);
  for (let tries = 0; tries < 64; tries++) {
    const x = randomBytes(1)[0]!;
    if (!taken.includes(`198.19.${x}.`)) return x;
  }
  throw new Error('no free 198.19.X.0/24 subnet');
}

/** P namespaces on one bridge (P <= 9). */
export function createNetnsLab(count: number): NetnsLab {
  if (count < 1 || count > 9) throw new RangeError('1..9 namespaces');
  removeStale();
  const tag = randomBytes(3).toString('hex');
  const owner = `sbt-${tag}-pid${process.pid}-${startTicks(process.pid)}`;
  const x = freeSubnet();
  const bridge = `sb${tag}br`;
  const names = Array.from({ length: count }, (_, k) => `${owner}-g${k}`);
  const addresses = names.map((_, k) => `198.19.${x}.${10 + k}`);
  const interfaces = names.map((_, k) => `sb${tag}n${k}`);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    for (const n of names) ip(['netns', 'del', n], false);
    ip(['link', 'del', bridge], false);
    process.off('exit', remove);
  };
  process.on('exit', remove);
  try {
    ip(['link', 'add', bridge, 'type', 'bridge']);
    ip(['link', 'set', 'dev', bridge, 'alias', owner]);
    ip(['addr', 'add', `198.19.${x}.1/24`, 'dev', bridge]);
    ip(['link', 'set', bridge, 'up']);
    names.forEach((n, k) => {
      const outside = `sb${tag}h${k}`;
      ip(['netns', 'add', n]);
      ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', interfaces[k]!]);
      ip(['link', 'set', outside, 'master', bridge, 'up']);
      ip(['link', 'set', interfaces[k]!, 'netns', n]);
      ip(['-n', n, 'link', 'set', 'lo', 'up']);
      ip(['-n', n, 'addr', 'add', `${addresses[k]}/24`, 'dev', interfaces[k]!]);
      ip(['-n', n, 'link', 'set', interfaces[k]!, 'up']);
    });
  } catch (e) {
    remove();
    throw e;
  }
  return { hostAddress: `198.19.${x}.1`, names, addresses, interfaces, bridge, remove };
}
