// The sweep's analysis: where Python overtakes Node.js, from synthetic sweep points, and how the "Python wins"
// verdicts read it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLAIMS } from '../../src/analysis/claims.js';
import { crossovers } from '../../src/analysis/crossover.js';
import { derive } from '../../src/analysis/derive.js';
import { RULES } from '../../src/analysis/verdicts.js';
import type { Results } from '../../src/results/types.js';
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
    for (const s of x.steps) assert.ok(s.ratio.low <= s.ratio.median && s.ratio.median <= s.ratio.high);
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
    assert.match(x.text, /Node\.js \(arquero\) stays ahead of pandas up to the largest size measured/);
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
    assert.match(v.summary, /Across sizes: Node\.js \(loops\) stays ahead of NumPy/);
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
