// Two runs' agreement, on synthetic pairs whose true difference is known: a repeat of the same truth agrees (and
// does so at about the nominal rate when runs drift by the stated between-run noise), a real change is named for
// what it is — a noisy ratio, a faster or a slower (regressed) figure — and a bound is never tested as a figure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agreement } from '../../src/analysis/index.js';
import { prng, RPS_RUN_NOISE } from '../../src/analysis/stats.js';
import { around, makeResults, type CapSpec, type RunSpec } from '../fixtures/results-synthetic.js';

const runs = (fastify: number, express: number, flask: number): RunSpec[] => [
  { stack: 'fastify', workload: 'json', rps: around(fastify) },
  { stack: 'express', workload: 'json', rps: around(express) },
  { stack: 'flask-gunicorn', workload: 'json', rps: around(flask) },
];
const results = (r: RunSpec[], caps: CapSpec[] = []) =>
  makeResults({ stacks: ['fastify', 'express', 'flask-gunicorn'], workloads: ['json'], runs: r, caps });

describe('agreement', () => {
  it('a run agrees with itself: every ratio, every figure, no regression', () => {
    const r = results(runs(3000, 2000, 1000));
    const a = agreement(r, r);
    assert.ok(a.comparable >= 2);
    assert.equal(a.agreeing, a.comparable);
    assert.deepEqual(a.regressions, []);
    assert.match(a.summary, /^(\d+) of \1 ratios agree; of \d+ figures, 0 slower/);
  });

  it('a change within the noise agrees; a real change is named: noisy ratio, faster figure', () => {
    const base = results(runs(3000, 2000, 1000));
    const near = agreement(base, results(runs(3030, 2010, 1005)));
    assert.equal(near.agreeing, near.comparable);
    // flask-gunicorn doubled: its ratio to fastify moved far outside, and its own figure is faster.
    const moved = agreement(base, results(runs(3000, 2000, 2000)));
    const ratio = moved.rows.find((r) => r.kind === 'ratio' && r.b === 'flask-gunicorn')!;
    assert.equal(ratio.verdict, 'noisy');
    assert.match(ratio.text, /outside, noisy/);
    assert.ok(Math.abs(ratio.change!.median - 0.5) < 0.01, 'the ratio halved');
    const flask = moved.rows.find(
      (r) => r.kind === 'figure' && r.a === 'flask-gunicorn' && r.metric === 'rps',
    )!;
    assert.equal(flask.verdict, 'faster');
    assert.ok(flask.change!.low > 1.5 && flask.change!.high < 2.7, JSON.stringify(flask.change));
  });

  it('tests every pair of the baseline when the later run ranks the stacks otherwise', () => {
    // Baseline: fastify fastest (pairs fastify/express, fastify/flask). Later: express edges ahead, so its own
    // comparisons are express/fastify and express/flask; fastify/flask must still be tested, not "missing".
    const a = agreement(results(runs(3000, 2900, 1000)), results(runs(2950, 3000, 1000)));
    const pair = a.rows.find((r) => r.kind === 'ratio' && r.a === 'fastify' && r.b === 'flask-gunicorn')!;
    assert.equal(pair.verdict, 'agrees', pair.text);
    assert.ok(Math.abs(pair.current! - 2.95) < 0.05, String(pair.current));
    assert.ok(!a.rows.some((r) => r.verdict === 'missing'), a.rows.map((r) => r.text).join('\n'));
  });

  it('names a regression with its size', () => {
    const a = agreement(results(runs(3000, 2000, 1000)), results(runs(2400, 2000, 1000)));
    assert.equal(a.regressions.length, 1);
    const r = a.regressions[0]!;
    assert.equal(r.a, 'fastify');
    assert.match(
      r.text,
      /fastify on json throughput: baseline 3,000, now 2,400 \(-20\.0%, 95% -\d+\.\d% to -\d+\.\d%\): slower: a regression/,
    );
  });

  it('never tests a capacity that is only a lower bound, and says what is missing', () => {
    const caps = (fastifyCeiling?: number): CapSpec[] => [
      { stack: 'fastify', workload: 'json', rps: 9000, failedAt: fastifyCeiling },
      { stack: 'flask-gunicorn', workload: 'json', rps: 1000, failedAt: 1080 },
    ];
    const a = agreement(results(runs(3000, 2000, 1000), caps(9600)), results(runs(3000, 2000, 1000), caps()));
    const fastifyCap = a.rows.find(
      (r) => r.kind === 'figure' && r.a === 'fastify' && r.metric === 'capacity',
    )!;
    assert.equal(fastifyCap.verdict, 'bounds');
    const second = makeResults({
      stacks: ['fastify', 'express'],
      workloads: ['json'],
      runs: runs(3000, 2000, 1000).slice(0, 2),
    });
    const b = agreement(results(runs(3000, 2000, 1000)), second);
    assert.ok(b.rows.some((r) => r.verdict === 'missing' && /not in this run/.test(r.text)));
  });

  it('holds its nominal coverage: repeats of one truth, drifting by the stated noise, agree about 95 % of the time', () => {
    // Each run: every stack drifts by N(0, RPS_RUN_NOISE) (log), and its 3 repetitions scatter by 1 %.
    const rand = prng(7);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const run = () => {
      const one = (v: number) => {
        const level = v * Math.exp(RPS_RUN_NOISE * gauss());
        return [0, 1, 2].map(() => level * Math.exp(0.01 * gauss()));
      };
      return results([
        { stack: 'fastify', workload: 'json', rps: one(3000) },
        { stack: 'express', workload: 'json', rps: one(2000) },
        { stack: 'flask-gunicorn', workload: 'json', rps: one(1000) },
      ]);
    };
    let agree = 0;
    let total = 0;
    for (let i = 0; i < 300; i++) {
      const a = agreement(run(), run());
      agree += a.agreeing;
      total += a.comparable;
    }
    const coverage = agree / total;
    assert.ok(coverage >= 0.9 && coverage <= 0.995, `coverage ${coverage.toFixed(3)}`);
  });
});
