// A verdict's matchups as a table (report.md, the HTML disclosure): one row per comparison the rule made, read
// from its rows (VerdictRow), never from its summary.
import { spanPct, spanX } from '../analysis/headline.js';
import type { Span, Verdict, VerdictRow } from '../results/types.js';
import { fmtRps } from './format.js';

export const MATCHUP_HEAD = [
  'workload',
  'favoured',
  'opponent',
  'server class',
  'figures',
  'ratio (95% CI)',
  'outcome',
  'bounds and caveats',
];

const METRIC = { rps: 'req/s', capacity: 'capacity', efficiency: 'E(N)' } as const;

/** "io capacity", "ml req/s at 8.7 MFLOP", "chat E(N) at 4 replicas" */
export const rowWhere = (r: VerdictRow) => `${r.workload} ${METRIC[r.metric]}${r.at ? ` at ${r.at}` : ''}`;

/** A figure as the table shows it: "≥2,600" for a lower bound, "92%" for a share. */
function figure(s: Span | null, r: VerdictRow): string {
  if (!s) return '—';
  if (r.metric === 'efficiency') return spanPct(s);
  if (s.value === 0) return r.metric === 'capacity' ? 'none within the SLO' : 'none';
  return `${s.high === null ? '≥' : ''}${fmtRps(s.value)}`;
}

export const OUTCOME_TEXT: Record<VerdictRow['outcome'], string> = {
  win: 'win',
  tie: 'tie',
  loss: 'loss',
  undecided: 'undecided',
  'cannot serve': 'win: it cannot serve',
};

export function matchupCells(r: VerdictRow): string[] {
  return [
    rowWhere(r),
    r.favoured,
    r.opponent,
    r.opponentClass,
    `${figure(r.favouredFigure, r)} vs ${figure(r.opponentFigure, r)}`,
    r.ratio ? spanX(r.ratio) : '—',
    OUTCOME_TEXT[r.outcome],
    r.notes.join('; '),
  ];
}

export function matchupTable(v: Verdict): { head: string[]; rows: string[][] } {
  return { head: MATCHUP_HEAD, rows: v.matchups.map(matchupCells) };
}
