// report.html's verdict cards on a real quick run, as data and as markup: a picture per measured claim of the
// kind that decided it (bars of the best of each side, E(N) for scaling, the crossover curve for the sweep),
// ties kept as ties, and under each card its matchups as a table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/analysis/index.js';
import { htmlReport } from '../../src/report/html.js';
import { claimName } from '../../src/report/html-verdicts.js';
import { verdictCharts, type VerdictChart } from '../../src/report/verdict-charts.js';
import type { Results } from '../../src/results/types.js';
import { quickRun, quickRunDec07 } from '../fixtures/quick-run.js';

const run: Results = quickRun();
run.analysis = analyze(run);
const verdicts = run.analysis.verdicts;
const charts = verdictCharts(run.analysis, run.config.sloP99Ms);
const chartOf = (claim: string) => charts.find((c) => c.claim === claim)!;

describe('the verdict cards’ pictures', () => {
  it('draw each claim by what decided it', () => {
    assert.deepEqual(
      charts.map((c) => c.claim),
      verdicts.map((v) => v.claim),
    );
    assert.equal(chartOf('horizontal-scaling').kind, 'scaling');
    for (const c of ['data-heavy', 'ml-logic', 'heavy-computation'])
      assert.equal(chartOf(c).kind, 'crossover', c);
    for (const c of ['raw-performance', 'concurrent-io', 'microservices', 'speed-and-concurrency'])
      assert.equal(chartOf(c).kind, 'bars', c);
    assert.ok(
      charts.every((c) => c.kind !== 'none'),
      'this run measured every claim',
    );
    // JSON turns NaN and Infinity into null: every figure a picture draws is a finite number.
    for (const c of charts) {
      if (c.kind === 'bars' || c.kind === 'scaling')
        for (const b of c.groups.flatMap((g) => [g.fav, g.opp]).filter((x) => x !== null))
          assert.ok([b.value, b.low, b.high ?? 0].every(Number.isFinite), `${c.claim}: ${JSON.stringify(b)}`);
      if (c.kind === 'crossover')
        for (const p of c.curves.flatMap((x) => x.points))
          assert.ok([p.x, p.y, p.low, p.high].every(Number.isFinite), c.claim);
    }
  });

  it('bars: per workload the claim’s side against its strongest opponent, the outcome with them', () => {
    const io = chartOf('concurrent-io') as Extract<VerdictChart, { kind: 'bars' }>;
    assert.deepEqual(
      io.groups.map((g) => g.label),
      ['io', 'service', 'db'],
    );
    const v = verdicts.find((x) => x.claim === 'concurrent-io')!;
    for (const g of io.groups) {
      const rows = v.matchups.filter((r) => r.workload === g.label && r.opponentFigure);
      const strongest = Math.max(...rows.map((r) => r.opponentFigure!.value));
      assert.equal(g.opp!.value, strongest, g.label);
      assert.equal(g.fav!.stack, rows[0]!.favoured);
    }
    assert.match(io.axis, /capacity at p99 ≤ 100 ms/, 'the SLO is on the picture');
    const wsgi = chartOf('python-needs-wsgi') as Extract<VerdictChart, { kind: 'bars' }>;
    assert.equal(wsgi.groups[0]!.outcome, 'tie', 'a tie is drawn as a tie');
    assert.deepEqual(wsgi.sides, ['WSGI', 'ASGI']);
    const mixed = chartOf('speed-and-concurrency') as Extract<VerdictChart, { kind: 'bars' }>;
    assert.deepEqual(
      mixed.groups.map((g) => g.label),
      ['json', 'io capacity'],
    );
  });

  it('the sweep: Python’s speed over Node.js by size, with the flip where Python takes over', () => {
    const ml = chartOf('ml-logic') as Extract<VerdictChart, { kind: 'crossover' }>;
    assert.equal(ml.curves.length, 1);
    assert.ok(ml.curves[0]!.flip, 'the flip');
    assert.deepEqual(
      ml.curves[0]!.points.map((p) => p.outcome),
      // The smallest size's two runs a side give an interval too wide for a tie.
      ['undecided', 'python', 'python'],
    );
    const data = chartOf('data-heavy') as Extract<VerdictChart, { kind: 'crossover' }>;
    assert.deepEqual(data.curves.map((c) => c.label).sort(), ['groupby', 'sort']);
  });
});

describe('the crossover picture of a run where a side failed at a size', () => {
  const later = quickRunDec07();
  const a = analyze(later);
  const data = verdictCharts(a, later.config.sloP99Ms).find((c) => c.claim === 'data-heavy')!;

  it('draws no ratio for that size, but marks who failed there', () => {
    assert.equal(data.kind, 'crossover');
    if (data.kind !== 'crossover') return;
    const sort = data.curves.find((c) => c.label === 'sort')!;
    assert.deepEqual(
      sort.points.map((p) => p.x),
      [10_000, 200_000],
    );
    assert.deepEqual(sort.failed, [{ x: 1_000_000, side: 'python' }]);
    for (const p of data.curves.flatMap((c) => c.points))
      assert.ok([p.x, p.y, p.low, p.high].every(Number.isFinite), JSON.stringify(p));
  });
});

describe('the verdict cards’ markup', () => {
  const html = htmlReport(run);
  const cards = [...html.matchAll(/<article class="vcard[^]*?<\/article>/g)].map((m) => m[0]);

  it('has a card per claim: its short name, the verdict badge, the headline, a canvas', () => {
    assert.equal(cards.length, verdicts.length);
    verdicts.forEach((v, i) => {
      const c = cards[i]!;
      assert.ok(c.includes(`<span class="label">${v.verdict}</span>${claimName(v.claim)}</h3>`), v.claim);
      const headline = /<p class="headline">([^<]*)<\/p>/.exec(c)![1]!;
      assert.equal(headline.replace(/&#39;/g, "'"), v.headline.text.replace(`${v.verdict} — `, ''));
      assert.ok(c.includes(`<canvas data-chart="verdict-${v.claim}"`), v.claim);
    });
    assert.equal(claimName('python-needs-wsgi'), 'Python needs WSGI');
    assert.equal(claimName('concurrent-io'), 'Concurrent I/O');
  });

  it('opens to the matchups as a table, then the summary and the evidence', () => {
    verdicts.forEach((v, i) => {
      const c = cards[i]!;
      const details = /<details>[^]*<\/details>/.exec(c)![0];
      const rows = details.match(/<tr class="o-/g)?.length ?? 0;
      assert.equal(rows, v.matchups.length, v.claim);
      assert.ok(details.includes('<th>server class</th>') && details.includes('bounds and caveats'));
      assert.ok(details.includes('<p class="summary">'), v.claim);
      assert.equal(details.match(/<li>/g)?.length ?? 0, v.evidence.length, v.claim);
    });
  });
});
