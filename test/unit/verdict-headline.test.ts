// Every verdict's headline and rows, made by the rule that decides it: one line of at most ~20 words with the
// verdict and its decisive figure (which is one of the rows' figures), the matchups as rows, on a real quick run
// and on synthetic results for each verdict a rule gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/analysis/index.js';
import { CLAIMS, type Claim } from '../../src/analysis/claims.js';
import { derive } from '../../src/analysis/derive.js';
import {
  runtimeHeadline,
  scalingHeadline,
  spanPct,
  spanX,
  type ScalingOutcome,
} from '../../src/analysis/headline.js';
import { RULES } from '../../src/analysis/verdicts.js';
import type { Results, Verdict } from '../../src/results/types.js';
import { Verdict as VerdictSchema } from '../../src/results/verdict-schema.js';
import { quickRun } from '../fixtures/quick-run.js';
import { jsonResults } from '../fixtures/results-synthetic.js';

const claim = (id: string): Claim => CLAIMS.find((c) => c.id === id)!;
const judge = (id: string, r: Results): Verdict => RULES[claim(id).rule](r, derive(r), claim(id));
const words = (s: string) => s.split(/\s+/).length;

const json = jsonResults;

/** The headline's figure is a row's: the same pair, and the row's ratio or its inverse. */
function figureIsARow(v: Verdict): void {
  const f = v.headline.figure!;
  if (f.unit === '%') {
    const row = v.matchups.find((r) => r.metric === 'efficiency' && [r.favoured, r.opponent].includes(f.a));
    assert.ok(row, `${v.claim}: a scaling row for ${f.a}`);
    return;
  }
  const row = v.matchups.find(
    (r) =>
      r.ratio &&
      r.workload === f.workload &&
      (r.at ?? '') === (f.at ?? '') &&
      ((r.favoured === f.a && r.opponent === f.b && Math.abs(r.ratio.value - f.value) < 1e-9) ||
        (r.favoured === f.b && r.opponent === f.a && Math.abs(1 / r.ratio.value - f.value) < 1e-9)),
  );
  assert.ok(row, `${v.claim}: the figure ${JSON.stringify(f)} is one of the rows`);
}

describe('headlines on a real quick run', () => {
  const a = analyze(quickRun());

  it('gives every claim one line of at most ~20 words, the verdict first', () => {
    assert.equal(a.verdicts.length, CLAIMS.length);
    for (const v of a.verdicts) {
      assert.ok(v.headline.text.startsWith(`${v.verdict} — `), v.headline.text);
      assert.ok(words(v.headline.text) <= 22, `${v.claim}: ${words(v.headline.text)} words`);
      assert.ok(!v.headline.text.includes('\n'));
    }
  });

  it('states the decisive figure with its interval, and carries it as data from one of the rows', () => {
    for (const v of a.verdicts.filter((x) => x.verdict !== 'not measured')) {
      const f = v.headline.figure;
      assert.ok(f, `${v.claim} has a figure`);
      const shown = f.unit === 'x' ? spanX(f) : spanPct(f);
      assert.ok(v.headline.text.includes(shown), `${v.claim}: "${shown}" in "${v.headline.text}"`);
      assert.ok(v.headline.text.includes(f.a) && v.headline.text.includes(f.b), v.headline.text);
      figureIsARow(v);
    }
  });

  it('keeps the summary and evidence whole, and every comparison as a row', () => {
    const io = a.verdicts.find((v) => v.claim === 'concurrent-io')!;
    const [won, total] = /(\d+) of (\d+) matchups won/.exec(io.summary)!.slice(1).map(Number);
    assert.equal(io.matchups.filter((r) => !r.at).length, total);
    assert.equal(io.matchups.filter((r) => r.outcome === 'win' || r.outcome === 'cannot serve').length, won);
    assert.ok(io.summary.length > 400, 'the full summary is still there');
    const chat = a.verdicts.find((v) => v.claim === 'realtime-chat-streaming')!;
    const cannot = chat.matchups.filter((r) => r.outcome === 'cannot serve');
    assert.ok(cannot.some((r) => r.opponent === 'flask-gunicorn' && r.opponentClass === 'WSGI sync'));
    assert.ok(cannot.every((r) => r.ratio === null && r.notes.length > 0));
    const ml = a.verdicts.find((v) => v.claim === 'ml-logic')!;
    assert.ok(
      ml.matchups.some((r) => r.at?.endsWith('MFLOP')),
      'the sweep is in the rows',
    );
  });

  it('matches the published schema, also after a round trip through JSON', () => {
    for (const v of a.verdicts) VerdictSchema.parse(JSON.parse(JSON.stringify(v)));
  });
});

