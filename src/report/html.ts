// report.html: one self-contained page (no network: a CSP forbids it). Inline CSS, the results embedded as
// JSON, Chart.js's UMD build inlined, and the page script (html-client.ts) that draws the charts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { analysisOf } from '../analysis/index.js';
import type { Analysis, Results, StackFigures, WorkloadAnalysis } from '../results/types.js';
import { WORKLOADS } from '../workloads.js';
import { figureCells, flagsInUse, head, reasonLines, winnerLines } from './cells.js';
import { chartData, type ChartData } from './charts.js';
import { escapeHtml as e, scriptJson, scriptSource } from './escape.js';
import { fmtDate, fmtDuration, fmtPct, legend, machineRows, MARKS } from './format.js';
import { clientMain } from './html-client.js';
import { clientDraw } from './html-client-draw.js';
import { verdictClient } from './html-client-verdicts.js';
import { VERDICT_LEGEND, verdictCards } from './html-verdicts.js';
import { CSS } from './html-style.js';
import { faultLine, scalingAbsence, scalingHeader, scalingTable } from './scaling.js';
import { modelLine, splitLead, splitTable } from './split.js';
import { crossoverTable, crossoverTitle, sweepAbsence } from './crossover.js';
import { headerLine, statusWarning } from './terminal.js';

let chartSource: string | undefined;

/** Chart.js 4's UMD build, read from the installed package (its exports hide dist/, so go via the main file). */
export function chartJsSource(): string {
  if (chartSource === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartSource = readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
  }
  return chartSource;
}

const MARK_TEXT = Object.fromEntries(Object.values(MARKS).map((m) => [m.mark, m.text]));

/** Escape a cell, then turn its "[G]" marks into labelled badges. */
function cellHtml(text: string): string {
  return e(text).replace(/\[([A-Z?](?:,[A-Z?])*)\]/g, (_, marks: string) =>
    marks
      .split(',')
      .map((m) => `<span class="mark" title="${e(MARK_TEXT[m] ?? 'flag')}">${e(m)}</span>`)
      .join(''),
  );
}

let colors: Record<string, string> = {};
const dot = (stack: string) =>
  `<span class="dot" style="background:${e(colors[stack] ?? '#868e96')}"></span>`;

function rowHtml(r: StackFigures, winner: string | undefined): string {
  const name = `${dot(r.stack)}${e(r.stack)}${r.stack === winner ? '<span class="win" title="winner">★</span>' : ''}`;
  if (r.status !== 'measured') {
    return `<tr><td>${name}</td><td class="status" colspan="5">${e(r.status)}<span class="muted"> — ${e(r.reason ?? '')}</span></td></tr>`;
  }
  return `<tr><td>${name}</td>${figureCells(r)
    .map((c) => `<td class="num">${cellHtml(c)}</td>`)
    .join('')}</tr>`;
}

function chartCard(name: string, title: string, note = ''): string {
  return `<div class="card chart-card"><h3>${e(title)}${note ? ` <span class="muted">${e(note)}</span>` : ''}</h3><div class="chart"><canvas data-chart="${e(name)}" role="img" aria-label="${e(title)}"></canvas></div></div>`;
}

function emptyCard(title: string, text: string): string {
  return `<div class="card chart-card"><h3>${e(title)}</h3><div class="empty">${e(text)}</div></div>`;
}

