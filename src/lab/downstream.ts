// The downstream service the `service` workload calls: a small node:http server of the lab's own
// (servers/node/src/downstream.ts), pinned with the servers; its CPU is not counted as the stack's.
import { resolve } from 'node:path';
import { NODE_SERVERS, ROOT } from '../paths.js';
import { start, type Managed } from '../machine/process.js';
import { waitReady } from '../machine/net.js';

export interface Downstream {
  url: string;
  proc: Managed;
  stop(): Promise<void>;
}

export async function startDownstream(
  port: number,
  cpus: number[],
  signal?: AbortSignal,
): Promise<Downstream> {
  const proc = start({
    name: 'downstream',
    cmd: process.execPath,
    args: [resolve(NODE_SERVERS, 'downstream.js')],
    cwd: ROOT,
    env: { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port) },
    cpus,
  });
  try {
    await waitReady(proc, port, '/item', { signal });
  } catch (e) {
    await proc.stop(1000);
    throw e;
  }
  return { url: `http://127.0.0.1:${port}`, proc, stop: () => proc.stop() };
}
