// Choosing stacks and workloads from flags. Named explicitly, a stack or workload that cannot run here is bad
// input (exit 2, with the fix); left to the default "all", it is reported as not available and the rest runs.
import { parseCpuList } from '../machine/cpuset.js';
import { StackbenchError } from '../errors.js';
import { findPostgres } from '../lab/postgres.js';
import { availability, BUILTIN_IDS, stackDef, type StackId } from '../stacks/registry.js';
import { WORKLOAD_IDS, type WorkloadId } from '../workloads.js';
import { parseList } from './args.js';

export function selectRun(
  flags: { stacks?: string; workloads?: string },
  cmd = 'run',
): {
  stacks: StackId[];
  workloads: WorkloadId[];
} {
  const stacks = parseList(flags.stacks, BUILTIN_IDS, 'SB_UNKNOWN_STACK', cmd);
  const workloads = parseList(flags.workloads, WORKLOAD_IDS, 'SB_UNKNOWN_WORKLOAD', cmd) as WorkloadId[];
  if (flags.stacks !== undefined) {
    for (const id of stacks) {
      const def = stackDef(id)!;
      const a = availability(def);
      if (a.ok) continue;
      if (def.runtime === 'python')
        throw new StackbenchError('SB_PYTHON_MISSING', [`${id}: ${a.missing} (fix: ${a.fix})`]);
      throw new StackbenchError('SB_STACK_START', [id, `${a.missing} (fix: ${a.fix})`]);
    }
  }
  if (flags.workloads !== undefined && workloads.includes('db')) {
    const pg = findPostgres();
    if (!pg.ok)
      throw new StackbenchError('SB_POSTGRES_MISSING', [`${pg.missing} (needed by the db workload)`]);
  }
  return { stacks, workloads };
}

/** --server-cpus / --generator-cpus: core lists ("1", "2-5,7"); bad input names the flag. */
export function cpuChoice(values: { 'server-cpus'?: string; 'generator-cpus'?: string }) {
  const list = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const cores = parseCpuList(text);
    if (!cores)
      throw new StackbenchError('SB_BAD_NUMBER', [flag, text, 'a core list such as 1 or 2-5,7'], [flag]);
    return cores;
  };
  return {
    server: list('--server-cpus', values['server-cpus']),
    generator: list('--generator-cpus', values['generator-cpus']),
  };
}
