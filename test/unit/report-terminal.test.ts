// The terminal summary and report.md: verdicts, recommendation, honest marks on flagged figures, reasons for
// stacks without figures, and the fallback when the results carry no analysis.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markdownReport } from '../../src/report/markdown.js';
import { terminalSummary } from '../../src/report/terminal.js';
import type { Results } from '../../src/results/types.js';
import { sampleResults } from '../fixtures/report-sample.js';

const sample = sampleResults();
const fresh = (): Results => structuredClone(sample);

/** The lines of one workload's section (from its title to the next blank line). */
function section(text: string, workload: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${workload} — `));
  assert.ok(start >= 0, `section ${workload}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('terminalSummary --verbose', () => {
  const verbose = { verbose: true };
  const text = terminalSummary(sample, verbose);

  it('shows every verdict with its claim, headline and summary, then the recommendation', () => {
    for (const v of sample.analysis!.verdicts) {
      const line = text.split('\n').find((l) => new RegExp(`^\\s+${v.verdict}\\s+${v.claim}: `).test(l));
      assert.ok(line, `${v.verdict} ${v.claim}`);
      assert.ok(line.endsWith(v.headline.text.replace(`${v.verdict} — `, '')), line);
      assert.ok(text.includes(v.summary));
    }
    for (const r of sample.analysis!.recommendation) assert.ok(text.includes(`- ${r}`));
  });

  it('never prints a generator-limited figure as a plain number', () => {
    const row = section(text, 'json').find((l) => l.startsWith('node-cluster'))!;
    const median = sample.analysis!.workloads[0]!.stacks.find((s) => s.stack === 'node-cluster')!.rps!.median;
    const plain = median.toLocaleString('en-US', { maximumFractionDigits: 0 });
    assert.ok(row.includes(`≥${plain} (`), row);
    assert.match(row, /≥[\d,]+ \([\d,–]+\) \[G\]/);
    assert.match(row, /≥[\d,]+ \[G\]/, 'capacity limited by the generator is a lower bound too');
    assert.match(text, /\[G\] generator-limited/);
    // Unflagged rows carry no mark.
    assert.doesNotMatch(
      section(text, 'json').find((l) => l.startsWith('fastify'))!,
      /\[|≥/,
    );
  });

  it('names the winner with its ratio and interval', () => {
    assert.ok(
      section(text, 'service').some((l) =>
        /^winner: fastify — \d\.\dx fastapi-uvicorn \(\d\.\d–\d\.\d\)$/.test(l),
      ),
    );
  });

  it('shows a failed stack with its reason where it has no figures, and its figures where it has', () => {
    const db = section(text, 'db');
    assert.ok(db.some((l) => /^django-gunicorn\s+failed$/.test(l)));
    assert.ok(
      db.some((l) => l.includes('django-gunicorn failed: crashed during db: worker exited with code 3')),
    );
    assert.ok(section(text, 'json').some((l) => /^django-gunicorn\s+[\d,]+ \(/.test(l)));
  });

  it('shows an unavailable stack with the reason and the fix', () => {
    const r = fresh();
    const rec = r.stacks.find((s) => s.id === 'fastapi-uvicorn')!;
    rec.available = false;
    rec.failure = { reason: 'python module uvicorn not found', fix: 'stackbench setup --yes', log: [] };
    r.points = r.points.filter((p) => p.stack !== 'fastapi-uvicorn');
    r.capacities = r.capacities.filter((c) => c.stack !== 'fastapi-uvicorn');
    r.analysis = undefined;
    const out = terminalSummary(r, verbose);
    assert.ok(section(out, 'json').some((l) => /^fastapi-uvicorn\s+unavailable$/.test(l)));
    assert.ok(
      out.includes(
        'fastapi-uvicorn unavailable: python module uvicorn not found (fix: stackbench setup --yes)',
      ),
    );
  });

  it('analyses a run that carries no analysis (one still being written) exactly as a finished one', () => {
    const r = fresh();
    r.analysis = undefined;
    assert.equal(terminalSummary(r, verbose), terminalSummary(sample, verbose));
    assert.equal(terminalSummary(r), terminalSummary(sample));
    assert.equal(markdownReport(r), markdownReport(sample));
  });

  it('warns when the run was interrupted', () => {
    const r = fresh();
    r.status = 'interrupted';
    assert.match(terminalSummary(r), /interrupted: these are the points measured before the stop/);
  });
});

describe('markdownReport', () => {
  const md = markdownReport(sample);

  it('has the verdicts table, the recommendation and the flagged figures marked', () => {
    for (const v of sample.analysis!.verdicts) {
      assert.ok(
        md.split('\n').some((l) => l.startsWith(`| ${v.claim} |`) && l.includes(v.verdict)),
        v.claim,
      );
    }
    assert.ok(md.includes('## What to choose, on this machine'));
    const row = md.split('\n').find((l) => l.startsWith('| node-cluster') && l.includes('[G]'))!;
    assert.match(row, /\| ≥[\d,]+ \([\d,–]+\) \[G\] \|/);
    assert.match(md, /\*\*\[G\]\*\* generator-limited/);
  });

  it('records machine, CPU sets, every stack version, configuration and notes', () => {
    assert.match(md, /\| server CPUs \| 1 \|/);
    assert.match(md, /\| generator CPUs \| 0 \|/);
    assert.ok(md.includes(sample.machine.cpuModel));
    for (const s of sample.stacks)
      for (const v of Object.values(s.versions)) assert.ok(md.includes(v), `${s.id} ${v}`);
    assert.match(md, /\| duration \/ warm-up \| 10 s \/ 2 s \|/);
    assert.match(md, /\| repetitions \| 3 \|/);
    assert.match(md, /\| SLO \| p99 ≤ 100 ms, errors ≤ 0\.1% \|/);
    for (const n of sample.notes) assert.ok(md.includes(n.replace(/[*_]/g, '')), n);
    assert.ok(md.includes('django.db.utils.OperationalError'), 'the failed stack keeps its log lines');
  });

  it('keeps text from processes from turning into markup', () => {
    const r = fresh();
    r.stacks.find((s) => s.id === 'django-gunicorn')!.failure!.reason = '<script>alert(1)</script> | broken';
    const out = markdownReport(r);
    assert.ok(!out.includes('<script>'), 'no raw tag');
    assert.ok(out.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });
});