function workloadSection(
  v: WorkloadAnalysis,
  c: ChartData['workloads'][number] | undefined,
  r: Results,
): string {
  const headCells = head(r.config.sloP99Ms, v.workload);
  const table = `<table><thead><tr>${headCells.map((h, i) => `<th${i ? ' class="num"' : ''}>${e(h)}</th>`).join('')}</tr></thead><tbody>${v.stacks.map((row) => rowHtml(row, v.winner)).join('')}</tbody></table>`;
  const [winner, ...comparisons] = winnerLines(v);
  const reasons = reasonLines(v);
  const id = v.workload;
  const charts: string[] = [];
  if (c && (c.throughput.length || c.capacity.length)) {
    charts.push(
      chartCard(
        `throughput-${id}`,
        'Throughput and capacity',
        `${r.config.connections[0] ?? ''} connections; capacity at p99 ≤ ${r.config.sloP99Ms} ms`,
      ),
    );
  }
  if (c?.latency.length)
    charts.push(chartCard(`latency-${id}`, 'Latency by percentile', 'merged runs, HdrHistogram'));
  if (c?.concurrency) charts.push(chartCard(`concurrency-${id}`, 'Throughput against concurrency'));
  else if (c?.throughput.length)
    charts.push(emptyCard('Throughput against concurrency', 'single level in this suite'));
  if (c?.cpu.length) charts.push(chartCard(`cpu-${id}`, 'CPU per request'));
  if (c?.memory.length) charts.push(chartCard(`memory-${id}`, 'Peak memory'));
  return `<section id="w-${e(id)}" class="workload">
<h2>${e(id)}<small>${e(WORKLOADS[v.workload].tests)}</small></h2>
<div class="card">${table}
<p class="winner">${e(winner ?? '')}</p>
${comparisons.length ? `<ul class="comparisons">${comparisons.map((l) => `<li>${e(l.trim())}</li>`).join('')}</ul>` : ''}
${reasons.length ? `<ul class="reasons">${reasons.map((l) => `<li>${e(l)}</li>`).join('')}</ul>` : ''}
</div>
${charts.length ? `<div class="charts">${charts.join('\n')}</div>` : '<div class="card empty">nothing measured for this workload</div>'}
</section>`;
}

