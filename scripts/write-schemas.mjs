#!/usr/bin/env node
// Writes the JSON Schemas the docs publish from the zod schemas they are made of (run after `npm run build`):
// docs/results.schema.json and docs/stackbench.config.schema.json. A test fails when a committed file differs
// from what this writes.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/src/config/schema.js';
import { resultsJsonSchema } from '../dist/src/results/schema.js';

const write = (file, schema) => {
  writeFileSync(file, JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote ${file}`);
};
write('docs/results.schema.json', resultsJsonSchema());
write('docs/stackbench.config.schema.json', configJsonSchema());