describe('headlines from synthetic results', () => {
  it('supported: the narrowest win, with its pair', () => {
    const v = judge(
      'raw-performance',
      json({ fastify: 30000, 'flask-gunicorn': 5000, 'fastapi-uvicorn': 9000 }),
    );
    assert.equal(v.verdict, 'supported');
    assert.match(
      v.headline.text,
      /^supported — fastify serves 3\.3x \(\d\.\d–\d\.\d\) fastapi-uvicorn on json; the narrowest of 2 wins$/,
    );
    assert.deepEqual([v.headline.figure!.a, v.headline.figure!.b], ['fastify', 'fastapi-uvicorn']);
    assert.equal(v.headline.figure!.metric, 'rps');
  });

  it('depends: the condition in a few words — the classes won and the one tied', () => {
    const v = judge(
      'raw-performance',
      json({ fastify: 10000, 'flask-gunicorn': 2400, 'fastapi-uvicorn': 9900 }),
    );
    assert.equal(v.verdict, 'depends');
    assert.match(
      v.headline.text,
      /^depends — Node\.js wins against WSGI \(4\.2x\); ties ASGI on json: fastify 1\.01x \([\d.]+–[\d.]+\) fastapi-uvicorn$/,
    );
    const tie = v.matchups.find((r) => r.outcome === 'tie')!;
    assert.equal(tie.opponentClass, 'ASGI');
  });

  it('not supported: the clearest loss, said from the side that won', () => {
    const v = judge('raw-performance', json({ fastify: 5000, 'fastapi-uvicorn': 9000 }));
    assert.equal(v.verdict, 'not supported');
    assert.match(
      v.headline.text,
      /^not supported — fastapi-uvicorn serves 1\.80x \(.+\) fastify on json; Node\.js won none of 1$/,
    );
    assert.equal(v.headline.figure!.a, 'fastapi-uvicorn');
  });

  it('not measured: the reason in a few words, and no figure', () => {
    const r = json(
      { fastify: 10000, 'flask-gunicorn': 1 },
      { failed: { 'flask-gunicorn': 'gunicorn is not installed' } },
    );
    r.points = r.points.filter((p) => p.stack !== 'flask-gunicorn');
    const v = judge('raw-performance', r);
    assert.equal(v.verdict, 'not measured');
    assert.equal(v.headline.figure, undefined);
    assert.match(v.headline.text, /^not measured — no Python figures on json$/);
    assert.ok(v.summary.includes('gunicorn is not installed'), 'the summary keeps the reason whole');
  });
});

describe('the scaling headline', () => {
  const side = (stack: string, value: number, low: number, high: number | null) => ({
    stack,
    e: { value, low, high },
  });
  const o = (workload: 'json' | 'io', node: number, python: number, outcome: ScalingOutcome['outcome']) => ({
    workload,
    n: 4,
    node: side('node-cluster', node, node - 0.1, node + 0.1),
    python: side('fastapi-uvicorn', python, python - 0.1, python + 0.1),
    outcome,
  });

  it('supported: the workload with the smallest margin, both efficiencies as data', () => {
    const h = scalingHeadline('supported', [o('json', 0.9, 0.4, 'node'), o('io', 0.8, 0.55, 'node')]);
    assert.equal(
      h.text,
      'supported — Node.js scales better, E(4) node-cluster 80% (70–90%) vs fastapi-uvicorn 55% (45–65%) on io',
    );
    assert.deepEqual(h.figure!.versus, { value: 0.55, low: 0.55 - 0.1, high: 0.55 + 0.1 });
    assert.equal(h.figure!.unit, '%');
    assert.equal(h.figure!.at, '4 replicas');
  });

  it('depends names where Node.js scales better and where not; not measured gives its reason', () => {
    const h = scalingHeadline('depends', [o('json', 0.9, 0.4, 'node'), o('io', 0.6, 0.6, 'alike')]);
    assert.match(h.text, /^depends — Node\.js better on json, E\(4\) node-cluster 90% .+; alike on io$/);
    const n = scalingHeadline(
      'not measured',
      [],
      'the scaling study did not run (stackbench run --scaling on runs it)',
    );
    assert.equal(n.text, 'not measured — the scaling study did not run');
    assert.equal(n.figure, undefined);
  });
});

describe('a runtime headline with rows that have nothing to divide', () => {
  // A short real run found node-http's io capacity 0: the row is undecided with no ratio, and the headline
  // threw on it (rowFigure of undefined), ending the run with a TypeError after every point was measured.
  const row = {
    workload: 'io' as const,
    metric: 'capacity' as const,
    favoured: 'node-http',
    opponent: 'fastapi-uvicorn',
    opponentClass: 'ASGI',
    ratio: null,
    favouredFigure: null,
    opponentFigure: { value: 1949, low: 1949, high: 1949 },
    outcome: 'undecided' as const,
    notes: [],
  };
  const c = { sloP99Ms: 100 };
  it('undecided: says so, with no figure', () => {
    const h = runtimeHeadline('undecided', [row], { wins: 0, total: 1, undecided: 1 }, 'Node.js', c, []);
    assert.equal(h.text, 'undecided — 1 of 1 undecided, no ratio to lean on; 0 won');
    assert.equal(h.figure, undefined);
  });
  it('not supported and depends: a line without a figure, not a TypeError', () => {
    const none = runtimeHeadline(
      'not supported',
      [row],
      { wins: 0, total: 1, undecided: 1 },
      'Node.js',
      c,
      [],
    );
    assert.equal(none.text, 'not supported — Node.js won none of 1');
    const won = { ...row, outcome: 'win' as const, ratio: { value: 3, low: 2, high: 4 } };
    const dep = runtimeHeadline('depends', [won, row], { wins: 1, total: 2, undecided: 1 }, 'Node.js', c, []);
    assert.match(dep.text, /^depends — Node\.js wins against ASGI \(3(\.0)?x\), not every matchup$/);
  });
});
