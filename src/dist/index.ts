// The distributed generator (docs/ARCHITECTURE.md "src/dist"): agents that run shards of one load on other hosts,
// and the coordinator that splits, starts, watches and merges them. `distributedLoad` has runLoad's shape plus
// the agents; a Subject that runs many probes keeps a Coordinator open instead.
import type { LoadOptions, LoadResult } from '../engine/types.js';
import { Coordinator, type CoordinatorOptions } from './coordinator.js';
import { parseAgents, type AgentSpec } from './transports/index.js';

export { Coordinator, type CoordinatorOptions } from './coordinator.js';
export { serveAgent, type AgentExit, type AgentOptions } from './agent.js';
export { listenAgent, type ListenOptions } from './listen.js';
export { parseAgents, parseSpec, specLabel, type AgentSpec } from './transports/index.js';
export { agentsFor } from './split.js';

/** --agents as given: a count of local agents, a comma list of specs, or specs already parsed. */
export function agentSpecs(agents: number | string | AgentSpec[]): AgentSpec[] {
  if (Array.isArray(agents)) return agents;
  return parseAgents(String(agents));
}

/** One load from several agents, merged into one LoadResult (with each agent's part in `agents`). */
export async function distributedLoad(
  opts: LoadOptions,
  agents: number | string | AgentSpec[],
  options: Omit<CoordinatorOptions, 'allowRemote'> = {},
): Promise<LoadResult> {
  const coordinator = await Coordinator.open(agentSpecs(agents), {
    ...options,
    allowRemote: opts.allowRemote ?? [],
  });
  try {
    return await coordinator.run(opts);
  } finally {
    await coordinator.close();
  }
}
