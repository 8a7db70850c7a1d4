// For a user's stackbench.config.ts / .mjs: `export default defineConfig({ ... })` returns its argument as it is
// and gives the editor the file's type (completion, and an error on a misspelt key or a wrong value).
import type { z } from 'zod';
import type { ConfigSchema } from './schema.js';

/** The file as a user writes it: fields with defaults are optional. */
export type StackbenchConfig = z.input<typeof ConfigSchema>;

export function defineConfig(config: StackbenchConfig): StackbenchConfig {
  return config;
}
