// CPU sets: the server side and the load generator get disjoint cores (on 2 cores: 1 + 1), and the
// generator pins itself (all threads) so its worker threads inherit the set.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

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

export function planCpus(): CpuPlan {
  const all = affinity();
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

/** Pin this process and all its threads. Returns false when taskset is missing. */
export function pinSelf(cores: number[]): boolean {
  const r = spawnSync('taskset', ['-a', '-pc', cores.join(','), String(process.pid)], { stdio: 'ignore' });
  return r.status === 0;
}
