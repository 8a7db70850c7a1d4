// Every verdict's headline and rows, made by the rule that decides it: one line of at most ~20 words with the
// verdict and its decisive figure (which is one of the rows' figures), the matchups as rows, on a real quick run
// and on synthetic results for each verdict a rule gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/analysis/index.js';
import { CLAIMS, type Claim } from '../../src/analysis/claims.js';
import { derive } from '../../src/analysis/derive.js';
import {
  floorsForm,
  notMeasured,
  runtimeHeadline,
  scalingHeadline,
  sizesHeadline,
  spanPct,
  spanX,
  type ScalingOutcome,
} from '../../src/analysis/headline.js';
import { invert } from '../../src/analysis/verdict-rows.js';
import { verdictLines } from '../../src/report/verdict-lines.js';
import { RULES } from '../../src/analysis/verdicts.js';
import type { Crossover, Results, Verdict, VerdictRow } from '../../src/results/types.js';
import { Verdict as VerdictSchema } from '../../src/results/verdict-schema.js';
import { quickRun, quickRunDec07 } from '../fixtures/quick-run.js';
import { jsonResults } from '../fixtures/results-synthetic.js';

const claim = (id: string): Claim => CLAIMS.find((c) => c.id === id)!;
const judge = (id: string, r: Results): Verdict => RULES[claim(id).rule](r, derive(r), claim(id));
const words = (s: string) => s.split(/\s+/).length;

const json = jsonResults;

