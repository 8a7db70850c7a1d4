// The load-model registry (after k6's executors): one file per model, looked up by name.
import type { ModelName } from '../types.js';
import type { ModelFactory } from './model.js';
import { ClosedModel } from './closed.js';
import { OpenModel } from './open.js';

export const models: Record<ModelName, ModelFactory> = {
  closed: (shard) => new ClosedModel(shard),
  open: (shard) => new OpenModel(shard),
};

export const modelNames = Object.keys(models) as ModelName[];
export type { Model, ModelFactory, ModelHost, Pacing } from './model.js';
