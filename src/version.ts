// stackbench's version: package.json's, read once (the one place it is written down).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './paths.js';

export const VERSION: string = (
  JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
