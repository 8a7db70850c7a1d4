import { fileURLToPath } from 'node:url';

/**
 * Folder with sales.csv, model.json and ml-batch.json. This file compiles to servers/node/dist/workloads/,
 * so the repo's servers/shared is three levels up from it.
 */
export function sharedDir(): string {
  const fromEnv = process.env.STACKBENCH_SHARED;
  if (fromEnv) return fromEnv;
  return fileURLToPath(new URL('../../../shared/', import.meta.url));
}
