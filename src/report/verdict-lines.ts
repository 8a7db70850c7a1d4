// One terminal line per claim: the verdict, the claim, its headline — fitted to the width. The headline is
// printed whole where it fits; otherwise its figure is said in the short form its data gives (the pair, the
// figure, the workload), and what still does not fit is cut with "…" after the figure, so a cut line never
// loses the verdict word or the figure.
import { spanPct, spanX } from '../analysis/headline.js';
import type { HeadlineFigure, Verdict } from '../results/types.js';
import { cut } from './fit.js';

/** The figure in words: "3.0x (1.8–4.9)", or "32% (13–80%) vs fastapi-uvicorn 149% (59–349%)" for shares. */
function figureText(f: HeadlineFigure): string {
  return f.unit === 'x' ? spanX(f) : spanPct(f);
}

/** The headline from its data alone: "node-cluster 3.0x (1.8–4.9) fastapi-uvicorn on json". */
function shortForm(f: HeadlineFigure): { text: string; figureEnd: number } {
  const on = `on ${f.workload}${f.at ? ` at ${f.at}` : ''}`;
  const head = `${f.a} ${figureText(f)}`;
  const rest = f.unit === '%' && f.versus ? ` vs ${f.b} ${spanPct(f.versus)} ${on}` : ` ${f.b} ${on}`;
  return { text: head + rest, figureEnd: head.length };
}

/**
 * What follows the claim: the headline without its verdict (the line's first column says it). Cut, it keeps
 * the figure and both stacks of the pair; where the room is too short for that, the short form says them.
 */
export function fitHeadline(v: Verdict, room: number): string {
  const full = v.headline.text.replace(`${v.verdict} — `, '');
  if (full.length <= room) return full;
  const f = v.headline.figure;
  if (!f) return cut(full, room);
  const fig = figureText(f);
  const essential = Math.max(full.indexOf(fig) + fig.length, full.lastIndexOf(f.b) + f.b.length);
  if (full.includes(fig) && essential <= room - 1) return cut(full, room);
  const short = shortForm(f);
  if (short.text.length <= room || short.figureEnd <= room - 1) return cut(short.text, room);
  // The first stack's name leaves the figure no room: the figure first.
  return cut(`${fig} ${f.a} vs ${f.b} on ${f.workload}`, room);
}

/** The claims' lines, aligned: "  supported      raw-performance        node-cluster serves 3.0x ...". */
export function verdictLines(
  verdicts: Verdict[],
  width: number,
  style: (v: Verdict, text: string) => string = (_, t) => t,
): string[] {
  const vw = Math.max(...verdicts.map((v) => v.verdict.length));
  const cw = Math.max(...verdicts.map((v) => v.claim.length));
  const room = width - (2 + vw + 2 + cw + 2);
  return verdicts.map((v) =>
    `  ${style(v, v.verdict.padEnd(vw))}  ${v.claim.padEnd(cw)}  ${fitHeadline(v, room)}`.trimEnd(),
  );
}
