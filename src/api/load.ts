// load(): the load engine alone, as the `load` command drives it, with the command's defaults for what is left
// out. Loopback targets only, unless allowRemote names the host. With `agents`, the load is sent by several
// agents (src/dist) and merged into one result.
import { distributedLoad } from '../dist/index.js';
import type { AgentSpec } from '../dist/transports/index.js';
import { runLoad } from '../engine/index.js';
import type { LoadOptions, LoadResult } from '../engine/types.js';

/** LoadOptions with the `load` command's defaults: closed loop (open with a rate or a ws:// URL), 100 connections, 10 s. */
export type LoadInput = Omit<LoadOptions, 'model' | 'connections' | 'durationMs'> &
  Partial<Pick<LoadOptions, 'model' | 'connections' | 'durationMs'>> & {
    /** Send the load from agents: N local ones, "local,netns:NAME,ssh:HOST,tcp:HOST:PORT", or parsed specs. */
    agents?: number | string | AgentSpec[];
  };

/** Send load to a URL and resolve with what was measured (a LoadResult, one shape for HTTP and WebSocket). */
export async function load(input: LoadInput): Promise<LoadResult> {
  const { agents, ...rest } = input;
  const ws = /^ws:/i.test(rest.url);
  const model = rest.model ?? (ws || rest.rate !== undefined ? 'open' : 'closed');
  const opts: LoadOptions = {
    ...rest,
    model,
    connections: rest.connections ?? 100,
    durationMs: rest.durationMs ?? 10_000,
    ...(ws && rest.rate === undefined ? { rate: 100 } : {}),
  };
  return agents !== undefined ? distributedLoad(opts, agents) : runLoad(opts);
}
