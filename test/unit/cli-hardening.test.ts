// A hostile tester's inputs: an out folder under /proc, a results.json that lies, raw HTML in it, a run into a
// folder that already holds results, a stray comma, a negative SLO, an hour-long load. Each is one clear line and
// exit 2 (or, for the long load, said at the start and stopped by Ctrl-C), and nothing spins or is lost.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fitLine } from '../../src/cli/progress.js';
import { writeResultsAtomic } from '../../src/results/store.js';
import { okServer } from '../fixtures/http-servers.js';
import { sampleResults } from '../fixtures/report-sample.js';
import { leftovers, runCli, startCli } from '../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sb-hard-'));
/** The shortest real run: node-http on json, one 200 ms run, no capacity search. */
const TINY_RUN = [
  'run',
  '--stacks',
  'node-http',
  '--workloads',
  'json',
  '--reps',
  '1',
  '-d',
  '200ms',
  '--probes',
  '0',
];

function oneLine(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
}

/** The sample results with one change, written as a file. */
function resultsFile(change: (r: Record<string, unknown>) => void): string {
  const r = JSON.parse(JSON.stringify(sampleResults())) as Record<string, unknown>;
  change(r);
  const file = join(tmp(), 'results.json');
  writeFileSync(file, JSON.stringify(r));
  return file;
}

describe('report trusts nothing in its input', () => {
  it('refuses an out folder under /proc at once, exit 2', async () => {
    const dir = tmp();
    writeResultsAtomic(sampleResults(), dir);
    const t0 = Date.now();
    const r = await runCli(['report', join(dir, 'results.json'), '--out', '/proc/self/nope']);
    oneLine(r, /SB_OUT_NOT_WRITABLE.*procfs/);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('lists every problem against the schema, with its path, exit 2', async () => {
    const file = resultsFile((r) => {
      const points = r.points as Array<Record<string, unknown>>;
      points[0]!.latency = null;
      points[1]!.rps = -78192;
      points[2]!.errors = 'lots';
    });
    const r = await runCli(['report', file]);
    oneLine(r, /3 problems against its schema/);
    assert.match(r.stderr, /points\[0\]\.latency: /);
    assert.match(r.stderr, /points\[1\]\.rps: /);
    assert.match(r.stderr, /points\[2\]\.errors: /);
  });

  it('writes no raw HTML from results.json into report.md', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const file = resultsFile((r) => {
      const stacks = r.stacks as Array<Record<string, unknown>>;
      stacks[0]!.failure = { reason: evil, log: [evil] };
      (r.notes as string[]).push(`<script>alert(2)</script>`);
    });
    const r = await runCli(['report', file]);
    assert.equal(r.code, 0, r.stderr);
    const md = readFileSync(join(file, '..', 'report.md'), 'utf8');
    const outsideFences = md.replace(/```text[\s\S]*?```/g, '');
    assert.doesNotMatch(outsideFences, /<img|<script/);
    assert.match(md, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });
});

describe('run and load refuse what they cannot honour', () => {
  it('never replaces the results of an earlier run unless told to', async () => {
    const out = tmp();
    writeResultsAtomic(sampleResults(), out);
    const before = readFileSync(join(out, 'results.json'), 'utf8');
    const r = await runCli(['run', '--stacks', 'node-http', '--workloads', 'json', '--out', out]);
    oneLine(r, /SB_OUT_EXISTS.*--force/);
    assert.equal(readFileSync(join(out, 'results.json'), 'utf8'), before, 'kept as it was');
    const forced = await runCli([...TINY_RUN, '--scaling', 'off', '--out', out, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(readFileSync(join(out, 'results.json'), 'utf8'), before);
    assert.match(forced.stderr, /1 stacks x 1 workloads, about \d+ (s|min) →/);
  });

  it('finishes the run when its reader goes away (| head -1): results and reports written, exit 0', async () => {
    const out = tmp();
    const { child, runId, done } = startCli([
      ...TINY_RUN,
      '--scaling',
      'off',
      '--sweep',
      'off',
      '--out',
      out,
    ]);
    // The reader takes the first line and closes both pipes, as head does.
    child.stderr!.once('data', () => {
      child.stdout!.destroy();
      child.stderr!.destroy();
    });
    const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    await Promise.race([done, new Promise((res) => setTimeout(res, 1000))]);
    assert.equal(code, 0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      status: string;
      points: [];
    };
    assert.equal(results.status, 'complete');
    assert.ok(results.points.length > 0, 'its points');
    assert.ok(readFileSync(join(out, 'report.md'), 'utf8').length > 0, 'its report');
    assert.deepEqual(leftovers(runId), []);
  });

  it('refuses a stray comma and a negative SLO in our words', async () => {
    oneLine(await runCli(['run', '--stacks', 'node-http,']), /--stacks "node-http," has an empty name/);
    oneLine(await runCli(['verify', '--workloads', ',json']), /--workloads ",json" has an empty name/);
    oneLine(await runCli(['run', '--slo', '-5']), /bad value "-5" for --slo: expected an integer from 1/);
  });

  it('says at the start how long a long load will take, and Ctrl-C stops it', async () => {
    const srv = await okServer();
    try {
      const run = startCli(['load', srv.url, '-c', '2', '-d', '1h']);
      let stderr = '';
      await new Promise<void>((resolve) =>
        run.child.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('\n')) resolve();
        }),
      );
      assert.match(stderr, /^load for 60 min \(Ctrl-C stops early/);
      run.child.kill('SIGINT');
      const r = await run.done;
      assert.equal(r.code, 1);
      assert.match(r.stdout, /INTERRUPTED/);
    } finally {
      await srv.close();
    }
  });
});

describe('the progress line', () => {
  it('fits the terminal: never wider than its columns', () => {
    const long = '123s [17/81] django-gunicorn · stream · 1,234/s · ~4m12s left';
    for (const width of [20, 40, 80]) assert.ok(fitLine(long, width).length < width, `${width}`);
    assert.equal(fitLine('short', 80), 'short');
  });
});
