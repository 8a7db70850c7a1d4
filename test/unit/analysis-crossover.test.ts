// The sweep's analysis: where Python overtakes Node.js, from synthetic sweep points, and how the "Python wins"
// verdicts read it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLAIMS } from '../../src/analysis/claims.js';
import { crossovers } from '../../src/analysis/crossover.js';
import { derive } from '../../src/analysis/derive.js';
import { RULES } from '../../src/analysis/verdicts.js';
import { analyze } from '../../src/analysis/index.js';
import { sweepRows } from '../../src/analysis/verdict-rows.js';
import type { Results } from '../../src/results/types.js';
import { quickRunDec07 } from '../fixtures/quick-run.js';
import { around, makeResults, type RunSpec, type SweepSpec } from '../fixtures/results-synthetic.js';

const judge = (id: string, r: Results) => {
  const c = CLAIMS.find((x) => x.id === id)!;
  return RULES[c.rule](r, derive(r), c);
};

/** ms per request at each size, per implementation: rps = 1000 / ms, three runs 1% apart. */
function sweep(
  stack: SweepSpec['stack'],
  impl: string,
  msBySize: Array<[number, number]>,
  op?: SweepSpec['op'],
) {
  return msBySize.map(([size, ms]): SweepSpec => ({
    stack,
    family: op ? 'data' : 'ml',
    ...(op ? { op } : {}),
    impl,
    size,
    rps: around(1000 / ms, 3, 0.01),
  }));
}

const headline = (node: number, python: number, workload: RunSpec['workload'] = 'ml'): RunSpec[] => [
  { stack: 'node-http', workload, rps: around(node) },
  { stack: 'fastapi-uvicorn', workload, rps: around(python) },
];

