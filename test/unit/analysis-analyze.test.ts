// analyze(): complete and partial runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/analysis/index.js';
import { around, makeResults, type RunSpec } from '../fixtures/results-synthetic.js';

const full = () =>
  makeResults({
    stacks: ['fastify', 'express', 'node-http', 'flask-gunicorn', 'fastapi-uvicorn'],
    workloads: ['json', 'io', 'data'],
    runs: [
      { stack: 'fastify', workload: 'json', rps: around(30000), rssMiB: 70 },
      { stack: 'express', workload: 'json', rps: around(15000), rssMiB: 80 },
      { stack: 'node-http', workload: 'json', rps: around(29800), rssMiB: 50 },
      { stack: 'flask-gunicorn', workload: 'json', rps: around(4000), rssMiB: 120 },
      { stack: 'fastapi-uvicorn', workload: 'json', rps: around(9000), rssMiB: 60 },
      { stack: 'fastify', workload: 'io', rps: around(3100) },
      { stack: 'express', workload: 'io', rps: around(3050) },
      { stack: 'node-http', workload: 'io', rps: around(3100) },
      { stack: 'flask-gunicorn', workload: 'io', rps: around(148) },
      { stack: 'fastapi-uvicorn', workload: 'io', rps: around(3000) },
      { stack: 'fastify', workload: 'data', rps: around(100) },
      { stack: 'express', workload: 'data', rps: around(95) },
      { stack: 'node-http', workload: 'data', rps: around(101) },
      { stack: 'flask-gunicorn', workload: 'data', rps: around(250) },
      { stack: 'fastapi-uvicorn', workload: 'data', rps: around(300) },
    ],
    caps: [
      { stack: 'fastify', workload: 'io', rps: 8000, failedAt: 8800 },
      { stack: 'express', workload: 'io', rps: 7000, failedAt: 7700 },
      { stack: 'node-http', workload: 'io', rps: 8200, failedAt: 9000 },
      { stack: 'flask-gunicorn', workload: 'io', rps: 140, failedAt: 154 },
      { stack: 'fastapi-uvicorn', workload: 'io', rps: 3500, failedAt: 3850 },
    ],
  });

describe('analyze', () => {
  it('estimates, ranks, compares and names a winner only outside a tie', () => {
    const a = analyze(full());
    const json = a.workloads.find((w) => w.workload === 'json')!;
    assert.deepEqual(
      json.stacks.filter((s) => s.status === 'measured').map((s) => s.stack),
      ['fastify', 'node-http', 'express', 'fastapi-uvicorn', 'flask-gunicorn'],
    );
    assert.equal(json.winner, undefined, 'fastify and node-http tie');
    assert.ok(
      json.comparisons.some((c) => c.a === 'fastify' && c.b === 'fastapi-uvicorn' && !c.tie),
      'best Node vs best Python',
    );
    assert.ok(json.comparisons.some((c) => c.text.startsWith('tie: fastify and node-http on json')));
    const fastify = json.stacks[0]!;
    assert.equal(fastify.rps?.n, 3);
    assert.equal(fastify.peakPssMiB, 70);
    assert.ok(fastify.cpuUsPerRequest! > 0);
    // p99 of the merged histograms: 10 ms within HdrHistogram's 3 significant digits.
    assert.ok(Math.abs(fastify.p99Ms! - 10) < 0.05, String(fastify.p99Ms));
    const data = a.workloads.find((w) => w.workload === 'data')!;
    assert.equal(data.winner, 'fastapi-uvicorn');
    const io = a.workloads.find((w) => w.workload === 'io')!;
    assert.equal(io.stacks.find((s) => s.stack === 'flask-gunicorn')?.capacity?.value, 140);
    assert.ok(
      io.comparisons.some((c) => c.metric === 'capacity' && c.a === 'node-http' && c.b === 'fastapi-uvicorn'),
    );
  });
  it('decides every claim and answers the question from the figures', () => {
    const a = analyze(full());
    const v = (id: string) => a.verdicts.find((x) => x.claim === id)!;
    assert.equal(a.verdicts.length, 10);
    assert.equal(v('raw-performance').verdict, 'supported');
    assert.equal(v('data-heavy').verdict, 'supported');
    assert.equal(v('concurrent-io').verdict, 'supported');
    assert.equal(v('python-needs-wsgi').verdict, 'depends');
    assert.equal(v('horizontal-scaling').verdict, 'not measured');
    assert.equal(v('heavy-computation').verdict, 'not measured');
    const rec = a.recommendation.join('\n');
    assert.match(
      rec,
      /Choose Node\.js for json \(fastify 3\.3x fastapi-uvicorn\) and io \(node-http 2\.3x fastapi-uvicorn within the SLO\)/,
    );
    assert.match(rec, /Choose Python for data \(fastapi-uvicorn 3\.0x node-http\)/);
    assert.match(
      rec,
      /If you choose Python, the server model matters: on json fastapi-uvicorn 2.3x flask-gunicorn; on io fastapi-uvicorn 25x flask-gunicorn within the SLO/,
    );
    assert.match(rec, /Cost on json: Node\.js .*50-80 MiB peak memory \(PSS\); Python .*60-120 MiB/);
    assert.doesNotMatch(rec, /fewer than 3 runs/);
  });
  it('is deterministic and serializes to plain JSON', () => {
    const r = full();
    const a = analyze(r);
    assert.deepEqual(analyze(r), a);
    const text = JSON.stringify(a);
    assert.doesNotMatch(text, /null|NaN|Infinity/);
    assert.deepEqual(JSON.parse(text), a);
  });
});

