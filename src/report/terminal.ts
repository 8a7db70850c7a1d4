// The summary printed at the end of a run (and by `stackbench report`). By default the answer at a glance,
// fitted to the terminal's width: one line per claim, what to choose, the notes. With `verbose`, the full text:
// one table per workload, the winner, every verdict's summary, the scaling study, the sweep and the
// recommendation. Pure: Results in, text out (colored only on a TTY, via table.ts).
import { analysisOf } from '../analysis/index.js';
import type { Analysis, Results, Verdict, VerdictValue } from '../results/types.js';
import { WORKLOADS } from '../workloads.js';
import { ALIGN, flagsInUse, head, reasonLines, rowCells, winnerLines } from './cells.js';
import { fmtDate, legend } from './format.js';
import { faultLine, scalingAbsence, scalingHeader, scalingLines } from './scaling.js';
import { splitLead, splitLines } from './split.js';
import { crossoverLines, sweepAbsence } from './crossover.js';
import { color, textTable } from './table.js';
import { compareText } from './compare.js';
import { cut, terminalWidth, wrap } from './fit.js';
import { verdictLines } from './verdict-lines.js';

const VERDICT_STYLE: Record<VerdictValue, (s: string) => string> = {
  supported: color.green,
  'not supported': color.red,
  depends: color.yellow,
  undecided: color.yellow,
  'not measured': color.dim,
};

export function headerLine(r: Results): string {
  const m = r.machine;
  return [
    `stackbench ${r.suite} suite`,
    r.status,
    fmtDate(r.finishedAt ?? r.startedAt),
    `server CPUs ${m.serverCpus.join(',') || '—'}`,
    `generator CPUs ${m.generatorCpus.join(',') || '—'}`,
  ].join(' · ');
}

export function statusWarning(r: Results): string | undefined {
  if (r.status === 'interrupted')
    return 'interrupted: these are the points measured before the stop; the rest is missing';
  if (r.status === 'running') return 'this run has not finished: the results are partial';
  if (r.status === 'failed') return 'the run failed: the results are partial';
  return undefined;
}

export interface SummaryOptions {
  /** The full text: every table, summary and note, unfitted. */
  verbose?: boolean;
  /** Columns to fit (default: the terminal's, at least 80). */
  width?: number;
}

const styleVerdict = (v: Verdict, text: string) => VERDICT_STYLE[v.verdict](text);

/** Words wrapped to the width after their first line's lead (nothing is cut). */
const para = (text: string, width: number, first: string, indent = ' '.repeat(first.length)) =>
  wrap(text, width, indent, first);

/** The answer at a glance: the header, one line per claim, what to choose, the notes, each fitted. */
function briefSummary(results: Results, a: Analysis, width: number): string {
  const out = [color.bold(fitHeader(headerLine(results), width))];
  const warn = statusWarning(results);
  if (warn) out.push(...para(warn, width, '').map(color.yellow));
  for (const f of results.failures ?? []) out.push(...para(f, width, 'failure: ').map(color.red));
  if (a.verdicts.length) {
    out.push('', color.bold('verdicts on the article'), ...verdictLines(a.verdicts, width, styleVerdict));
  }
  if (a.recommendation.length) {
    out.push('', color.bold('what to choose, on this machine'));
    for (const line of a.recommendation) out.push(...para(line, width, '  - ', '    '));
  }
  if (a.agreement) {
    out.push(
      '',
      ...para(`against ${a.agreement.against}: ${a.agreement.summary}`, width, '').map(color.bold),
    );
    for (const r of a.agreement.rows.filter((x) => ['noisy', 'slower', 'faster'].includes(x.verdict)))
      out.push(...para(r.text, width, `  ${r.verdict === 'slower' ? 'regression' : r.verdict}  `, '    '));
  }
  if (results.notes.length) out.push('');
  for (const n of results.notes) out.push(...para(n, width, 'note: ', '      ').map(color.dim));
  out.push(
    '',
    color.dim(cut('every table, figure and piece of evidence: --verbose, report.md, report.html', width)),
  );
  return out.join('\n');
}

