// Faults in the middle of a real run, as a hostile tester would cause them: a stack SIGKILLed while it is being
// measured, the lab's PostgreSQL SIGKILLed during db. Each must be named for what it is, feed no winner, ratio or
// verdict, leave no zero printed as a figure, and make the run exit 1 after writing everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../../src/results/types.js';
import { leftovers, processesOf, runCli, startCli } from '../helpers/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const short = ['--reps', '3', '-d', '400ms', '--probes', '0', '--scaling', 'off'];

/** Wait (bounded) until results.json holds a point of `stack` on `workload`. */
async function waitForPoint(file: string, stack: string, workload: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const r = JSON.parse(readFileSync(file, 'utf8')) as Results;
      if (r.points.some((p) => p.stack === stack && p.workload === workload)) return;
    } catch {
      /* not written yet, or being replaced */
    }
    await sleep(100);
  }
  throw new Error(`no ${stack} ${workload} point within ${ms / 1000} s`);
}

test(
  'a stack killed mid-run: crashed with its log, no figure or verdict from it, exit 1',
  { timeout: 180_000 },
  async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-fault-stack-'));
    const file = join(out, 'results.json');
    const run = startCli([
      'run',
      '--stacks',
      'node-http,flask-gunicorn',
      '--workloads',
      'json',
      ...short,
      '--out',
      out,
    ]);
    await waitForPoint(file, 'flask-gunicorn', 'json');
    // The gunicorn master: the one the CLI started itself (its workers are its children).
    const master = processesOf(run.runId, /gunicorn/).find((p) => p.ppid === run.child.pid);
    assert.ok(master, 'the gunicorn master of this run');
    process.kill(master.pid, 'SIGKILL');
    const r = await run.done;
    assert.equal(r.code, 1, r.stderr);
    const res = JSON.parse(readFileSync(file, 'utf8')) as Results;
    assert.equal(res.status, 'complete');
    assert.ok(
      res.failures.some((f) => /flask-gunicorn crashed during json/.test(f)),
      res.failures.join('\n'),
    );
    const flask = res.stacks.find((s) => s.id === 'flask-gunicorn')!;
    assert.equal(flask.failure?.workload, 'json');
    const json = res.analysis!.workloads.find((w) => w.workload === 'json')!;
    const row = json.stacks.find((s) => s.stack === 'flask-gunicorn')!;
    assert.equal(row.status, 'failed');
    assert.equal(row.rps, undefined, 'no figure from the broken runs');
    assert.ok(!json.comparisons.some((c) => c.a === 'flask-gunicorn' || c.b === 'flask-gunicorn'));
    const raw = res.analysis!.verdicts.find((v) => v.claim === 'raw-performance')!;
    assert.equal(raw.verdict, 'not measured', raw.summary);
    assert.match(raw.summary, /flask-gunicorn failed: crashed during json/);
    assert.match(r.stdout, /failure: flask-gunicorn crashed during json/);
    assert.ok(existsSync(join(out, 'report.html')));
    assert.deepEqual(leftovers(r.runId), []);
  },
);

test(
  'the database killed mid-run: named, db not measured, no zero printed, exit 1',
  { timeout: 180_000 },
  async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-fault-db-'));
    const file = join(out, 'results.json');
    const run = startCli([
      'run',
      '--stacks',
      'node-http,flask-gunicorn',
      '--workloads',
      'db,json',
      ...short,
      '--out',
      out,
    ]);
    await waitForPoint(file, 'node-http', 'db');
    const postmaster = processesOf(run.runId, /postgres -D/).find((p) => p.ppid === run.child.pid);
    assert.ok(postmaster, 'the postmaster of this run');
    process.kill(postmaster.pid, 'SIGKILL');
    const r = await run.done;
    assert.equal(r.code, 1, r.stderr);
    const res = JSON.parse(readFileSync(file, 'utf8')) as Results;
    assert.ok(
      res.failures.some((f) => /PostgreSQL stopped during the run/.test(f)),
      res.failures.join('\n'),
    );
    const db = res.analysis!.workloads.find((w) => w.workload === 'db')!;
    for (const row of db.stacks) {
      assert.equal(row.status, 'unavailable', `${row.stack}: ${row.status}`);
      assert.match(row.reason ?? '', /PostgreSQL stopped during the run/);
      assert.equal(row.rps, undefined);
    }
    // json needs no database: it is measured on both stacks as usual.
    const json = res.analysis!.workloads.find((w) => w.workload === 'json')!;
    assert.ok(json.stacks.every((s) => s.status === 'measured'));
    // The summary at a glance names the failure; the full one shows db with its reason and no zero.
    assert.match(r.stdout, /failure: /);
    assert.match(r.stdout.replace(/\s+/g, ' '), /PostgreSQL stopped during the run/);
    const full = await runCli(['report', file, '--verbose']);
    const dbSection = full.stdout.slice(full.stdout.indexOf('db — '), full.stdout.indexOf('json — '));
    assert.doesNotMatch(dbSection, /\[E\]|0\.0 /, dbSection);
    assert.match(dbSection, /PostgreSQL stopped during the run/);
    assert.deepEqual(leftovers(r.runId), []);
    assert.ok(
      !readdirSync(tmpdir()).some((n) => n.startsWith(`stackbench-pg-${run.child.pid}-`)),
      'its folder removed',
    );
  },
);
