// A user's own stack, from the config file (`run --config`): its implementation of some of the lab's
// workloads, started by its command with {port} filled in, verified against the same contract and measured
// beside the reference stacks as what it is (a Node.js or a Python stack). What it does not implement is
// "not implemented", not "cannot": it does not lose a workload it was never written for.
import type { ResolvedStack } from '../config/index.js';
import { WORKLOADS, type LabWorkloadId } from '../workloads.js';
import type { StackDef } from './registry.js';

const users = new Map<string, StackDef>();

export function userStack(id: string): StackDef | undefined {
  return users.get(id);
}

/** Register the config's stacks for this process (ids are checked unique and unlike the reference ones). */
export function registerUserStacks(stacks: ResolvedStack[]): StackDef[] {
  return stacks.map((s) => {
    const def: StackDef = {
      id: s.name,
      runtime: s.runtime,
      framework: s.framework ?? 'your code',
      server: s.server ?? s.command,
      serverClass: s.serverClass ?? (s.runtime === 'node' ? 'event loop' : 'unknown'),
      model: s.serverClass ? `as stated in its config: ${s.serverClass}` : 'not stated in its config',
      workerRule: s.workers
        ? `${s.workers} process${s.workers === 1 ? '' : 'es'}, as its command starts it`
        : 'as its command starts it',
      workers: () => s.workers ?? 1,
      user: {
        implements: s.workloads as LabWorkloadId[],
        readyPath: s.readyPath ?? WORKLOADS[s.workloads[0]!].path,
      },
      launch: (port) => ({
        cmd: 'sh',
        args: ['-c', s.command.replaceAll('{port}', String(port))],
        cwd: s.cwd,
        env: { ...s.env, PORT: String(port) },
      }),
    };
    users.set(def.id, def);
    return def;
  });
}
