// The library end to end, from a host program of its own: verify() and run() on a real stack, the reports and the
// CSV exports written, the host's CPU affinity given back, nothing left running and no handler left behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Results } from '../../src/index.js';
import { leftovers } from '../helpers/cli.js';

const lib = pathToFileURL(resolve(fileURLToPath(import.meta.url), '../../../src/index.js')).href;

test('library: verify() and run() from a host program', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-lib-e2e-'));
  const out = join(dir, 'out');
  const file = join(dir, 'host.mjs');
  writeFileSync(
    file,
    `
import { readFileSync } from 'node:fs';
import { run, verify } from ${JSON.stringify(lib)};
const cores = () => /Cpus_allowed_list:\\s*(\\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1];
const before = cores();
const v = await verify({ stacks: ['node-http'], workloads: ['json'] });
let plan;
const events = new Set();
const { results, files } = await run({
  stacks: ['node-http'],
  workloads: ['json'],
  durationMs: 300,
  repetitions: 1,
  probes: 0,
  scaling: 'off',
  outDir: ${JSON.stringify(out)},
  onPlan: (p) => (plan = p.outDir),
  onEvent: (e) => events.add(e.type),
});
const listeners = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
console.log(JSON.stringify({ ok: v.ok, cell: v.stacks[0].cells.json.status, status: results.status,
  points: results.points.length, analysed: Boolean(results.analysis), files, plan, events: [...events],
  before, after: cores(), listeners }));
`,
  );
  const runId = `test-${randomUUID()}`;
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, STACKBENCH_RUN_ID: runId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
  const code = await new Promise<number | null>((res) => child.on('close', res));
  clearTimeout(timer);
  assert.equal(code, 0, stderr);
  // Everything it started was stopped before run() resolved, and the host exited on its own (nothing held it).
  assert.deepEqual(leftovers(runId), []);
  const r = JSON.parse(stdout) as {
    ok: boolean;
    cell: string;
    status: string;
    points: number;
    analysed: boolean;
    files: Record<string, string>;
    plan: string;
    events: string[];
    before: string;
    after: string;
    listeners: number[];
  };
  assert.equal(r.ok, true);
  assert.equal(r.cell, 'pass');
  assert.equal(r.status, 'complete');
  assert.equal(r.points, 1);
  assert.ok(r.analysed);
  assert.equal(r.plan, out);
  assert.ok(r.events.includes('point'), r.events.join());
  assert.equal(r.after, r.before, 'the host gets its cores back');
  // The backstop is armed only while children live: gone once the run has stopped them.
  assert.deepEqual(r.listeners, [0, 0, 0]);
  for (const name of ['results.json', 'report.md', 'report.html', 'points.csv', 'headline.csv'])
    assert.ok(existsSync(join(out, name)), name);
  assert.deepEqual(Object.values(r.files).sort(), [
    join(out, 'headline.csv'),
    join(out, 'points.csv'),
    join(out, 'report.html'),
    join(out, 'report.md'),
    join(out, 'results.json'),
  ]);
  const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  const csv = readFileSync(join(out, 'points.csv'), 'utf8').trimEnd().split('\r\n');
  assert.equal(csv.length, res.points.length + 1);
  assert.ok(csv[1]!.startsWith('node-http,json,closed,closed,'), csv[1]);
  rmSync(dir, { recursive: true, force: true });
});
