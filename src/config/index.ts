// The config file's public API: what `compare` and `run --config` use, and what a user's
// stackbench.config.ts imports (`import { defineConfig } from 'stackbench/config'`).
export { defineConfig, type StackbenchConfig } from './define.js';
export {
  CONFIG_FILES,
  checkConfig,
  configError,
  findConfig,
  loadConfig,
  readConfig,
  type LoadedConfig,
  type ResolvedCommandTarget,
  type ResolvedConfig,
  type ResolvedStack,
  type ResolvedTarget,
  type TypescriptLoader,
} from './load.js';
export {
  ConfigSchema,
  configJsonSchema,
  NAME,
  SERVER_CLASSES,
  type CommandTarget,
  type ConfigOutput,
  type RequestEntry,
  type UrlTarget,
  type UserStack,
  type ValueSource,
} from './schema.js';
export {
  byWeight,
  DEFAULT_REQUEST,
  draw,
  fillRequest,
  requestsOf,
  targetUrl,
  withPort,
  type FilledRequest,
  type Random,
} from './fill.js';
export { PLACEHOLDER, placeholdersIn } from './placeholders.js';
