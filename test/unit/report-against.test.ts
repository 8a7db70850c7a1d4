// `stackbench report RESULTS --against BASELINE`: ratios of this run outside the baseline's intervals are
// called noisy in the terminal, report.md and report.html.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeResultsAtomic } from '../../src/results/store.js';
import { sampleResults } from '../fixtures/report-sample.js';
import { runCli } from '../helpers/cli.js';

test('report --against calls the ratios that moved noisy, and only those', async () => {
  const base = mkdtempSync(join(tmpdir(), 'sb-against-a-'));
  const now = mkdtempSync(join(tmpdir(), 'sb-against-b-'));
  const sample = sampleResults();
  writeResultsAtomic(sample, base);
  const moved = JSON.parse(JSON.stringify(sample)) as typeof sample;
  // fastapi-uvicorn twice as fast on json: every json ratio against it moves out of its interval
  for (const p of moved.points) if (p.stack === 'fastapi-uvicorn' && p.workload === 'json') p.rps *= 2;
  writeResultsAtomic(moved, now);

  const r = await runCli(['report', join(now, 'results.json'), '--against', join(base, 'results.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /against .*results\.json: \d+ of \d+ ratios agree/);
  const noisy = r.stdout.split('\n').filter((l) => /^\s+noisy\s/.test(l));
  assert.ok(noisy.length > 0, 'some ratios are noisy');
  assert.ok(
    noisy.every((l) => /fastapi-uvicorn on json/.test(l)),
    noisy.join('\n'),
  );
  assert.match(readFileSync(join(now, 'report.md'), 'utf8'), /## Against .*\n\n\d+ of \d+ ratios agree/);
  assert.match(
    readFileSync(join(now, 'report.html'), 'utf8'),
    /<strong>noisy<\/strong>: [^<]*fastapi-uvicorn on json/,
  );

  const same = await runCli(['report', join(base, 'results.json'), '--against', join(base, 'results.json')]);
  assert.equal(same.code, 0, same.stderr);
  assert.doesNotMatch(same.stdout, /^\s+noisy\s/m, 'a run agrees with itself');
});
