// report.md: the terminal summary's content as markdown, plus the machine, CPU sets, every stack's versions,
// the run's configuration and its notes, so the file stands alone in a pull request or a wiki.
import { analysisOf } from '../analysis/index.js';
import type { Results, Verdict } from '../results/types.js';
import { WORKLOADS } from '../workloads.js';
import { ALIGN, flagsInUse, head, reasonLines, rowCells, winnerLines } from './cells.js';
import { fmtDate, fmtDuration, fmtPct, legend, machineRows } from './format.js';
import { faultLine, scalingAbsence, scalingHeader, scalingTable } from './scaling.js';
import { modelLine, splitLead, splitTable } from './split.js';
import { crossoverTable, crossoverTitle, sweepAbsence } from './crossover.js';
import { matchupTable } from './matchups.js';
import { markdownTable } from './table.js';
import { headerLine, statusWarning } from './terminal.js';

const VERDICT_ICON: Record<string, string> = {
  supported: '✅',
  'not supported': '❌',
  depends: '⚖️',
  undecided: '❔',
  'not measured': '⬜',
};

/**
 * Text from results.json (reasons, log lines, verdicts, names) must neither break the markdown around it nor
 * smuggle HTML into a page that renders it: HTML's special characters become entities, markdown's are escaped.
 */
const inline = (s: string) =>
  s
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|])/g, '\\$1');

/** Per claim: its matchups as a table, its summary in full, its evidence. */
function verdictDetails(verdicts: Verdict[]): string[] {
  const out: string[] = [];
  for (const v of verdicts) {
    out.push('', `### ${inline(v.claim)} — ${inline(v.verdict)}`, '');
    if (v.matchups.length) {
      const t = matchupTable(v);
      out.push(markdownTable(t.head, t.rows), '');
    }
    out.push(inline(v.summary));
    if (v.evidence.length) {
      out.push('', `<details><summary>Evidence: ${inline(v.claim)}</summary>`, '');
      for (const e of v.evidence) out.push(`- ${inline(e)}`);
      out.push('', '</details>');
    }
  }
  return out;
}

