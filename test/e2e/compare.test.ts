// stackbench compare end to end, for real: a Node.js and a Python service started by command, one more reached
// by URL; a pair whose difference is known (a 5 ms wait against a 15 ms one at 16 connections: 3x the
// throughput) must come out in that direction; a threshold and a regression against a baseline exit 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../../src/results/types.js';
import { leftovers, runCli } from '../helpers/cli.js';
import { NODE_WAIT, PY_WAIT, urlService } from '../helpers/wait-service.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sb-compare-'));
const short = ['-c', '16', '-d', '500ms', '--reps', '3'];

test(
  'compare: a known difference comes out in its direction, from command and URL targets',
  { timeout: 180_000 },
  async () => {
    const slowUrl = await urlService(15);
    try {
      const out = tmp();
      const r = await runCli([
        'compare',
        `fast=${NODE_WAIT(5)}`,
        `py=${PY_WAIT(5)}`,
        `slow=${slowUrl.url}`,
        '--request',
        'GET /items/1',
        ...short,
        '--probes',
        '3',
        '--out',
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
      assert.equal(res.status, 'complete');
      assert.deepEqual(res.config.workloads, ['custom']);
      assert.deepEqual(
        res.config.compare?.requests.map((q) => `${q.method} ${q.path}`),
        ['GET /items/1'],
      );
      // Interleaved: the closed-loop runs go fast, py, slow, fast, py, slow, ...
      const closed = res.points.filter((p) => p.kind === 'closed').map((p) => p.stack);
      assert.deepEqual(closed, ['fast', 'py', 'slow', 'fast', 'py', 'slow', 'fast', 'py', 'slow']);
      const rps = (s: string) => res.analysis!.workloads[0]!.stacks.find((f) => f.stack === s)!.rps!.median;
      // 16 connections: 16 / 5 ms = 3,200 req/s against 16 / 15 ms = 1,067 req/s.
      const ratio = rps('fast') / rps('slow');
      assert.ok(ratio > 2 && ratio < 4, `fast / slow throughput ${ratio.toFixed(2)}, expected about 3`);
      assert.match(
        r.stdout,
        /fast handled \d\.\d+x \([\d.]+–[\d.]+\) the requests per second of slow at 16 connections/,
      );
      // Each searched for capacity; the one started by command has its cost sampled, the URL one says it has none.
      assert.equal(res.capacities.length, 3);
      const fast = res.analysis!.workloads[0]!.stacks.find((f) => f.stack === 'fast')!;
      assert.ok(fast.cpuUsPerRequest! > 0 && fast.peakPssMiB! > 5);
      assert.match(
        r.stdout,
        /slow {2}http:\/\/127\.0\.0\.1:\d+\/\n {2}throughput[\s\S]*?server {7}not sampled/,
      );
      assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /fast/);
      assert.deepEqual(leftovers(r.runId), []);
    } finally {
      slowUrl.stop();
    }
  },
);

test(
  'compare: a failed threshold and a regression against a baseline exit 3, saying by how much',
  { timeout: 180_000 },
  async () => {
    const base = tmp();
    const first = await runCli(['compare', `api=${NODE_WAIT(5)}`, ...short, '--probes', '0', '--out', base]);
    assert.equal(first.code, 0, first.stderr);
    // The same name, three times slower: every throughput figure is a regression. The fast side may be
    // limited by a busy 2-core machine, so the drop is asserted as a large one, not as exactly two thirds.
    const later = await runCli([
      'compare',
      `api=${NODE_WAIT(15)}`,
      ...short,
      '--probes',
      '0',
      '--against',
      join(base, 'results.json'),
      '--fail-on-regression',
      '--threshold',
      'api:p99<5ms',
      '--threshold',
      'rps>10',
      '--out',
      tmp(),
    ]);
    assert.equal(later.code, 3, later.stderr);
    assert.match(
      later.stdout,
      /regression: api on custom throughput: baseline [\d,]+, now [\d,]+ \(-[2-9]\d\.\d%/,
    );
    assert.match(later.stdout, /threshold FAILED api:p99<5ms on api\/custom: \d+(\.\d+)? ms, \d+% over 5 ms/);
    assert.match(later.stdout, /threshold ok rps>10 on api\/custom/);
    // Without --fail-on-regression the regression is reported, not fatal; the passing threshold keeps exit 0.
    const report = await runCli([
      'compare',
      `api=${NODE_WAIT(15)}`,
      ...short,
      '--probes',
      '0',
      '--against',
      join(base, 'results.json'),
      '--threshold',
      'rps>10',
      '--out',
      tmp(),
    ]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /against .*results\.json: .*1 slower/);
  },
);
