// Which stacks and workloads a run or a verification covers. Left out, every reference stack and every workload:
// one that cannot run here is reported as not available and the rest runs. Named explicitly, one that cannot run
// here is bad input (exit 2, with the fix) before anything starts.
import { StackbenchError } from '../errors.js';
import { findPostgres } from '../lab/postgres.js';
import { catalogOf, type Catalog } from '../stacks/catalog.js';
import { availability, type StackId } from '../stacks/registry.js';
import type { UserStackSpec } from '../stacks/user.js';
import { WORKLOAD_IDS, type WorkloadId } from '../workloads.js';

export interface Selection {
  /** Stack ids (BUILTIN_IDS, and the user's stacks' names); default: all of them. */
  stacks?: readonly string[];
  /** The user's own stacks (a config file's `stacks`), measured beside the reference ones. */
  userStacks?: readonly UserStackSpec[];
  /** Workload ids (WORKLOAD_IDS); default: all of them. */
  workloads?: readonly string[];
  /** The reference stacks measured when `stacks` is left out (the quick suite's class leaders); default: all. */
  defaultStacks?: readonly string[];
}

function known<T extends string>(
  ids: readonly string[] | undefined,
  all: readonly T[],
  code: 'SB_UNKNOWN_STACK' | 'SB_UNKNOWN_WORKLOAD',
): T[] {
  if (ids === undefined) return [...all];
  for (const id of ids)
    if (!(all as readonly string[]).includes(id)) throw new StackbenchError(code, [id], [all.join(', ')]);
  return [...ids] as T[];
}

export interface Selected {
  stacks: StackId[];
  workloads: WorkloadId[];
  /** The stacks this run knows: the reference ones and the user's. */
  catalog: Catalog;
}

export function resolveSelection(sel: Selection): Selected {
  const catalog = catalogOf(sel.userStacks ?? []);
  // Left out, the default reference stacks and every stack of the user's: those it came to measure.
  const users = (sel.userStacks ?? []).map((u) => u.name);
  const byDefault = sel.defaultStacks
    ? catalog.ids.filter((id) => sel.defaultStacks!.includes(id) || users.includes(id))
    : catalog.ids;
  const stacks: StackId[] =
    sel.stacks === undefined ? [...byDefault] : known(sel.stacks, catalog.ids, 'SB_UNKNOWN_STACK');
  const workloads = known(sel.workloads, WORKLOAD_IDS, 'SB_UNKNOWN_WORKLOAD');
  if (sel.stacks !== undefined) {
    for (const id of stacks) {
      const def = catalog.def(id)!;
      const a = availability(def);
      if (a.ok) continue;
      if (def.runtime === 'python')
        throw new StackbenchError('SB_PYTHON_MISSING', [`${id}: ${a.missing} (fix: ${a.fix})`]);
      throw new StackbenchError('SB_STACK_START', [id, `${a.missing} (fix: ${a.fix})`]);
    }
  }
  if (sel.workloads !== undefined && workloads.includes('db')) {
    const pg = findPostgres();
    if (!pg.ok)
      throw new StackbenchError('SB_POSTGRES_MISSING', [`${pg.missing} (needed by the db workload)`]);
  }
  return { stacks, workloads, catalog };
}
