// load(): the load engine alone, as the `load` command drives it, with the command's defaults for what is left
// out. Loopback targets only, unless allowRemote names the host.
import { runLoad } from '../engine/index.js';
import type { LoadOptions, LoadResult } from '../engine/types.js';

/** LoadOptions with the `load` command's defaults: closed loop (open with a rate or a ws:// URL), 100 connections, 10 s. */
export type LoadInput = Omit<LoadOptions, 'model' | 'connections' | 'durationMs'> &
  Partial<Pick<LoadOptions, 'model' | 'connections' | 'durationMs'>>;

/** Send load to a URL and resolve with what was measured (a LoadResult, one shape for HTTP and WebSocket). */
export async function load(input: LoadInput): Promise<LoadResult> {
  const ws = /^ws:/i.test(input.url);
  const model = input.model ?? (ws || input.rate !== undefined ? 'open' : 'closed');
  return runLoad({
    ...input,
    model,
    connections: input.connections ?? 100,
    durationMs: input.durationMs ?? 10_000,
    ...(ws && input.rate === undefined ? { rate: 100 } : {}),
  });
}
