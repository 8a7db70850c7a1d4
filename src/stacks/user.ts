// A user's own stack, from the config file (`run --config`): its implementation of some of the lab's
// workloads, started by its command with {port} filled in, verified against the same contract and measured
// beside the reference stacks as what it is (a Node.js or a Python stack). What it does not implement is
// "not implemented", not "cannot": it does not lose a workload it was never written for.
import { WORKLOADS, type LabWorkloadId } from '../workloads.js';
import type { ServerClass, StackDef } from './registry.js';

/** A user's stack as the config file states it (config/schema.ts's stack entry, its cwd resolved). */
export interface UserStackSpec {
  name: string;
  runtime: 'node' | 'python';
  command: string;
  /** The folder the command runs in. */
  cwd: string;
  env?: Record<string, string>;
  workloads: readonly string[];
  readyPath?: string;
  serverClass?: ServerClass;
  workers?: number;
  framework?: string;
  server?: string;
}

/** The stack a config entry describes, with the same shape as a reference stack's definition. */
export function userStackDef(s: UserStackSpec): StackDef {
  const implemented = s.workloads as LabWorkloadId[];
  return {
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
    user: { implements: implemented, readyPath: s.readyPath ?? WORKLOADS[implemented[0]!].path },
    launch: (port) => ({
      cmd: 'sh',
      args: ['-c', s.command.replaceAll('{port}', String(port))],
      cwd: s.cwd,
      env: { ...s.env, PORT: String(port) },
    }),
  };
}
