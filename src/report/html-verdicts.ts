// report.html's first screen: the ten verdicts as small multiples. Each card: the claim's short name, the
// verdict as a badge, the headline line and one small picture (html-client-verdicts.ts draws it); under it a
// disclosure with the matchups as a table (server classes, bounds and caveats in their own columns), then the
// verdict's summary and evidence in full.
import { CLAIMS } from '../analysis/claims.js';
import type { Verdict } from '../results/types.js';
import { escapeHtml as e } from './escape.js';
import { matchupTable } from './matchups.js';
import type { VerdictChart } from './verdict-charts.js';

const WORDS: Record<string, string> = { io: 'I/O', ml: 'ML', wsgi: 'WSGI', realtime: 'real-time' };

/** "concurrent-io" -> "Concurrent I/O", "python-needs-wsgi" -> "Python needs WSGI". */
export function claimName(id: string): string {
  const words = id.split('-').map((w) => WORDS[w] ?? w);
  const [first = '', ...rest] = words;
  return [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(' ');
}

function table(v: Verdict): string {
  const t = matchupTable(v);
  const num = new Set([4, 5]);
  const cell = (tag: 'th' | 'td', c: string, i: number) =>
    `<${tag}${num.has(i) ? ' class="num"' : ''}>${e(c)}</${tag}>`;
  return `<table class="matchups"><thead><tr>${t.head.map((h, i) => cell('th', h, i)).join('')}</tr></thead><tbody>${t.rows
    .map(
      (r, k) =>
        `<tr class="o-${e(v.matchups[k]!.outcome.replace(/\s+/g, '-'))}">${r.map((c, i) => cell('td', c, i)).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

function disclosure(v: Verdict): string {
  const n = v.matchups.length;
  const label = n ? `${n} matchup${n === 1 ? '' : 's'}, summary and evidence` : 'summary and evidence';
  const evidence = v.evidence.length ? `<ul>${v.evidence.map((x) => `<li>${e(x)}</li>`).join('')}</ul>` : '';
  return `<details><summary>${e(label)}</summary>${n ? table(v) : ''}<p class="summary">${e(v.summary)}</p>${evidence}</details>`;
}

function card(v: Verdict, chart: VerdictChart | undefined): string {
  const cls = `v-${v.verdict.replace(/\s+/g, '-')}`;
  const quote = CLAIMS.find((c) => c.id === v.claim)?.quotes.join(' … ') ?? '';
  const headline = v.headline.text.replace(`${v.verdict} — `, '');
  const pic =
    chart && chart.kind !== 'none'
      ? `<div class="pic"><canvas data-chart="verdict-${e(v.claim)}" role="img" aria-label="${e(v.headline.text)}"></canvas></div>`
      : `<div class="pic nopic">${e(v.verdict === 'not measured' ? 'nothing to draw: not measured' : 'no figure to draw')}</div>`;
  return `<article class="vcard verdict ${e(cls)}" id="claim-${e(v.claim)}">${pic}
<h3 title="${e(quote)}"><span class="label">${e(v.verdict)}</span>${e(claimName(v.claim))}</h3>
<p class="headline">${e(headline)}</p>${disclosure(v)}</article>`;
}

/** What the pictures show, said once above them. */
export const VERDICT_LEGEND =
  'bars: per workload the claim’s side against its strongest opponent, 95 % whiskers, log scale, striped: a lower bound; the outcome beside each pair';

export function verdictCards(verdicts: Verdict[], charts: VerdictChart[]): string {
  return `<div class="verdicts">${verdicts
    .map((v) =>
      card(
        v,
        charts.find((c) => c.claim === v.claim),
      ),
    )
    .join('\n')}</div>`;
}
