// Private scratch folders for the lab's services (a database's data, a broker's or a balancer's config):
// <tmp>/stackbench-<kind>-<pid>-<random>, mode 0700, with an owner file naming the process that made it (pid and
// start time, so a reused pid is not mistaken for the owner). A run that is SIGKILLed cannot remove its folders;
// the next run sweeps those whose owner is gone — and only those.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'stackbench-';
const OWNER = '.owner';
const NAME = /^stackbench-[a-z]+-(\d+)-[A-Za-z0-9]+$/;

/** A process's start time (clock ticks since boot, /proc/PID/stat field 22), or undefined when it is gone. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export interface Scratch {
  dir: string;
  /** Remove the folder and everything in it (idempotent). */
  remove(): void;
}

/** A new 0700 folder owned by this process; removed by remove(), or at exit if the run ends without it. */
export function makeScratch(kind: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${kind}-${process.pid}-`));
  writeFileSync(join(dir, OWNER), `${process.pid} ${startTime(process.pid) ?? ''}\n`, { mode: 0o600 });
  const remove = () => {
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', remove);
  };
  process.once('exit', remove);
  return { dir, remove };
}

/** Whether the process named in a folder's owner file is still the one that made it. */
function ownerAlive(dir: string): boolean {
  let owner: string;
  try {
    owner = readFileSync(join(dir, OWNER), 'utf8').trim();
  } catch {
    // No owner file yet: a folder being made this instant, or not ours to judge. Leave it.
    return true;
  }
  const [pid, started] = owner.split(' ');
  const now = startTime(Number(pid));
  return now !== undefined && (started === undefined || started === '' || now === started);
}

/** Remove the scratch folders of earlier runs whose owner process is gone; returns what was removed. */
export function sweepStale(base = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!NAME.test(name)) continue;
    const dir = join(base, name);
    try {
      if (!statSync(dir).isDirectory() || ownerAlive(dir)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      /* gone meanwhile, or not ours to remove */
    }
  }
  return removed;
}
