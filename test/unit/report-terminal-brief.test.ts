// The terminal's default summary on a real quick run: the answer at a glance, every line within the width (80
// columns when piped), one line per claim that keeps its verdict word and its figure however it is cut; the
// full text with verbose.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/analysis/index.js';
import { floorsForm, spanPct, spanX } from '../../src/analysis/headline.js';
import { cut, terminalWidth, wrap } from '../../src/report/fit.js';
import { terminalSummary } from '../../src/report/terminal.js';
import { figureForm, fitHeadline, shortClaim, verdictLines } from '../../src/report/verdict-lines.js';
import type { Results, Verdict } from '../../src/results/types.js';
import { quickRun, quickRunDec07 } from '../fixtures/quick-run.js';

/**
 * The figure with its interval as a line shows it: "1.86x (1.10–3.16)", a share "84% (69–103)" or "84% (69–103%)";
 * where the side behind is a lower bound, the sides' figures ("fastapi-uvicorn 48,685/s, node-cluster ≥ 16,000/s").
 */
const figureOf = (v: Verdict) => {
  const f = v.headline.figure!;
  return floorsForm(f) ?? (f.unit === 'x' ? spanX(f) : spanPct(f).replace(/%\)$/, ''));
};

for (const [name, load] of [
  ['2026-12-03', quickRun],
  ['2026-12-07', quickRunDec07],
] as const) {
  const run: Results = load();
  run.analysis = analyze(run);
  const verdicts = run.analysis.verdicts;
  /** The summary's claim lines: "  <verdict> <claim> ...", the claim by its id or its short name. */
  const claimLines = (text: string) =>
    verdicts.map((v) => {
      const mine = text
        .split('\n')
        .filter((l) =>
          new RegExp(`^  ${v.verdict} +(${v.claim}|${shortClaim(v.claim).replace('+', '\\+')}) `).test(l),
        );
      assert.equal(mine.length, 1, `${v.claim}: one line\n${text}`);
      return mine[0]!;
    });

  describe(`the terminal summary of a real quick run (${name})`, () => {
    for (const width of [80, 100, 132]) {
      it(`fits ${width} columns, one line per claim: the verdict, the figure with its interval, the pair`, () => {
        const text = terminalSummary(run, { width });
        for (const l of text.split('\n')) assert.ok(l.length <= width, `${l.length} > ${width}: ${l}`);
        claimLines(text).forEach((line, i) => {
          const v = verdicts[i]!;
          const f = v.headline.figure;
          if (!f) return;
          assert.ok(line.includes(figureOf(v)), `the figure ${figureOf(v)}: ${line}`);
          assert.ok(line.includes(` ${f.a} `) && line.includes(` ${f.b}`), `the pair: ${line}`);
          assert.ok(!line.endsWith('…'), `uncut: ${line}`);
        });
      });
    }

    it('at 80 columns says the workload too, and "vs" where the pair and its figures leave room', () => {
      const lines = claimLines(terminalSummary(run, { width: 80 }));
      lines.forEach((line, i) => {
        const f = verdicts[i]!.headline.figure!;
        assert.ok(line.includes(` ${f.workload}`), line);
      });
      // Every ratio that is not a tie (ties keep their verb; two sides' own figures, a share each, need no "vs").
      const ratios = verdicts.filter((v) => {
        const f = v.headline.figure!;
        return f.unit === 'x' && !floorsForm(f) && !/ ties /.test(v.headline.text);
      }).length;
      assert.ok(lines.filter((l) => l.includes(' vs ')).length >= ratios, lines.join('\n'));
      assert.ok(ratios >= 7, `${ratios} ratios`);
    });

    it('prints each headline whole where the terminal is wide enough', () => {
      const text = terminalSummary(run, { width: 200 });
      claimLines(text).forEach((line, i) => {
        const v = verdicts[i]!;
        assert.ok(line.includes(` ${v.claim} `), 'the claim by its id');
        assert.ok(line.endsWith(v.headline.text.replace(`${v.verdict} — `, '')), line);
      });
    });

    it('keeps what it wraps whole: the recommendation and the notes', () => {
      const text = terminalSummary(run, { width: 80 });
      const flat = text.replace(/\s+/g, ' ');
      for (const r of run.analysis!.recommendation) assert.ok(flat.includes(r.replace(/\s+/g, ' ')), r);
      for (const n of run.notes) assert.ok(flat.includes(n.replace(/\s+/g, ' ')), n);
      assert.doesNotMatch(text, /\| json — raw performance/, 'no per-workload table by default');
    });

    it('with verbose: every table, every verdict summary and its evidence elsewhere, unfitted', () => {
      const text = terminalSummary(run, { verbose: true });
      for (const v of verdicts) assert.ok(text.includes(v.summary), v.claim);
      assert.match(text, /^json — raw performance$/m);
      assert.match(text, /^horizontal scaling$/m);
      assert.ok(
        text.split('\n').some((l) => l.length > 200),
        'the full text is not cut',
      );
    });
  });
}