describe('crossovers', () => {
  it('finds the bracket where Python overtakes and keeps winning', () => {
    const r = makeResults({
      stacks: ['node-http', 'fastapi-uvicorn'],
      workloads: ['ml'],
      sweep: [
        ...sweep('node-http', 'loops', [
          [0.1, 0.2],
          [10, 5],
          [100, 60],
          [1000, 700],
        ]),
        ...sweep('fastapi-uvicorn', 'numpy', [
          [0.1, 1],
          [10, 6],
          [100, 20],
          [1000, 90],
        ]),
      ],
    });
    const [x] = crossovers(r);
    assert.ok(x);
    assert.equal(x.family, 'ml');
    assert.deepEqual(
      x.steps.map((s) => s.outcome),
      ['node', 'node', 'python', 'python'],
    );
    assert.deepEqual(x.flip, { above: 10, below: 100 });
    assert.match(
      x.text,
      /NumPy overtakes Node\.js for ML inference between 10 MFLOP and 100 MFLOP per request \(at 100 MFLOP: 3\.0x/,
    );
    // The ratio's interval holds the point estimate.
    for (const s of x.steps) assert.ok(s.ratio!.low <= s.ratio!.median && s.ratio!.median <= s.ratio!.high);
  });

  it('compares Python with the fastest Node.js implementation at each size', () => {
    const r = makeResults({
      stacks: ['node-http', 'fastapi-uvicorn'],
      workloads: ['data'],
      sweep: [
        ...sweep(
          'node-http',
          'loops',
          [
            [10_000, 2],
            [1_000_000, 400],
          ],
          'groupby',
        ),
        ...sweep(
          'node-http',
          'arquero',
          [
            [10_000, 4],
            [1_000_000, 100],
          ],
          'groupby',
        ),
        ...sweep(
          'fastapi-uvicorn',
          'pandas',
          [
            [10_000, 3],
            [1_000_000, 150],
          ],
          'groupby',
        ),
      ],
    });
    const [x] = crossovers(r);
    assert.ok(x);
    assert.deepEqual(
      x.steps.map((s) => [s.nodeImpl, s.outcome]),
      [
        ['loops', 'node'],
        ['arquero', 'node'],
      ],
    );
    assert.equal(x.flip, undefined);
    assert.equal(
      x.text,
      'Node.js (loops, arquero) is ahead of pandas for groupby over a table at 10k and 1M rows',
    );
  });

  it('a Python win followed by a loss is no crossover: only a win that lasts is', () => {
    const r = makeResults({
      stacks: ['node-http', 'fastapi-uvicorn'],
      workloads: ['ml'],
      sweep: [
        ...sweep('node-http', 'loops', [
          [1, 4],
          [10, 5],
          [100, 50],
        ]),
        ...sweep('fastapi-uvicorn', 'numpy', [
          [1, 2],
          [10, 10],
          [100, 20],
        ]),
      ],
    });
    const [x] = crossovers(r);
    assert.deepEqual(x!.flip, { above: 10, below: 100 });
  });
});

/** Every run of `stack` at `size` fails as the lab's did: one request, no answer within the 613 ms window. */
function failAt(r: Results, stack: string, size: number): Results {
  for (const p of r.points)
    if (p.stack === stack && p.sweep?.size === size) {
      Object.assign(p, { rps: 0, windowRps: 0, requests: 0, errorRate: 1, durationMs: 613 });
      p.errors = { ...p.errors, timeout: 1 };
      p.flags = ['few-samples', 'errors'];
    }
  return r;
}

const table = (
  pandas: Array<[number, number]>,
  loops: Array<[number, number]>,
  arquero?: Array<[number, number]>,
) =>
  makeResults({
    stacks: ['node-http', 'flask-gunicorn'],
    workloads: ['data'],
    runs: [
      { stack: 'node-http', workload: 'data', rps: around(1400) },
      { stack: 'flask-gunicorn', workload: 'data', rps: around(60) },
    ],
    sweep: [
      ...sweep('node-http', 'loops', loops, 'sort'),
      ...(arquero ? sweep('node-http', 'arquero', arquero, 'sort') : []),
      ...sweep('flask-gunicorn', 'pandas', pandas, 'sort'),
    ],
  });

describe('a size one side failed at', () => {
  it('is lost by the side that failed, said as a failure, never a tie or "ahead" of it', () => {
    const r = failAt(
      table(
        [
          [10_000, 10],
          [1_000_000, 900],
        ],
        [
          [10_000, 2],
          [1_000_000, 250],
        ],
      ),
      'flask-gunicorn',
      1_000_000,
    );
    const [x] = crossovers(r);
    const top = x!.steps.at(-1)!;
    assert.equal(top.size, 1_000_000);
    assert.equal(top.outcome, 'node');
    assert.deepEqual(top.failed, { side: 'python', why: 'no answer within 0.6 s' });
    assert.equal(top.ratio, null);
    assert.equal(top.pythonMs, null);
    assert.equal(
      x!.text,
      'Node.js (loops) is ahead of pandas for sort over a table at 10k rows; pandas failed at 1M rows (no answer within 0.6 s), Node.js (loops) answered',
    );
    const row = sweepRows([x!]).at(-1)!;
    assert.equal(row.outcome, 'loss');
    assert.equal(row.ratio, null);
    assert.equal(row.favouredFigure, null);
    assert.ok(row.notes.includes('flask-gunicorn failed: no answer within 0.6 s'), row.notes.join('; '));
    const v = judge('data-heavy', r);
    assert.equal(v.verdict, 'not supported');
    assert.match(v.headline.text, /; every size agrees$/);
  });

  it('Node.js failing at every implementation where pandas answers is where pandas overtakes', () => {
    const r = failAt(
      table(
        [
          [10_000, 10],
          [1_000_000, 400],
        ],
        [
          [10_000, 2],
          [1_000_000, 250],
        ],
        [
          [10_000, 4],
          [1_000_000, 300],
        ],
      ),
      'node-http',
      1_000_000,
    );
    const [x] = crossovers(r);
    assert.deepEqual(
      x!.steps.map((s) => [s.outcome, s.failed?.side ?? '']),
      [
        ['node', ''],
        ['python', 'node'],
      ],
    );
    assert.deepEqual(
      x!.steps[1]!.perImpl.map((p) => p.ms),
      [null, null],
      'each implementation failed',
    );
    assert.deepEqual(x!.flip, { above: 10_000, below: 1_000_000 });
    assert.match(x!.text, /pandas overtakes .* \(at 1M rows: Node\.js failed, no answer within 0\.6 s\)$/);
    // The verdict reads it as a size Python won: it depends on the size, with no ratio to show for it.
    const v = judge('data-heavy', r);
    assert.equal(v.verdict, 'depends');
    assert.match(
      v.headline.text,
      /^depends — Node\.js failed at sort, 1M rows \(no answer within 0\.6 s\); Node\.js ahead up to 10k rows$/,
    );
  });

  it('where both failed, no side wins the size, and the text says both failed', () => {
    let r = table(
      [
        [10_000, 10],
        [1_000_000, 900],
      ],
      [
        [10_000, 2],
        [1_000_000, 900],
      ],
    );
    r = failAt(failAt(r, 'flask-gunicorn', 1_000_000), 'node-http', 1_000_000);
    const [x] = crossovers(r);
    assert.deepEqual(
      x!.steps.map((s) => s.size),
      [10_000],
    );
    assert.match(x!.text, /; both failed at 1M rows$/);
  });
});

describe('the sweep in words', () => {
  it('says a lean as undecided: no side "stays ahead", and no tie from an interval this wide', () => {
    const r = makeResults({
      stacks: ['node-http', 'fastapi-uvicorn'],
      workloads: ['ml'],
      sweep: [
        { stack: 'node-http', family: 'ml', impl: 'loops', size: 1, rps: [500, 1500] },
        { stack: 'node-http', family: 'ml', impl: 'loops', size: 100, rps: [5, 15] },
        { stack: 'fastapi-uvicorn', family: 'ml', impl: 'numpy', size: 1, rps: [400, 1700] },
        { stack: 'fastapi-uvicorn', family: 'ml', impl: 'numpy', size: 100, rps: [30, 400] },
      ],
    });
    const [x] = crossovers(r);
    assert.deepEqual(
      x!.steps.map((s) => s.outcome),
      ['undecided', 'undecided'],
    );
    assert.equal(
      x!.text,
      'Node.js (loops) and NumPy are not told apart for ML inference at 1 and 100 MFLOP (too wide for a tie)',
    );
  });

  it('on a real quick run: the sort that pandas failed at 1M rows, the leans said as undecided', () => {
    const a = analyze(quickRunDec07());
    const by = (op?: string) => a.crossover.find((x) => (x.op ?? '') === (op ?? ''))!;
    const sort = by('sort');
    assert.deepEqual(sort.steps.at(-1)!.failed, { side: 'python', why: 'no answer within 0.6 s' });
    assert.equal(sort.steps.at(-1)!.outcome, 'node');
    // arquero timed out in both runs at 1M rows: its time there is null, the table's "failed".
    assert.equal(sort.steps.at(-1)!.perImpl.find((p) => p.impl === 'arquero')!.ms, null);
    assert.match(
      sort.text,
      /pandas failed at 1M rows \(no answer within 0\.6 s\), Node\.js \(loops\) answered$/,
    );
    // groupby at 1M: loops answered (arquero's one failed run aside); two runs a side cannot tell it from pandas.
    assert.equal(by('groupby').steps.at(-1)!.failed, undefined);
    assert.match(by('groupby').text, /not told apart at 200k and 1M rows \(too wide for a tie\)$/);
    assert.equal(
      by().text,
      'Node.js (loops) and NumPy are not told apart for ML inference at 0.15, 8.7 and 540 MFLOP (too wide for a tie)',
    );
    for (const x of a.crossover) assert.doesNotMatch(x.text, /stays ahead|\(a tie there\)/);
    const text = (id: string) => a.verdicts.find((v) => v.claim === id)!.headline.text;
    assert.match(text('data-heavy'), /; pandas ahead at no size$/);
    assert.match(text('ml-logic'), /; no size decided$/);
  });
});

describe('"Python wins" across sizes', () => {
  it('ml-logic: a headline loss becomes "depends" when NumPy wins at larger sizes, naming the size', () => {
    const r = makeResults({
      stacks: ['node-http', 'fastapi-uvicorn'],
      workloads: ['ml'],
      runs: headline(3000, 1000),
      sweep: [
        ...sweep('node-http', 'loops', [
          [1, 0.5],
          [100, 60],
        ]),
        ...sweep('fastapi-uvicorn', 'numpy', [
          [1, 1.5],
          [100, 20],
        ]),
      ],
    });
    const v = judge('ml-logic', r);
    assert.equal(v.verdict, 'depends');
    assert.match(
      v.summary,
      /it depends on the size — NumPy overtakes Node\.js for ML inference between 1 MFLOP and 100 MFLOP/,
    );
    assert.match(v.summary, /At the headline size: not supported/);
    assert.match(v.summary, /cannot settle what an ecosystem offers/);
    assert.ok(v.evidence.some((e) => e.startsWith('sweep: NumPy overtakes')));
  });

  it('ml-logic: stays "not supported" when Node.js wins at every size', () => {
    const r = makeResults({
      stacks: ['node-http', 'fastapi-uvicorn'],
      workloads: ['ml'],
      runs: headline(3000, 1000),
      sweep: [
        ...sweep('node-http', 'loops', [
          [1, 0.5],
          [100, 10],
        ]),
        ...sweep('fastapi-uvicorn', 'numpy', [
          [1, 1.5],
          [100, 20],
        ]),
      ],
    });
    const v = judge('ml-logic', r);
    assert.equal(v.verdict, 'not supported');
    assert.match(
      v.summary,
      /Across sizes: Node\.js \(loops\) is ahead of NumPy for ML inference at 1 and 100 MFLOP/,
    );
    assert.match(v.headline.text, /; every size agrees$/);
  });

  it('heavy-computation: a pure-language loss but a NumPy win says both', () => {
    const r = makeResults({
      stacks: ['node-http', 'fastapi-uvicorn'],
      workloads: ['cpu'],
      runs: headline(3000, 300, 'cpu'),
      sweep: [
        ...sweep('node-http', 'loops', [
          [1, 0.5],
          [100, 60],
        ]),
        ...sweep('fastapi-uvicorn', 'numpy', [
          [1, 1.5],
          [100, 20],
        ]),
      ],
    });
    const v = judge('heavy-computation', r);
    assert.equal(v.verdict, 'depends');
    assert.match(
      v.summary,
      /in a pure-language loop \(not supported at the headline\); in NumPy: NumPy overtakes/,
    );
  });

  it('without a sweep, the headline decides alone', () => {
    const r = makeResults({
      stacks: ['node-http', 'fastapi-uvicorn'],
      workloads: ['ml'],
      runs: headline(3000, 1000),
    });
    assert.equal(judge('ml-logic', r).verdict, 'not supported');
  });
});
