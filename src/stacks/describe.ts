// A stack as results and `stackbench stacks` describe it: what it is, how many workers on the server cores,
// its versions, and whether it can run here (else the reason and the fix).
import type { StackRecord } from '../results/types.js';
import { availability, STACKS, type StackId } from './registry.js';

export function stackRecord(id: StackId, serverCores: number): StackRecord {
  const def = STACKS[id];
  const a = availability(def);
  return {
    id,
    runtime: def.runtime,
    framework: def.framework,
    server: def.server,
    model: def.model,
    workerRule: def.workerRule,
    workers: def.workers(serverCores),
    versions: a.versions,
    available: a.ok,
    verification: {},
    ...(a.ok ? {} : { failure: { reason: a.missing ?? 'not available', fix: a.fix, log: [] } }),
  };
}
