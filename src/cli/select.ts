// Choosing stacks, workloads and cores from flags: the lists parsed here (names checked, a stray comma refused);
// what can run here is checked by the library's selection (src/api/select.ts).
import { StackbenchError } from '../errors.js';
import { parseCpuList } from '../machine/cpuset.js';
import type { StackId } from '../stacks/registry.js';
import { BUILTIN_IDS } from '../stacks/registry.js';
import { WORKLOAD_IDS, type WorkloadId } from '../workloads.js';
import { parseList } from '../options/units.js';

/** The flags as lists: undefined where the flag was not given (the default, everything). */
export function selectionFlags(
  flags: { stacks?: string; workloads?: string },
  cmd = 'run',
  /** Ids of the user's stacks (config file), known beside the reference ones. */
  extra: string[] = [],
): { stacks?: StackId[]; workloads?: WorkloadId[] } {
  const stacks = parseList(flags.stacks, [...BUILTIN_IDS, ...extra], 'SB_UNKNOWN_STACK', cmd);
  const workloads = parseList(flags.workloads, WORKLOAD_IDS, 'SB_UNKNOWN_WORKLOAD', cmd) as WorkloadId[];
  return {
    ...(flags.stacks !== undefined ? { stacks } : {}),
    ...(flags.workloads !== undefined ? { workloads } : {}),
  };
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
