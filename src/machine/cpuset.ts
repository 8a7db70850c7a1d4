// CPU sets: the server side and the load generator get disjoint cores (on 2 cores: 1 + 1), and the
// generator pins itself (all threads) so its worker threads inherit the set.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { StackbenchError } from '../errors.js';

export interface CpuPlan {
  /** Cores this process may use at start (its affinity). */
  all: number[];
  server: number[];
  generator: number[];
  /** Said in results and reports: how the cores were split, or why they could not be. */
  note: string;
}

function affinity(): number[] {
  const out = spawnSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' });
  const m = /list:\s*([\d,-]+)/.exec(out.stdout ?? '');
  if (!m) return Array.from({ length: availableParallelism() }, (_, i) => i);
  const cores: number[] = [];
  for (const part of m[1]!.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a!; c <= (b ?? a!); c++) cores.push(c);
  }
  return cores;
}

/** "1,3" or "2-5,7" -> [1, 3] or [2, 3, 4, 5, 7]; undefined for anything else. */
export function parseCpuList(text: string): number[] | undefined {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text.trim())) return undefined;
  const cores: number[] = [];
  for (const part of text.trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (b !== undefined && b < a!) return undefined;
    for (let c = a!; c <= (b ?? a!); c++) cores.push(c);
  }
  return [...new Set(cores)];
}

/**
 * Disjoint server and generator cores: half and half by default (the server gets the odd one), or as the user
 * chose them (--server-cpus, --generator-cpus), which must be cores this process may use and must not overlap.
 */
export function planCpus(choice: { server?: number[]; generator?: number[] } = {}): CpuPlan {
  const all = affinity();
  if (choice.server || choice.generator) {
    const server = choice.server ?? all.filter((c) => !choice.generator!.includes(c));
    const generator = choice.generator ?? all.filter((c) => !server.includes(c));
    const outside = [...server, ...generator].filter((c) => !all.includes(c));
    if (outside.length)
      throw new StackbenchError(
        'SB_BAD_CPUS',
        [`cores ${outside.join(',')} are not available here`],
        [all.join(',')],
      );
    if (server.some((c) => generator.includes(c)))
      throw new StackbenchError('SB_BAD_CPUS', ['the server and generator cores overlap'], [all.join(',')]);
    if (!server.length || !generator.length)
      throw new StackbenchError(
        'SB_BAD_CPUS',
        ['the server and the generator each need a core'],
        [all.join(',')],
      );
    return {
      all,
      server,
      generator,
      note: `server cores ${server.join(',')}; generator cores ${generator.join(',')} (chosen)`,
    };
  }
  if (all.length < 2) {
    return {
      all,
      server: all,
      generator: all,
      note: `only ${all.length} core: server and generator share it`,
    };
  }
  const serverCount = Math.ceil(all.length / 2);
  const generator = all.slice(0, all.length - serverCount);
  const server = all.slice(all.length - serverCount);
  return {
    all,
    server,
    generator,
    note: `server cores ${server.join(',')}; generator cores ${generator.join(',')}`,
  };
}

/** The cores a process may run on (its affinity), from /proc; undefined when it is gone. */
export function affinityOf(pid: number): number[] | undefined {
  try {
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return list ? parseCpuList(list) : undefined;
  } catch {
    return undefined;
  }
}

/** Pin this process and all its threads. Returns false when taskset is missing. */
export function pinSelf(cores: number[]): boolean {
  const r = spawnSync('taskset', ['-a', '-pc', cores.join(','), String(process.pid)], { stdio: 'ignore' });
  return r.status === 0;
}
