// A new results document, as run and compare start one: the machine, the configuration, nothing measured yet.
import { VERSION } from '../version.js';
import { RESULTS_SCHEMA, RESULTS_VERSION, type Machine, type Results, type SuiteName } from './types.js';

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