describe('what to choose', () => {
  it('reports a server model spread only where it is decided: two lower bounds are not one', () => {
    const io = (stack: RunSpec['stack'], rps: number): RunSpec => ({
      stack,
      workload: 'io',
      rps: around(rps),
    });
    const r = makeResults({
      stacks: ['node-http', 'fastapi-uvicorn', 'flask-gevent'],
      workloads: ['io'],
      runs: [io('node-http', 3000), io('fastapi-uvicorn', 2700), io('flask-gevent', 1900)],
      caps: [
        { stack: 'node-http', workload: 'io', rps: 9000, failedAt: 9500 },
        { stack: 'fastapi-uvicorn', workload: 'io', rps: 4000, limitedBy: 'generator' },
        { stack: 'flask-gevent', workload: 'io', rps: 1000, limitedBy: 'generator' },
      ],
    });
    const rec = analyze(r).recommendation.join('\n');
    assert.doesNotMatch(rec, /server model matters/, rec);
    // With a ceiling found on the slower one, the same 4x is decided, and said.
    r.capacities.find((c) => c.stack === 'flask-gevent')!.high = 1050;
    r.capacities.find((c) => c.stack === 'flask-gevent')!.limitedBy = 'slo';
    assert.match(
      analyze(r).recommendation.join('\n'),
      /server model matters: on io fastapi-uvicorn 4\.0x flask-gevent/,
    );
  });
});

describe('analyze on a partial run', () => {
  it('a Python stack missing and a workload failing verification', () => {
    const r = makeResults({
      stacks: ['fastify', 'flask-gunicorn', 'fastapi-uvicorn'],
      workloads: ['json', 'ml'],
      failed: { 'fastapi-uvicorn': 'uvicorn is not installed' },
      unverified: [{ stack: 'flask-gunicorn', workload: 'ml', reason: 'classes differ' }],
      runs: [
        { stack: 'fastify', workload: 'json', rps: around(30000) },
        { stack: 'flask-gunicorn', workload: 'json', rps: around(4000) },
        { stack: 'fastify', workload: 'ml', rps: around(800) },
      ],
    });
    const a = analyze(r);
    const ml = a.workloads.find((w) => w.workload === 'ml')!;
    assert.deepEqual(
      ml.stacks.filter((s) => s.status !== 'measured').map((s) => `${s.stack} ${s.status}: ${s.reason}`),
      [
        'flask-gunicorn not verified: classes differ',
        'fastapi-uvicorn unavailable: uvicorn is not installed',
      ],
    );
    assert.equal(ml.comparisons.length, 0);
    assert.equal(ml.winner, undefined, 'one stack is not a contest');
    const mlv = a.verdicts.find((v) => v.claim === 'ml-logic')!;
    assert.equal(mlv.verdict, 'not measured');
    assert.match(mlv.summary, /classes differ/);
    assert.equal(a.verdicts.find((v) => v.claim === 'raw-performance')!.verdict, 'supported');
    assert.match(a.recommendation.join('\n'), /No Node\.js-vs-Python comparison for ml/);
  });
  it('an interrupted run with one rep, and an interrupted point excluded', () => {
    const runs: RunSpec[] = [
      { stack: 'fastify', workload: 'json', rps: [30000, 12000], flags: [[], ['interrupted']] },
      { stack: 'flask-gunicorn', workload: 'json', rps: [4000] },
    ];
    const r = makeResults({
      stacks: ['fastify', 'flask-gunicorn'],
      workloads: ['json', 'io'],
      runs,
      status: 'interrupted',
    });
    const a = analyze(r);
    const json = a.workloads[0]!;
    const fastify = json.stacks.find((s) => s.stack === 'fastify')!;
    assert.deepEqual(fastify.rps, { median: 30000, low: 30000, high: 30000, n: 1 });
    assert.deepEqual(fastify.flags, []);
    assert.deepEqual(fastify.notes, ['excluded 1 run cut short by an interruption']);
    assert.match(
      json.comparisons[0]!.text,
      /^fastify is 7\.5x flask-gunicorn on json \(1 run, no interval\)$/,
    );
    const io = a.workloads[1]!;
    assert.equal(io.stacks.filter((s) => s.status === 'measured').length, 0);
    assert.match(io.stacks[0]!.reason!, /not reached before the run was interrupted/);
    assert.match(a.recommendation.join('\n'), /fewer than 3 runs \(the run was interrupted\)/);
  });
});
