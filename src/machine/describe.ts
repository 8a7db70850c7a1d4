// The machine as a run sees it: OS, CPU model, cores and how they are split between servers and generator,
// memory, Node.js, and the Python the stacks run on (named by the caller, which knows how it was chosen).
import { cpus as osCpus, platform, release, totalmem } from 'node:os';
import type { Machine } from '../results/types.js';
import type { CpuPlan } from './cpuset.js';

export function describeMachine(cpus: CpuPlan, python?: string): Machine {
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
