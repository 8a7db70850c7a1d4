// A service slower than the run: each answer takes 600 ms, the run 300 ms. The closed run must measure it
// (16 connections / 0.6 s ≈ 27 req/s), not read 0 req/s with every request a timeout because the window closed
// before the first answers came back — what quick runs printed for fastapi-uvicorn's /data and flask-gevent's
// /db. Loose bounds: the service sleeps, so a busy machine barely moves it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../../src/results/types.js';
import { runCli } from '../helpers/cli.js';
import { urlService } from '../helpers/wait-service.js';

test('a service slower than the run is measured with a longer window, not read as timeouts', async () => {
  const slow = await urlService(600);
  try {
    const out = mkdtempSync(join(tmpdir(), 'sb-slow-'));
    const r = await runCli([
      'compare',
      `slow=${slow.url}`,
      '-c',
      '16',
      '-d',
      '300ms',
      '--reps',
      '2',
      '--probes',
      '0',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const closed = res.points.filter((p) => p.kind === 'closed');
    assert.equal(closed.length, 2, 'one point per run: the too-short attempt is not recorded');
    for (const p of closed) {
      assert.equal(p.errorRate, 0, JSON.stringify(p.errors));
      assert.ok(p.durationMs >= 1000, `a window of a few round trips: ${p.durationMs} ms`);
      // 26.7 req/s in truth; connections started together answer together, so a 1 s window holds 1 or 2 of
      // each one's answers (16 or 32 req/s): a bound, not the exact figure.
      assert.ok(p.rps >= 15 && p.rps <= 34, `16 connections / 0.6 s: ${p.rps} req/s`);
    }
  } finally {
    slow.stop();
  }
});
