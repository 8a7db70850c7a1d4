// The stacks a run knows: the reference ones and the user's own (a config file's). A value carried in the run's
// plan, not a module-level registry: two runs in one process each know their own stacks.
import { BUILTIN_IDS, stackDef, type StackDef, type StackId } from './registry.js';
import { userStackDef, type UserStackSpec } from './user.js';

export interface Catalog {
  /** Every id: the reference stacks', then the user's. */
  ids: StackId[];
  /** The user's stacks' ids. */
  userIds: StackId[];
  def(id: StackId): StackDef | undefined;
}

export function catalogOf(users: readonly UserStackSpec[] = []): Catalog {
  const mine = new Map(users.map((s) => [s.name, userStackDef(s)] as const));
  return {
    ids: [...BUILTIN_IDS, ...mine.keys()],
    userIds: [...mine.keys()],
    def: (id) => stackDef(id) ?? mine.get(id),
  };
}

/** The reference stacks alone. */
export const BUILTIN_CATALOG: Catalog = catalogOf();