describe('fitting a claim line', () => {
  const run = quickRunDec07();
  const verdicts = analyze(run).verdicts;
  const v = verdicts.find((x) => x.claim === 'raw-performance')!;

  it('says the figure from its data as richly as the room allows', () => {
    const f = v.headline.figure!;
    assert.equal(figureForm(f, false, 0), 'node-cluster 1.86x (1.10–3.16) vs fastapi-uvicorn on json');
    assert.equal(fitHeadline(v, 57), 'node-cluster 1.86x (1.10–3.16) vs fastapi-uvicorn on json');
    assert.equal(fitHeadline(v, 56), 'node-cluster 1.86x (1.10–3.16) vs fastapi-uvicorn json');
    assert.equal(fitHeadline(v, 53), 'node-cluster 1.86x (1.10–3.16) fastapi-uvicorn json');
    assert.equal(fitHeadline(v, 48), 'node-cluster 1.86x (1.10–3.16) fastapi-uvicorn');
    const scaling = verdicts.find((x) => x.claim === 'horizontal-scaling')!;
    assert.equal(fitHeadline(scaling, 55), 'fastapi-uvicorn 84% (69–103) node-http 63% (52–76) chat');
  });

  it('keeps a tie a tie', () => {
    const old = analyze(quickRun()).verdicts.find((x) => x.claim === 'python-needs-wsgi')!;
    assert.equal(old.matchups[0]!.outcome, 'tie');
    assert.equal(fitHeadline(old, 60), 'flask-gevent ties fastapi-uvicorn on io: 0.88x (0.52–1.51)');
    assert.equal(fitHeadline(old, 54), 'flask-gevent ties fastapi-uvicorn io 0.88x (0.52–1.51)');
  });

  it('cuts after the figure, or says the figure first when a long name leaves it no room', () => {
    const short = fitHeadline(v, 37);
    assert.ok(short.length <= 37 && short.includes(figureOf(v)) && short.endsWith('…'), short);
    const long: Verdict = structuredClone(v);
    long.headline.figure!.a = 'a-very-long-user-stack-name-that-fills-the-line';
    const out = fitHeadline(long, 30);
    assert.ok(out.length <= 30 && out.startsWith(figureOf(v)), out);
  });

  it('aligns the columns, styles only the verdict word, and names the claims shortly at 80 columns', () => {
    const lines = verdictLines(verdicts, 80, (_, t) => `<${t}>`);
    const vw = Math.max(...verdicts.map((x) => x.verdict.length));
    lines.forEach((l, i) => assert.ok(l.startsWith(`  <${verdicts[i]!.verdict.padEnd(vw)}> `), l));
    const names = verdicts.map((x) => shortClaim(x.claim));
    assert.ok(names.every((n) => n.length <= 8));
    const at = lines.map((l, i) => l.indexOf(` ${names[i]} `));
    assert.equal(new Set(at).size, 1, 'one claim column');
    const wide = verdictLines(verdicts, 132);
    assert.equal(new Set(wide.map((l, i) => l.indexOf(`  ${verdicts[i]!.claim} `))).size, 1, 'ids, aligned');
  });
});

describe('fit helpers', () => {
  it('uses the terminal width on a TTY, never under 80, and 80 when piped', () => {
    assert.equal(terminalWidth({ isTTY: true, columns: 132 }), 132);
    assert.equal(terminalWidth({ isTTY: true, columns: 60 }), 80);
    assert.equal(terminalWidth({ isTTY: false, columns: 200 }), 80);
    assert.equal(terminalWidth({}), 80);
  });

  it('cuts with an ellipsis and wraps without losing a word', () => {
    assert.equal(cut('abcdef', 6), 'abcdef');
    assert.equal(cut('abcdefg', 6), 'abcde…');
    const text = 'one two three four five six seven eight nine ten eleven twelve';
    const lines = wrap(text, 20, '    ', '  - ');
    assert.ok(lines.every((l) => l.length <= 20));
    assert.ok(lines[0]!.startsWith('  - ') && lines.slice(1).every((l) => l.startsWith('    ')));
    assert.equal(lines.map((l) => l.trim().replace(/^- /, '')).join(' '), text);
    const broken = wrap('x'.repeat(50), 20, '', '');
    assert.equal(broken.join(''), 'x'.repeat(50));
    assert.ok(broken.every((l) => l.length <= 20));
  });
});