/** The header's parts (" · "-separated) on as many lines as the width needs. */
function fitHeader(text: string, width: number): string {
  const lines: string[] = [];
  for (const part of text.split(' · ')) {
    const last = lines.at(-1);
    if (last !== undefined && `${last} · ${part}`.length <= width)
      lines[lines.length - 1] = `${last} · ${part}`;
    else lines.push(cut(part, width));
  }
  return lines.join('\n');
}

export function terminalSummary(results: Results, opts: SummaryOptions = {}): string {
  // compare's results read as compare's output (`stackbench report` of a compare run).
  if (results.config.compare) return compareText(results);
  const a = analysisOf(results);
  return opts.verbose ? fullSummary(results, a) : briefSummary(results, a, opts.width ?? terminalWidth());
}

/** The full text: every table, every verdict's summary, the scaling study, the sweep; unfitted. */
function fullSummary(results: Results, a: Analysis): string {
  const views = a.workloads;
  const out: string[] = [color.bold(headerLine(results))];
  const warn = statusWarning(results);
  if (warn) out.push(color.yellow(warn));
  for (const f of results.failures ?? []) out.push(color.red(`failure: ${f}`));
  for (const v of views) {
    out.push('', color.bold(`${v.workload} — ${WORKLOADS[v.workload].tests}`));
    out.push(
      textTable(
        head(results.config.sloP99Ms, v.workload),
        v.stacks.map((r) => rowCells(r, v.winner)),
        ALIGN,
      ),
    );
    out.push(...winnerLines(v), ...reasonLines(v).map((l) => color.dim(`  ${l}`)));
  }
  const marks = legend(flagsInUse(views));
  if (marks.length) {
    out.push(
      '',
      'marks: ★ winner; a flagged figure carries its mark, and "≥" when the true figure can only be higher',
    );
    for (const m of marks) out.push(`  [${m.mark}] ${m.text}`);
  }
  if (a.verdicts.length) {
    out.push('', color.bold('verdicts on the article'));
    const width = Math.max(...a.verdicts.map((v) => v.verdict.length));
    for (const v of a.verdicts) {
      const headline = v.headline.text.replace(`${v.verdict} — `, '');
      out.push(`  ${VERDICT_STYLE[v.verdict](v.verdict.padEnd(width))}  ${v.claim}: ${headline}`);
      out.push(`  ${' '.repeat(width)}  ${color.dim(v.summary)}`);
    }
  }
  out.push('', color.bold('horizontal scaling'));
  const absent = scalingAbsence(results, a);
  if (absent) out.push(`  ${absent}`);
  else {
    const lead = splitLead(a);
    if (lead) out.push(`  ${lead}`);
    out.push(color.dim(`  ${scalingHeader(a)}`));
    for (const line of [...splitLines(a), ...scalingLines(a)]) out.push(`  ${line}`);
    for (const f of results.faults ?? []) out.push(`  fault: ${faultLine(f)}`);
  }
  out.push('', color.bold('ML and data by size'));
  const noSweep = sweepAbsence(results, a);
  if (noSweep) out.push(`  ${noSweep}`);
  else for (const line of crossoverLines(a)) out.push(`  ${line}`);
  if (a.recommendation.length) {
    out.push('', color.bold('what to choose, on this machine'));
    for (const line of a.recommendation) out.push(`  - ${line}`);
  }
  if (a.agreement) {
    const shown = a.agreement.rows.filter((r) => ['noisy', 'slower', 'faster'].includes(r.verdict));
    out.push('', color.bold(`against ${a.agreement.against}: ${a.agreement.summary}`));
    for (const r of shown) {
      const tag = r.verdict === 'slower' ? color.red('regression') : color.yellow(r.verdict);
      out.push(`  ${tag}  ${r.text}`);
    }
  }
  if (results.notes.length) out.push('');
  for (const n of results.notes) out.push(color.dim(`note: ${n}`));
  return out.join('\n');
}
