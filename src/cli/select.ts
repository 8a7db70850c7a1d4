// Choosing stacks and workloads from flags. Named explicitly, a stack or workload that cannot run here is bad
// input (exit 2, with the fix); left to the default "all", it is reported as not available and the rest runs.
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
      if (def.runtime === 'python') throw new StackbenchError('SB_PYTHON_MISSING', [`${id}: ${a.missing}`]);
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