/** The headline's figure is a row's: the same pair, and the row's ratio or its inverse. */
function figureIsARow(v: Verdict): VerdictRow {
  const f = v.headline.figure!;
  if (f.unit === '%') {
    const row = v.matchups.find(
      (r) => r.metric === 'efficiency' && r.workload === f.workload && [r.favoured, r.opponent].includes(f.a),
    );
    assert.ok(row, `${v.claim}: a scaling row for ${f.a}`);
    return row;
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
  return row;
}

/** What the decisive figure's row may say, by verdict: one that decided it, never a lean (but for undecided). */
const DECIDED: Record<string, VerdictRow['outcome'][]> = {
  // python-needs-wsgi is supported by WSGI being level with ASGI: a tie decides it.
  supported: ['win', 'tie'],
  'not supported': ['loss', 'tie'],
  depends: ['win', 'loss', 'tie'],
  undecided: ['undecided', 'tie', 'win', 'loss'],
};

for (const [name, run] of [
  ['2026-12-03', quickRun],
  ['2026-12-07', quickRunDec07],
] as const)
  describe(`headlines on a real quick run (${name})`, () => {
    const a = analyze(run());

    it('rest on a figure that decided the verdict: for a win, the narrowest decided one', () => {
      for (const v of a.verdicts.filter((x) => x.headline.figure)) {
        const row = figureIsARow(v);
        assert.ok(
          DECIDED[v.verdict]!.includes(row.outcome),
          `${v.claim}: ${row.outcome} row for ${v.verdict}`,
        );
        const f = v.headline.figure!;
        const heads = v.matchups.filter((r) => !r.at && r.ratio && r.metric !== 'efficiency');
        if (f.at || f.unit === '%') continue;
        if (v.verdict === 'supported' && heads.some((r) => r.outcome === 'win')) {
          const lows = heads.filter((r) => r.outcome === 'win').map((r) => r.ratio!.low);
          assert.equal(f.low, Math.min(...lows), `${v.claim}: the narrowest win`);
        }
        if (v.verdict === 'not supported' && heads.some((r) => r.outcome === 'loss')) {
          const lows = heads.filter((r) => r.outcome === 'loss').map((r) => invert(r.ratio!).low);
          assert.equal(f.low, Math.min(...lows), `${v.claim}: the other side's narrowest win`);
        }
      }
    });
  });

describe('headlines on a real quick run with an undecided matchup under a supported claim', () => {
  const a = analyze(quickRunDec07());
  const io = a.verdicts.find((v) => v.claim === 'concurrent-io')!;

  it('shows the narrowest decided win and only counts the lean', () => {
    assert.equal(io.verdict, 'supported');
    assert.ok(io.matchups.some((r) => r.outcome === 'undecided' && r.ratio?.low === 0));
    assert.equal(
      io.headline.text,
      'supported — node-http sustains 1.75x (1.13–2.95) fastapi-uvicorn on db within p99 ≤ 100 ms; the narrowest of 11 wins, 1 undecided',
    );
    assert.ok(io.headline.figure!.low > 1, 'a decided figure: its interval clear of 1');
    for (const v of a.verdicts.filter((x) => x.verdict === 'supported'))
      assert.ok(v.headline.figure!.low > 1, `${v.claim}: ${v.headline.text}`);
  });
});

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
      // Where the side behind is a lower bound, the sides' figures stand for the ratio.
      const shown = floorsForm(f) ?? (f.unit === 'x' ? spanX(f) : spanPct(f));
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

  it('not supported: the other side’s win, said from that side', () => {
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

  it('not supported: of Python’s wins, the narrowest', () => {
    const h = scalingHeadline('not supported', [o('json', 0.3, 0.9, 'python'), o('io', 0.5, 0.8, 'python')]);
    assert.match(h.text, /^not supported — Python scales better, E\(4\) fastapi-uvicorn 80% .* on io$/);
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
    assert.equal(none.text, 'not supported — Node.js won none of 1, 1 undecided');
    const won = { ...row, outcome: 'win' as const, ratio: { value: 3, low: 2, high: 4 } };
    const dep = runtimeHeadline('depends', [won, row], { wins: 1, total: 2, undecided: 1 }, 'Node.js', c, []);
    assert.match(dep.text, /^depends — Node\.js wins against ASGI \(3(\.0)?x\), not every matchup$/);
  });
});

describe('a runtime headline made from its rows', () => {
  const c = { sloP99Ms: 100 };
  const row = (
    workload: 'io' | 'db' | 'service' | 'chat',
    outcome: VerdictRow['outcome'],
    value: number,
    low: number,
    high: number | null,
    opponent = 'fastapi-uvicorn',
  ): VerdictRow => ({
    workload,
    metric: 'capacity',
    favoured: 'node-http',
    opponent,
    opponentClass: 'ASGI',
    ratio: { value, low, high },
    favouredFigure: null,
    opponentFigure: null,
    outcome,
    notes: [],
  });

  it('supported with a lean: the narrowest decided win is the figure, the lean only counted', () => {
    const rows = [
      row('io', 'win', 3, 2, 4),
      row('db', 'win', 1.5, 1.2, 1.9),
      row('service', 'undecided', 1.9, 0, 3.3),
    ];
    const h = runtimeHeadline('supported', rows, { wins: 2, total: 3, undecided: 1 }, 'Node.js', c, []);
    assert.equal(
      h.text,
      'supported — node-http sustains 1.50x (1.20–1.90) fastapi-uvicorn on db within p99 ≤ 100 ms; the narrowest of 2 wins, 1 undecided',
    );
    assert.equal(h.figure!.low, 1.2);
    const one = runtimeHeadline(
      'supported',
      [rows[1]!, rows[2]!],
      { wins: 1, total: 2, undecided: 1 },
      'Node.js',
      c,
      [],
    );
    assert.match(one.text, /1\.50x \(1\.20–1\.90\) .*; 1 of 2 won, 1 undecided$/);
  });

  it('not supported: of two losses, the narrower one, said from the side that won', () => {
    const rows = [row('io', 'loss', 0.2, 0.1, 0.4), row('db', 'loss', 0.6, 0.5, 0.8)];
    const h = runtimeHeadline('not supported', rows, { wins: 0, total: 2, undecided: 0 }, 'Node.js', c, []);
    assert.equal(h.figure!.a, 'fastapi-uvicorn');
    assert.equal(h.figure!.workload, 'db');
    assert.ok(Math.abs(h.figure!.low - 1.25) < 1e-9, `from the winner: 1 / 0.8 (${h.figure!.low})`);
    assert.match(h.text, /^not supported — fastapi-uvicorn sustains 1\.67x \(1\.25–2\.00\) node-http on db/);
  });

  it('undecided: the lean most against the claim, the won ones counted', () => {
    const rows = [
      row('io', 'win', 3, 2, 4),
      row('db', 'undecided', 1.4, 0, 2),
      row('service', 'undecided', 0.5, 0, 1.2),
    ];
    const h = runtimeHeadline('undecided', rows, { wins: 1, total: 3, undecided: 2 }, 'Node.js', c, []);
    assert.match(
      h.text,
      /^undecided — 1 of 3 won, 2 undecided: fastapi-uvicorn 2\.0x \(0\.8–∞\) node-http on service$/,
    );
  });

  it('undecided on two lower bounds: what each sustained at least, not a ratio of 0 to ∞', () => {
    // A quick run (2026-12-07): both chat capacities stopped at the generator's 16,000/s with no ceiling found,
    // and the headline read "node-cluster 1.00x (0–∞) fastapi-uvicorn on chat".
    const bounds = (a: number, b: number): VerdictRow => ({
      ...row('io', 'undecided', a / b, 0, null),
      favouredFigure: { value: a, low: a, high: null },
      opponentFigure: { value: b, low: b, high: null },
    });
    const same = runtimeHeadline(
      'undecided',
      [row('db', 'win', 3, 2, 4), bounds(16000, 16000)],
      {
        wins: 1,
        total: 2,
        undecided: 1,
      },
      'Node.js',
      c,
      [],
    );
    assert.equal(
      same.text,
      'undecided — 1 of 2 won, 1 undecided: node-http and fastapi-uvicorn both ≥ 16,000/s on io (no ceiling found)',
    );
    assert.deepEqual(same.figure!.sides, { a: 16000, b: 16000, aFloor: true, bFloor: true });
    const v: Verdict = {
      claim: 'realtime-chat-streaming',
      verdict: 'undecided',
      headline: same,
      summary: '',
      evidence: [],
      matchups: [],
    };
    const line = verdictLines([v], 80);
    assert.match(
      line[0]!,
      /undecided +realtime(-chat-streaming)? +node-http and fastapi-uvicorn both ≥ 16,000\/s/,
    );
    // Unequal floors: each its own, the one ahead first.
    const apart = runtimeHeadline(
      'undecided',
      [bounds(9000, 12000)],
      { wins: 0, total: 1, undecided: 1 },
      'Node.js',
      c,
      [],
    );
    assert.match(
      apart.text,
      /: fastapi-uvicorn ≥ 12,000\/s, node-http ≥ 9,000\/s on io \(no ceiling found\)$/,
    );
    // One bound, on the side ahead: a ratio with an open end, a lower bound on the truth.
    const one = row('io', 'undecided', 1.5, 0.8, null);
    one.favouredFigure = { value: 3000, low: 3000, high: null };
    one.opponentFigure = { value: 2000, low: 1900, high: 2100 };
    const h = runtimeHeadline('undecided', [one], { wins: 0, total: 1, undecided: 1 }, 'Node.js', c, []);
    assert.deepEqual(h.figure!.sides, { a: 3000, b: 2000, aFloor: true, bFloor: false });
    assert.match(h.text, /node-http 1\.50x \(0\.80–∞\) fastapi-uvicorn on io$/);
    // One bound, on the side behind (a quick run of 2026-12-07): its ratio is only an upper limit, so the
    // figures are said, not "fastapi-uvicorn 1.54x (0–2.40) node-http on chat".
    const behind = row('chat', 'undecided', 34900 / 53800, 0.42, null);
    behind.favouredFigure = { value: 34900, low: 34900, high: null };
    behind.opponentFigure = { value: 53800, low: 52000, high: 55600 };
    const hb = runtimeHeadline('undecided', [behind], { wins: 0, total: 1, undecided: 1 }, 'Node.js', c, []);
    assert.deepEqual(hb.figure!.sides, { a: 53800, b: 34900, aFloor: false, bFloor: true });
    assert.equal(hb.figure!.a, 'fastapi-uvicorn');
    assert.match(hb.text, /: fastapi-uvicorn 53,800\/s, node-http ≥ 34,900\/s on chat \(no ceiling found\)$/);
    const lines = verdictLines([{ ...v, headline: hb }], 80);
    assert.match(lines[0]!, /fastapi-uvicorn 53,800\/s, node-http ≥ 34,900\/s/);
  });

  it('depends: the clearest loss, from the side that won it, rather than a tie', () => {
    const rows = [
      row('io', 'win', 3, 2, 4, 'flask-gunicorn'),
      row('db', 'tie', 0.9, 0.7, 1.2),
      row('service', 'loss', 0.7, 0.6, 0.8),
    ];
    rows[0]!.opponentClass = 'WSGI sync';
    const h = runtimeHeadline('depends', rows, { wins: 1, total: 3, undecided: 0 }, 'Node.js', c, []);
    assert.equal(h.figure!.a, 'fastapi-uvicorn');
    assert.equal(h.figure!.workload, 'service');
    assert.match(h.text, /; loses to ASGI on db, service: fastapi-uvicorn 1\.43x/);
  });
});

describe('the sweep’s headline', () => {
  const step = (
    size: number,
    median: number,
    low: number,
    high: number,
    outcome: 'node' | 'python' | 'tie',
  ) => ({
    size,
    label: `${size}`,
    pythonMs: 1,
    nodeMs: median,
    nodeImpl: 'loops',
    ratio: { median, low, high, n: 3 },
    outcome,
    perImpl: [{ stack: 'node-http', impl: 'loops', ms: median }],
  });
  const x = (steps: Crossover['steps']): Crossover => ({
    family: 'ml',
    node: 'node-http',
    python: 'fastapi-uvicorn',
    steps,
    text: '',
  });
  const base = { verdict: 'not measured' as const, headline: notMeasured('no headline figures') };

  it('supported from the sweep alone: the narrowest size Python won, ties counted, not called a win', () => {
    const xs = [
      x([step(1, 3, 2, 4.5, 'python'), step(10, 1.1, 0.5, 2, 'tie'), step(100, 5, 4, 6.5, 'python')]),
    ];
    const h = sizesHeadline('supported', base, 'supported', xs, false);
    assert.equal(
      h.text,
      'supported — NumPy on fastapi-uvicorn serves 3.0x (2.0–4.5) node-http at 1 MFLOP, ahead at 2 of 3 sizes, the rest ties',
    );
  });

  it('the headline’s verdict kept: says whether every size agrees, or that the rest were ties', () => {
    const kept = { verdict: 'not supported' as const, headline: { text: 'not supported — x' } };
    const all = [x([step(1, 0.2, 0.1, 0.4, 'node'), step(10, 0.5, 0.3, 0.8, 'node')])];
    assert.equal(
      sizesHeadline('not supported', kept, 'not supported', all, false).text,
      'not supported — x; every size agrees',
    );
    const some = [x([step(1, 0.2, 0.1, 0.4, 'node'), step(10, 0.9, 0.3, 2, 'tie')])];
    assert.equal(
      sizesHeadline('not supported', kept, 'not supported', some, false).text,
      'not supported — x; NumPy ahead at no size',
    );
    const both = { verdict: 'depends' as const, headline: { text: 'depends — y' } };
    const mixed = [x([step(1, 0.2, 0.1, 0.4, 'node'), step(10, 3, 2, 4, 'python')])];
    assert.equal(sizesHeadline('depends', both, 'depends', mixed, false).text, 'depends — y');
    const ties = [x([step(1, 0.9, 0.3, 2, 'tie'), step(10, 7, 0.1, 50, 'tie')])];
    assert.equal(
      sizesHeadline('not supported', kept, 'undecided', ties, false).text,
      'not supported — x; a tie at every size',
    );
  });
});
