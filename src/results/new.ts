// A new results document, as run and compare start one: the machine as this run sees it (cores split between
// server and generator), the configuration, nothing measured yet.
import { cpus as osCpus, platform, release, totalmem } from 'node:os';
import type { CpuPlan } from '../machine/cpuset.js';
import { findPython, PY_PACKAGES } from '../stacks/python.js';
import { VERSION } from '../version.js';
import { RESULTS_SCHEMA, RESULTS_VERSION, type Machine, type Results, type SuiteName } from './types.js';

export function describeMachine(cpus: CpuPlan): Machine {
  const py = findPython(Object.keys(PY_PACKAGES)).info;
  return {
    os: `${platform()} ${release()}`,
    cpuModel: osCpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus.all.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.versions.node,
    python: py ? `${py.version} (${py.path})` : undefined,
    serverCpus: cpus.server,
    generatorCpus: cpus.generator,
    cpuNote: cpus.note,
  };
}

export function newResults(suite: SuiteName, machine: Machine, config: Results['config']): Results {
  return {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    tool: { name: 'stackbench', version: VERSION },
    startedAt: new Date().toISOString(),
    status: 'running',
    suite,
    machine,
    config,
    stacks: [],
    points: [],
    capacities: [],
    notes: [],
    failures: [],
  };
}
