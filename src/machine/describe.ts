// The machine as a run sees it: OS, CPU model, cores and how they are split between servers and generator,
// memory, Node.js, and the Python the stacks run on (named by the caller, which knows how it was chosen).
import { cpus as osCpus, platform, release, totalmem } from 'node:os';
import type { CpuPlan } from './cpuset.js';

/** What results.json records as `machine` (results/schema.ts checks the same shape). */
export interface MachineFacts {
  os: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  python?: string;
  serverCpus: number[];
  generatorCpus: number[];
  cpuNote: string;
}

export function describeMachine(cpus: CpuPlan, python?: string): MachineFacts {
  return {
    os: `${platform()} ${release()}`,
    cpuModel: osCpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus.all.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.versions.node,
    python,
    serverCpus: cpus.server,
    generatorCpus: cpus.generator,
    cpuNote: cpus.note,
  };
}
