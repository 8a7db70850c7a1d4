// Your implementation in the lab, for real: a config file adds two user stacks (one right, one answering /json
// wrongly); `run --config` verifies them against the same contract as the reference stacks and measures the
// right one beside node-http, as the Node.js stack it is; what a stack does not implement is "not implemented",
// not a loss; a threshold on the user's stack makes the run exit 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../../src/results/types.js';
import { leftovers, ROOT, runCli } from '../helpers/cli.js';

test(
  'run --config: a user stack verified and measured beside the references; a threshold exits 3',
  { timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-user-'));
    const server = `${process.execPath} ${join(ROOT, 'test/fixtures/user-stack.mjs')} {port}`;
    writeFileSync(
      join(dir, 'stackbench.config.json'),
      JSON.stringify({
        stacks: [
          {
            name: 'my-node',
            runtime: 'node',
            command: server,
            workloads: ['json', 'io'],
            framework: 'node:http (mine)',
          },
          { name: 'my-broken', runtime: 'node', command: server, env: { BROKEN: '1' }, workloads: ['json'] },
        ],
      }),
    );
    const out = join(dir, 'out');
    const r = await runCli([
      'run',
      '--config',
      join(dir, 'stackbench.config.json'),
      '--stacks',
      'node-http,my-node,my-broken',
      '--workloads',
      'json,io',
      '--scaling',
      'off',
      '-d',
      '300ms',
      '--reps',
      '3',
      '--probes',
      '2',
      '--threshold',
      'my-node/io:p99<1ms',
      '--out',
      out,
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /threshold FAILED my-node\/io:p99<1ms on my-node\/io: [\d.]+ ms, \d+% over 1 ms/);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const mine = res.stacks.find((s) => s.id === 'my-node')!;
    assert.equal(mine.runtime, 'node');
    assert.equal(mine.serverClass, 'event loop');
    assert.deepEqual(mine.implements, ['json', 'io']);
    assert.deepEqual(mine.verification, { json: { status: 'pass' }, io: { status: 'pass' } });
    for (const w of ['json', 'io'])
      assert.equal(
        res.points.filter((p) => p.stack === 'my-node' && p.workload === w && p.kind === 'closed').length,
        3,
      );
    // It takes part in the analysis as a Node.js stack, beside the reference one.
    const io = res.analysis!.workloads.find((w) => w.workload === 'io')!;
    assert.deepEqual(
      io.stacks
        .filter((s) => s.status === 'measured')
        .map((s) => s.stack)
        .sort(),
      ['my-node', 'node-http'],
    );
    // The broken one fails the contract, named; io it never implemented is not held against it.
    const broken = res.stacks.find((s) => s.id === 'my-broken')!;
    assert.equal(broken.verification.json?.status, 'fail');
    assert.match(broken.verification.json!.reason!, /answer \{"message":"Hello!"\} differs/);
    assert.ok(res.failures.some((f) => /my-broken failed verification on json/.test(f)));
    const row = io.stacks.find((s) => s.stack === 'my-broken')!;
    assert.equal(row.status, 'not measured');
    assert.match(row.reason!, /not implemented \(its config lists json\)/);
    assert.deepEqual(leftovers(r.runId), []);
  },
);
