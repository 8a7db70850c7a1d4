#!/usr/bin/env node
// Writes the JSON Schemas the docs publish from the zod schemas they are made of (run after `npm run build`):
// docs/results.schema.json. A test fails when the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { resultsJsonSchema } from '../dist/src/results/schema.js';

writeFileSync('docs/results.schema.json', JSON.stringify(resultsJsonSchema(), null, 2) + '\n');
console.log('wrote docs/results.schema.json');
