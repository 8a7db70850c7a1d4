// One terminal line per claim: the verdict, the claim, its headline — fitted to the width. The headline is
// printed whole where it fits; otherwise its figure is said from its data, as richly as the room allows
// ("node-cluster 1.86x (1.10–3.16) vs fastapi-uvicorn on json" down to "node-cluster 1.86x (1.10–3.16)
// fastapi-uvicorn"), so that at 80 columns every line keeps the verdict, the figure with its interval and the
// pair. Only a name too long for any of these is cut, after the figure.
import { floorsForm, spanPct, spanX } from '../analysis/headline.js';
import type { HeadlineFigure, Span, Verdict } from '../results/types.js';
import { cut } from './fit.js';

/**
 * The claims' names where their ids leave the headline too little room (80 columns): at most 8 characters, so
 * that the longest figure of this product's stacks ("fastapi-uvicorn 84% (69–103) node-http 63% (52–76) chat")
 * fits beside "not supported".
 */
const SHORT: Record<string, string> = {
  'raw-performance': 'raw-perf',
  'concurrent-io': 'io-bound',
  'horizontal-scaling': 'scaling',
  'python-needs-wsgi': 'wsgi',
  microservices: 'services',
  'realtime-chat-streaming': 'realtime',
  'data-heavy': 'data',
  'ml-logic': 'ml-logic',
  'heavy-computation': 'compute',
  'speed-and-concurrency': 'speed+io',
};

export const shortClaim = (id: string) => SHORT[id] ?? id;

/** "84% (69–103)": a share with its interval, the unit said once. */
const pctBrief = (s: Span) => spanPct(s).replace(/%\)$/, ')');

/**
 * The figure and its pair from the headline's data, at a level of detail: 0 "a 1.86x (…) vs b on json",
 * 1 "a 1.86x (…) vs b json", 2 "a 1.86x (…) b json", 3 "a 1.86x (…) b". A tie keeps its verb: "a ties b json:
 * 1.04x (…)"; shares (E(N)) give both sides' figures.
 */
export function figureForm(f: HeadlineFigure, tie: boolean, level: number): string {
  const where = `${f.workload}${f.at ? (level === 0 ? ` at ${f.at}` : ` ${f.at.replace(', ', ' ')}`) : ''}`;
  const on = level === 0 ? ` on ${where}` : level < 3 ? ` ${where}` : '';
  const vs = level < 2 ? ' vs ' : ' ';
  if (f.unit === '%') {
    const b = f.versus ? `${f.b} ${level === 0 ? spanPct(f.versus) : pctBrief(f.versus)}` : f.b;
    const a = `${f.a} ${level === 0 ? spanPct(f) : pctBrief(f)}`;
    const n = level === 0 ? /^(\d+) replicas$/.exec(f.at ?? '')?.[1] : undefined;
    const on2 = level === 0 ? ` on ${f.workload}` : level < 3 ? ` ${f.workload}` : '';
    return `${n ? `E(${n}) ` : ''}${a}${vs}${b}${on2}`;
  }
  const floors = floorsForm(f);
  if (floors) return `${floors}${on}`;
  if (tie) return `${f.a} ties ${f.b}${on}${level < 2 ? ':' : ''} ${spanX(f)}`;
  return `${f.a} ${spanX(f)}${vs}${f.b}${on}`;
}

const textOf = (v: Verdict) => v.headline.text.replace(`${v.verdict} — `, '');
/** The figure is a tie: the row it comes from (same place, same pair) says so. */
function isTie(v: Verdict): boolean {
  const f = v.headline.figure;
  if (!f) return false;
  const pair = [f.a, f.b].sort().join('|');
  return v.matchups.some(
    (r) =>
      r.outcome === 'tie' &&
      r.workload === f.workload &&
      (r.at ?? '') === (f.at ?? '') &&
      [r.favoured, r.opponent].sort().join('|') === pair,
  );
}

/** The richest level of figureForm that fits the room (4: none does); -1 where the whole headline fits. */
function levelOf(v: Verdict, room: number): number {
  const f = v.headline.figure;
  if (textOf(v).length <= room) return -1;
  if (!f) return 4;
  const level = [0, 1, 2, 3].find((l) => figureForm(f, isTie(v), l).length <= room);
  return level ?? 4;
}

/**
 * What follows the claim: the headline without its verdict (the line's first column says it), whole where it
 * fits; else the richest form of its figure that fits, no richer than `least` (the lines' common level); else
 * the barest, cut after the figure (the figure first when the first stack's name leaves it no room).
 */
export function fitHeadline(v: Verdict, room: number, least = 0): string {
  const full = textOf(v);
  const level = levelOf(v, room);
  if (level === -1) return full;
  const f = v.headline.figure;
  if (!f) return cut(full, room);
  const tie = isTie(v);
  if (level < 4) return figureForm(f, tie, Math.max(level, least));
  const fig = f.unit === 'x' ? spanX(f) : pctBrief(f);
  const bare = figureForm(f, tie, 3);
  if (bare.indexOf(fig) + fig.length <= room - 1) return cut(bare, room);
  return cut(`${fig} ${f.a} vs ${f.b}`, room);
}

/** The room a verdict's headline needs to keep "vs" and its workload (the whole text if it has no figure). */
const need = (v: Verdict) =>
  v.headline.figure ? figureForm(v.headline.figure, isTie(v), 1).length : textOf(v).length;

/**
 * The claims' lines, aligned: "  supported     raw-perf node-cluster 1.86x (…) vs fastapi-uvicorn json". The
 * claims go by their ids, two spaces apart, where every headline then still fits with "vs" and its workload;
 * otherwise by their short names, one space apart.
 */
export function verdictLines(
  verdicts: Verdict[],
  width: number,
  style: (v: Verdict, text: string) => string = (_, t) => t,
): string[] {
  const vw = Math.max(...verdicts.map((v) => v.verdict.length));
  const roomWith = (names: string[], gap: number) =>
    width - (2 + vw + gap + Math.max(...names.map((n) => n.length)) + gap);
  const ids = verdicts.map((v) => v.claim);
  const wide = verdicts.every((v) => need(v) <= roomWith(ids, 2));
  const names = wide ? ids : verdicts.map((v) => shortClaim(v.claim));
  const gap = wide ? '  ' : ' ';
  const cw = Math.max(...names.map((n) => n.length));
  const room = roomWith(names, gap.length);
  // One level for the short forms where they can share it ("vs" kept), so that the lines read alike.
  const least = Math.max(0, ...verdicts.map((v) => levelOf(v, room)).filter((l) => l <= 1));
  return verdicts.map((v, i) =>
    `  ${style(v, v.verdict.padEnd(vw))}${gap}${names[i]!.padEnd(cw)}${gap}${fitHeadline(v, room, least)}`.trimEnd(),
  );
}