export function markdownReport(results: Results): string {
  const r = results;
  const a = analysisOf(r);
  const views = a.workloads;
  const out: string[] = [`# stackbench report — ${r.suite} suite`, '', `_${headerLine(r)}_`];
  const warn = statusWarning(r);
  if (warn) out.push('', `> **${warn}**`);
  if (r.failures?.length) {
    out.push('', '> **Failures this run met** (none of their figures feed a winner, a ratio or a verdict):');
    for (const f of r.failures) out.push(`> - ${inline(f)}`);
  }

  if (a.verdicts.length) {
    out.push('', '## Verdicts on the article', '');
    out.push(
      markdownTable(
        ['claim', 'verdict', 'headline'],
        a.verdicts.map((v) => [
          v.claim,
          `${VERDICT_ICON[v.verdict] ?? ''} ${v.verdict}`,
          v.headline.text.replace(`${v.verdict} — `, ''),
        ]),
      ),
    );
    out.push(...verdictDetails(a.verdicts));
  }
  if (a.recommendation.length) {
    out.push('', '## What to choose, on this machine', '');
    for (const line of a.recommendation) out.push(`- ${inline(line)}`);
  }

  if (a.agreement) {
    out.push('', `## Against ${inline(a.agreement.against)}`, '', `${inline(a.agreement.summary)}.`, '');
    const word = { slower: '**regression**', noisy: '**noisy**', faster: '**faster**' } as Record<
      string,
      string
    >;
    for (const r of a.agreement.rows) out.push(`- ${word[r.verdict] ?? r.verdict}: ${inline(r.text)}`);
  }

  out.push('', '## Horizontal scaling', '');
  const absent = scalingAbsence(r, a);
  if (absent) out.push(`The scaling study was ${inline(absent)}.`);
  else {
    const lead = splitLead(a);
    if (lead) out.push(`**${inline(lead)}**`, '');
    out.push(`_${inline(scalingHeader(a))}_`, '');
    if (a.split.length) {
      const t = splitTable(a);
      out.push(markdownTable(t.head, t.rows));
      for (const m of a.split.map(modelLine).filter((l) => l !== undefined)) out.push('', `- ${inline(m)}`);
    }
    if (a.scaling.length) {
      const t = scalingTable(a);
      out.push('', markdownTable(t.head, t.rows));
    }
    if (r.faults?.length) {
      out.push('');
      for (const f of r.faults) out.push(`- fault: ${inline(faultLine(f))}`);
    }
  }

  out.push('', '## ML and data by size', '');
  const noSweep = sweepAbsence(r, a);
  if (noSweep) out.push(`The sweep was ${inline(noSweep)}.`);
  for (const x of noSweep ? [] : a.crossover) {
    const t = crossoverTable(x);
    out.push(
      `### ${inline(crossoverTitle(x))}`,
      '',
      `${inline(x.text)}.`,
      '',
      markdownTable(t.head, t.rows),
      '',
    );
  }

  out.push('', '## Results per workload');
  for (const v of views) {
    out.push('', `### ${v.workload} — ${WORKLOADS[v.workload].tests}`, '');
    out.push(
      markdownTable(
        head(r.config.sloP99Ms, v.workload),
        v.stacks.map((row) => rowCells(row, v.winner)),
        ALIGN,
      ),
    );
    out.push('');
    for (const line of winnerLines(v))
      out.push(line.startsWith('  ') ? `- ${inline(line.trim())}` : `**${inline(line)}**`, '');
    for (const line of reasonLines(v)) out.push(`- ${inline(line)}`);
  }
  const marks = legend(flagsInUse(views));
  out.push(
    '',
    '**Marks:** ★ winner of the workload; a flagged figure carries its mark, and "≥" when the true figure can only be higher.',
  );
  if (marks.length) {
    out.push('');
    for (const m of marks) out.push(`- **[${m.mark}]** ${m.text}`);
  }

  out.push('', '## Stacks and versions', '');
  out.push(
    markdownTable(
      ['stack', 'framework', 'server', 'model', 'workers', 'versions', 'status'],
      r.stacks.map((s) => [
        s.id,
        s.framework,
        s.server,
        s.model,
        `${s.workers} (${s.workerRule})`,
        Object.entries(s.versions)
          .map(([k, ver]) => `${k}: ${ver}`)
          .join('; '),
        !s.available
          ? `unavailable: ${inline(s.failure?.reason ?? '')}`
          : s.failure
            ? `failed: ${inline(s.failure.reason)}`
            : 'ok',
      ]),
    ),
  );
  for (const s of r.stacks.filter((s) => s.failure)) {
    const f = s.failure!;
    out.push('', `**${s.id}**: ${inline(f.reason)}${f.fix ? ` — fix: ${inline(f.fix)}` : ''}`);
    // A fenced block shows its text as is (no HTML is rendered inside); only a fence in the text could end it.
    if (f.log.length) out.push('', '```text', ...f.log.map((l) => l.replace(/```/g, "'''")), '```');
  }

  const m = r.machine;
  out.push('', '## Machine', '');
  out.push(markdownTable(['', ''], machineRows(m)));

  const c = r.config;
  out.push('', '## Configuration', '');
  out.push(
    markdownTable(
      ['', ''],
      [
        ['stacks', c.stacks.join(', ')],
        ['workloads', c.workloads.join(', ')],
        ['duration / warm-up', `${fmtDuration(c.durationMs)} / ${fmtDuration(c.warmupMs)}`],
        ['repetitions', String(c.repetitions)],
        ['connections', `${c.connections.join(', ')} (headline: ${c.connections[0] ?? '—'})`],
        ['instances', c.instances.join(', ')],
        ['SLO', `p99 ≤ ${c.sloP99Ms} ms, errors ≤ ${fmtPct(c.maxErrorRate)}`],
        ['capacity probe', fmtDuration(c.probeMs)],
        ['started / finished', `${fmtDate(r.startedAt)} / ${fmtDate(r.finishedAt)}`],
        ['tool', `${r.tool.name} ${r.tool.version}`],
      ],
    ),
  );

  if (r.notes.length) {
    out.push('', '## Notes', '');
    for (const n of r.notes) out.push(`- ${inline(n)}`);
  }
  return out.join('\n') + '\n';
}
