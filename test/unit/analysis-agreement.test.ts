// Two runs' agreement on the headline ratios.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agreement } from '../../src/analysis/index.js';
import { around, makeResults, type RunSpec } from '../fixtures/results-synthetic.js';

const runs = (fastify: number, express: number, flask: number): RunSpec[] => [
  { stack: 'fastify', workload: 'json', rps: around(fastify) },
  { stack: 'express', workload: 'json', rps: around(express) },
  { stack: 'flask-gunicorn', workload: 'json', rps: around(flask) },
];
const spec = { stacks: ['fastify', 'express', 'flask-gunicorn'] as const, workloads: ['json'] as const };
const results = (r: RunSpec[]) =>
  makeResults({ stacks: [...spec.stacks], workloads: [...spec.workloads], runs: r });

describe('agreement', () => {
  it('agrees with itself and with a run inside the intervals', () => {
    const a = agreement(results(runs(3000, 2000, 1000)), results(runs(3030, 2010, 1005)));
    assert.equal(a.comparable, 2); // fastify vs flask (runtimes), fastify vs express (fastest)
    assert.equal(a.agreeing, 2);
    assert.equal(a.summary, '2 of 2 ratios agree');
  });
  it('flags a ratio that moved outside the first interval', () => {
    const a = agreement(results(runs(3000, 2000, 1000)), results(runs(3000, 2000, 2000)));
    const row = a.rows.find((r) => r.b === 'flask-gunicorn')!;
    assert.equal(row.agrees, false);
    assert.match(row.text, /noisy/);
    assert.equal(a.summary, '1 of 2 ratios agree');
  });
  it('counts pairs the second run lacks', () => {
    const second = makeResults({
      stacks: ['fastify', 'express'],
      workloads: ['json'],
      runs: runs(3000, 2000, 1000).slice(0, 2),
    });
    const a = agreement(results(runs(3000, 2000, 1000)), second);
    assert.equal(a.summary, '1 of 1 ratios agree (1 not in the second run)');
  });
});
