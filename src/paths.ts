// Where things are, from the compiled file's place (dist/src/paths.js) up to the repository root.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const NODE_SERVERS = resolve(ROOT, 'servers/node/dist');
export const PYTHON_SERVERS = resolve(ROOT, 'servers/python');
export const SHARED = resolve(ROOT, 'servers/shared');
export const VENV_PYTHON = resolve(ROOT, '.venv/bin/python');
