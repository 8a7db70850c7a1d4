// The Debian packages the image installs for the Python stacks, one a line: setup's own list (DEBIAN_PYTHON in
// src/setup/detect.ts, from the stacks' packages in src/stacks/python.ts), so the Dockerfile never restates it.
// Run after `npm run build` (the Dockerfile's build stage does).
import { DEBIAN_PYTHON } from '../dist/src/setup/detect.js';

process.stdout.write(`${DEBIAN_PYTHON.join('\n')}\n`);
