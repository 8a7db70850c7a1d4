// The terminal's default summary on a real quick run: the answer at a glance, every line within the width (80
// columns when piped), one line per claim that keeps its verdict word and its figure however it is cut; the
// full text with verbose.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/analysis/index.js';
import { spanPct, spanX } from '../../src/analysis/headline.js';
import { cut, terminalWidth, wrap } from '../../src/report/fit.js';
import { terminalSummary } from '../../src/report/terminal.js';
import { fitHeadline, verdictLines } from '../../src/report/verdict-lines.js';
import type { Results, Verdict } from '../../src/results/types.js';
import { quickRun } from '../fixtures/quick-run.js';

const run: Results = quickRun();
run.analysis = analyze(run);
const verdicts = run.analysis.verdicts;
const figureOf = (v: Verdict) => {
  const f = v.headline.figure!;
  return f.unit === 'x' ? spanX(f) : spanPct(f);
};
/** The summary's claim lines: "  <verdict>  <claim>  ...". */
const claimLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => verdicts.some((v) => l.startsWith(`  ${v.verdict.padEnd(13)}  ${v.claim} `)));

describe('the terminal summary of a real quick run', () => {
  for (const width of [80, 100, 132]) {
    it(`fits ${width} columns, one line per claim`, () => {
      const text = terminalSummary(run, { width });
      const lines = text.split('\n');
      for (const l of lines) assert.ok(l.length <= width, `${l.length} > ${width}: ${l}`);
      const mine = claimLines(text);
      assert.equal(mine.length, verdicts.length, mine.join('\n'));
      for (const v of verdicts) {
        const line = mine.find((l) => l.includes(` ${v.claim} `))!;
        assert.ok(line.startsWith(`  ${v.verdict}`), `the verdict word: ${line}`);
        if (v.headline.figure) assert.ok(line.includes(figureOf(v)), `the figure ${figureOf(v)}: ${line}`);
        const whole = line.endsWith(v.headline.text.replace(`${v.verdict} — `, ''));
        assert.ok(whole || line.endsWith('…') || !line.includes('…'), line);
      }
    });
  }

  it('prints each headline whole where the terminal is wide enough', () => {
    const text = terminalSummary(run, { width: 200 });
    for (const v of verdicts) {
      const line = claimLines(text).find((l) => l.includes(` ${v.claim} `))!;
      assert.ok(line.endsWith(v.headline.text.replace(`${v.verdict} — `, '')), line);
    }
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

describe('fitting a claim line', () => {
  const v = verdicts.find((x) => x.claim === 'raw-performance')!;

  it('cuts after the figure, or says the figure first when a long name leaves it no room', () => {
    const short = fitHeadline(v, 37);
    assert.ok(short.length <= 37 && short.includes(figureOf(v)), short);
    const long: Verdict = structuredClone(v);
    long.headline.figure!.a = 'a-very-long-user-stack-name-that-fills-the-line';
    const out = fitHeadline(long, 30);
    assert.ok(out.length <= 30 && out.startsWith(figureOf(v)), out);
  });

  it('aligns the columns and styles only the verdict word', () => {
    const lines = verdictLines(verdicts, 80, (_, t) => `<${t}>`);
    const vw = Math.max(...verdicts.map((x) => x.verdict.length));
    lines.forEach((l, i) => assert.ok(l.startsWith(`  <${verdicts[i]!.verdict.padEnd(vw)}>  `), l));
    assert.equal(
      new Set(lines.map((l, i) => l.indexOf(` ${verdicts[i]!.claim} `))).size,
      1,
      'one claim column',
    );
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