function htmlTable(t: { head: string[]; rows: string[][] }, textCols = 2): string {
  const cls = (i: number) => (i >= textCols ? ' class="num"' : '');
  return `<table><thead><tr>${t.head.map((h, i) => `<th${cls(i)}>${e(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
    .map((row) => `<tr>${row.map((c, i) => `<td${cls(i)}>${e(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function scalingSection(r: Results, a: Analysis, data: ChartData): string {
  const absent = scalingAbsence(r, a);
  if (absent) return `<div class="card muted">The scaling study was ${e(absent)}.</div>`;
  const lead = splitLead(a);
  const models = a.split.map(modelLine).filter((l): l is string => l !== undefined);
  const split = a.split.length
    ? `${htmlTable(splitTable(a))}${models.length ? `<ul>${models.map((m) => `<li>${e(m)}</li>`).join('')}</ul>` : ''}`
    : '';
  const capacity = a.scaling.length ? htmlTable(scalingTable(a), 3) : '';
  const faults = (r.faults ?? []).map((f) => `<li>${e(faultLine(f))}</li>`).join('');
  const charts = data.scaling
    .map((s) =>
      chartCard(
        `scaling-${s.workload}`,
        `${s.workload}: capacity against replicas`,
        'dashed: linear; dotted: USL fit',
      ),
    )
    .join('');
  return `<div class="card">${lead ? `<p><strong>${e(lead)}</strong></p>` : ''}<p class="muted">${e(scalingHeader(a))}.</p>${split}${capacity}${faults ? `<ul>${faults}</ul>` : ''}</div>${charts ? `<div class="charts">${charts}</div>` : ''}`;
}

function sweepSection(r: Results, a: Analysis, data: ChartData): string {
  const absent = sweepAbsence(r, a);
  if (absent) return `<div class="card muted">The sweep was ${e(absent)}.</div>`;
  const cards = a.crossover.map((x) => {
    const t = crossoverTable(x);
    const table = `<table><thead><tr>${t.head.map((h, i) => `<th${i > 0 ? ' class="num"' : ''}>${e(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
      .map(
        (row) => `<tr>${row.map((c, i) => `<td${i > 0 ? ' class="num"' : ''}>${e(c)}</td>`).join('')}</tr>`,
      )
      .join('')}</tbody></table>`;
    return `<div class="card"><h3>${e(crossoverTitle(x))}</h3><p>${e(x.text)}.</p>${table}</div>`;
  });
  const charts = data.crossover
    .map((c) => chartCard(c.id, c.title, 'log–log; shaded: where Python takes over'))
    .join('');
  return `${cards.join('')}<div class="charts">${charts}</div>`;
}

function kvTable(rows: Array<[string, string]>): string {
  return `<table><tbody>${rows.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</tbody></table>`;
}

export function htmlReport(results: Results): string {
  const r = results;
  const m = r.machine;
  const a = analysisOf(r);
  const views = a.workloads;
  const data = chartData(r);
  colors = data.colors;
  const warn = statusWarning(r);
  const marks = legend(flagsInUse(views));

  const metaItems: Array<[string, string]> = [
    ['date', fmtDate(r.finishedAt ?? r.startedAt)],
    ['machine', `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB`],
    ['OS', m.os],
    ['server CPUs', m.serverCpus.join(', ') || '—'],
    ['generator CPUs', m.generatorCpus.join(', ') || '—'],
    ['Node.js', m.node],
    ['Python', m.python ?? '—'],
  ];
  const header = `<header class="top"><h1>stackbench report <span class="badge">${e(r.suite)} suite</span> <span class="badge${r.status === 'complete' ? '' : ' warn'}">${e(r.status)}</span></h1>
<div class="muted">Node.js vs Python backends, measured on this machine · ${e(m.cpuNote)}</div>
<dl class="meta">${metaItems.map(([k, v]) => `<div><dt>${e(k)}</dt><dd>${e(v)}</dd></div>`).join('')}</dl></header>`;
  const nav = `<nav class="workloads"><a href="#verdicts">verdicts</a><a href="#scaling">scaling</a><a href="#sweep">by size</a>${views.map((v) => `<a href="#w-${e(v.workload)}">${e(v.workload)}</a>`).join('')}<a href="#stacks">stacks</a><a href="#config">configuration</a></nav>`;

  const verdicts = verdictCards(a.verdicts, data.verdicts);
  const reco = a.recommendation.length
    ? `<div class="card reco"><h3>What to choose, on this machine</h3><ul>${a.recommendation.map((l) => `<li>${e(l)}</li>`).join('')}</ul></div>`
    : '';
  const ag = a.agreement;
  const agreement = ag
    ? `<div class="card"><h3>Against ${e(ag.against)}: ${e(ag.summary)}</h3><ul>${ag.rows
        .map(
          (r) =>
            `<li>${r.verdict === 'agrees' ? '' : `<strong>${e(r.verdict === 'slower' ? 'regression' : r.verdict)}</strong>: `}${e(r.text)}</li>`,
        )
        .join('')}</ul></div>`
    : '';
  const overviewRows = views.map((v) => {
    const [w] = winnerLines(v);
    return `<tr><td><a href="#w-${e(v.workload)}">${e(v.workload)}</a></td><td class="muted">${e(WORKLOADS[v.workload].tests)}</td><td>${v.winner ? dot(v.winner) : ''}${e((w ?? '').replace(/^winner: /, ''))}</td></tr>`;
  });
  const overview = `<div class="two"><div class="card"><h3>Winner per workload</h3><table><thead><tr><th>workload</th><th>tests</th><th>winner</th></tr></thead><tbody>${overviewRows.join('')}</tbody></table></div>
${data.overview.length ? chartCard('overview', 'Best Node.js against best Python', 'closed-loop req/s') : emptyCard('Best Node.js against best Python', 'not both runtimes measured')}</div>`;

  const legendHtml = `<div class="card legend"><h3>Reading the figures</h3><ul>
<li><span class="win">★</span> winner of the workload (highest closed-loop req/s).</li>
<li>req/s: median of ${e(r.config.repetitions)} runs at ${e(r.config.connections[0] ?? '—')} connections, with its 95% confidence interval. Capacity: the highest open-loop rate with p99 ≤ ${e(r.config.sloP99Ms)} ms and errors ≤ ${e(fmtPct(r.config.maxErrorRate))}.</li>
<li>A flagged figure carries its mark, and "≥" when the true figure can only be higher; striped bars in the charts are such lower bounds.</li>
${marks.map((x) => `<li><span class="mark">${e(x.mark)}</span> ${e(x.text)}</li>`).join('')}</ul></div>`;

  const stackRows = r.stacks.map(
    (s) =>
      `<tr><td>${dot(s.id)}${e(s.id)}</td><td>${e(s.framework)}</td><td>${e(s.server)}</td><td>${e(s.model)}</td><td class="num">${e(s.workers)}</td><td class="muted">${e(s.workerRule)}</td><td>${Object.entries(
        s.versions,
      )
        .map(([k, v]) => `${e(k)}: ${e(v)}`)
        .join(
          '<br>',
        )}</td><td>${!s.available ? '<span class="status">unavailable</span>' : s.failure ? '<span class="status">failed</span>' : 'ok'}</td></tr>`,
  );
  const failures = r.stacks
    .filter((s) => s.failure)
    .map(
      (s) =>
        `<div class="card"><h3>${dot(s.id)}${e(s.id)}: ${e(s.failure!.reason)}</h3>${s.failure!.fix ? `<div class="muted">fix: ${e(s.failure!.fix)}</div>` : ''}${s.failure!.log.length ? `<pre class="log">${s.failure!.log.map(e).join('\n')}</pre>` : ''}</div>`,
    );
  const stacks = `<div class="card"><table><thead><tr><th>stack</th><th>framework</th><th>server</th><th>model</th><th class="num">workers</th><th>rule</th><th>versions</th><th>status</th></tr></thead><tbody>${stackRows.join('')}</tbody></table></div>${failures.length ? `<div class="failures">${failures.join('')}</div>` : ''}`;

  const c = r.config;
  const config = `<div class="two"><div class="card"><h3>Machine</h3>${kvTable(machineRows(m))}</div><div class="card"><h3>Configuration</h3>${kvTable(
    [
      ['stacks', c.stacks.join(', ')],
      ['workloads', c.workloads.join(', ')],
      ['duration / warm-up', `${fmtDuration(c.durationMs)} / ${fmtDuration(c.warmupMs)}`],
      ['repetitions', String(c.repetitions)],
      ['connections', c.connections.join(', ')],
      ['instances', c.instances.join(', ')],
      ['SLO', `p99 ≤ ${c.sloP99Ms} ms, errors ≤ ${fmtPct(c.maxErrorRate)}`],
      ['capacity probe', fmtDuration(c.probeMs)],
      ['started / finished', `${fmtDate(r.startedAt)} / ${fmtDate(r.finishedAt)}`],
      ['tool', `${r.tool.name} ${r.tool.version}`],
    ],
  )}</div></div>`;
  const notes = r.notes.length
    ? `<section id="notes"><h2>Notes</h2><div class="card"><ul>${r.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul></div></section>`
    : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${e(`stackbench report — ${headerLine(r)}`)}</title>
<style>${CSS}</style></head>
<body>
${header}
${nav}
<main>
${warn ? `<div class="banner">${e(warn)}</div>` : ''}
${r.failures?.length ? `<div class="banner"><strong>Failures this run met</strong> (none of their figures feed a winner, a ratio or a verdict):<ul>${r.failures.map((f) => `<li>${e(f)}</li>`).join('')}</ul></div>` : ''}
<section id="verdicts"><h2>Verdicts on the article <small>${e(VERDICT_LEGEND)}</small></h2>${verdicts}</section>
${reco ? `<section id="recommendation">${reco}</section>` : ''}
${agreement ? `<section id="agreement">${agreement}</section>` : ''}
<section id="overview"><h2>At a glance</h2>${overview}</section>
<section id="scaling"><h2>Horizontal scaling</h2>${scalingSection(r, a, data)}</section>
<section id="sweep"><h2>ML and data by size</h2>${sweepSection(r, a, data)}</section>
${legendHtml}
${views
  .map((v) =>
    workloadSection(
      v,
      data.workloads.find((w) => w.workload === v.workload),
      r,
    ),
  )
  .join('\n')}
<section id="stacks"><h2>Stacks and versions</h2>${stacks}</section>
<section id="config"><h2>Machine and configuration</h2>${config}</section>
${notes}
</main>
<footer>generated by ${e(r.tool.name)} ${e(r.tool.version)} · results embedded below as JSON (script#results)</footer>
<script type="application/json" id="results">${scriptJson(r)}</script>
<script type="application/json" id="chart-data">${scriptJson(data)}</script>
<script>${scriptSource(chartJsSource())}</script>
<script>${scriptSource(`const data = JSON.parse(document.getElementById('chart-data').textContent); const draw = (${clientDraw.toString()})(); (${verdictClient.toString()})(window.Chart, data, draw); (${clientMain.toString()})(window.Chart, data, draw);`)}</script>
</body></html>
`;
}
