#!/usr/bin/env node
// The test suite in two lanes, so that it fits 10 minutes on 2 cores without timing assertions turning flaky.
// Lane 1 runs three files at a time: unit tests and end-to-end checks of behaviour (verify, the package, setup,
// the report in a browser, a short run, faults injected into one), most of whose time is waiting on servers to
// start and stop. Lane 2 runs one file at a time, alone on the machine: the files that measure (a known
// difference must come out in its direction, a generator must keep its rate, a stall must read as long as it
// was), which a neighbour's load would distort. Extra arguments go to both lanes (e.g. --test-name-pattern).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// The files that assert timing: a rate kept, a stall measured to 10 %, a known difference in its direction.
const MEASURING = [
  'e2e/compare',
  'e2e/scaling',
  'e2e/agents-compare',
  'e2e/agents-netns',
  'unit/engine-openloop',
  'unit/engine-mix',
  'unit/engine-models',
  'unit/dist-split',
  'unit/runner-generator',
  'unit/ws-engine',
  'unit/node-realtime',
  'unit/dist-coordinator',
  'unit/engine-lazy',
  'unit/engine-bad-servers',
  'unit/kube-measure',
  'unit/sweep-window',
].map((f) => `dist/test/${f}.test.js`);
const all = ['unit', 'e2e'].flatMap((dir) =>
  readdirSync(join(root, 'dist/test', dir))
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => `dist/test/${dir}/${f}`),
);
const missing = MEASURING.filter((f) => !all.includes(f));
if (missing.length)
  throw new Error(`scripts/test.mjs names test files that are not built: ${missing.join(', ')}`);
const checking = all.filter((f) => !MEASURING.includes(f));
const extra = process.argv.slice(2);

let failed = false;
for (const [concurrency, lane] of [
  [3, checking],
  [1, MEASURING],
]) {
  const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...extra, ...lane], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
