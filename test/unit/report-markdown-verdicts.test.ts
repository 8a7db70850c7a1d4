// report.md's verdicts on a real quick run: the table has one row per claim (claim, verdict, headline), each
// claim's matchups follow as a table of their own, and nothing of the summary or the evidence is dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/analysis/index.js';
import { markdownReport } from '../../src/report/markdown.js';
import { MATCHUP_HEAD } from '../../src/report/matchups.js';
import type { Results } from '../../src/results/types.js';
import { quickRun } from '../fixtures/quick-run.js';

const run: Results = quickRun();
run.analysis = analyze(run);
const md = markdownReport(run);
const lines = md.split('\n');
/** What markdown escaping leaves of a text, to find it in the file. */
const plain = (s: string) =>
  s
    .replace(/\\([\\`*_[\]|])/g, '$1')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<');

describe('report.md verdicts', () => {
  it('has one row per claim: claim, verdict, headline', () => {
    const start = lines.indexOf('| claim | verdict | headline |');
    assert.ok(start > 0, 'the verdict table');
    const rows = lines.slice(start + 2, lines.indexOf('', start));
    assert.equal(rows.length, run.analysis!.verdicts.length);
    run.analysis!.verdicts.forEach((v, i) => {
      const cells = rows[i]!.split(' | ');
      assert.equal(cells[0], `| ${v.claim}`);
      assert.ok(cells[1]!.endsWith(v.verdict), rows[i]);
      assert.equal(
        plain(cells.slice(2).join(' | ').replace(/ \|$/, '')),
        v.headline.text.replace(`${v.verdict} — `, ''),
      );
    });
  });

  it('follows with each claim: its matchups as a table, its summary whole and every piece of evidence', () => {
    const text = plain(md);
    for (const v of run.analysis!.verdicts) {
      const at = lines.indexOf(`### ${v.claim} — ${v.verdict}`);
      assert.ok(at > 0, v.claim);
      if (v.matchups.length) {
        assert.equal(lines[at + 2], `| ${MATCHUP_HEAD.join(' | ')} |`);
        const body = lines.slice(at + 4, lines.indexOf('', at + 2));
        assert.equal(body.length, v.matchups.length, `${v.claim}: a row per matchup`);
      }
      assert.ok(text.includes(v.summary), `${v.claim}: the summary`);
      for (const e of v.evidence) assert.ok(text.includes(e), `${v.claim}: ${e}`);
    }
  });
});
