// Text fitted to a terminal: its width (80 columns at least), a line cut to it with "…", a paragraph wrapped
// to it. Pure but for terminalWidth, which asks the stream.

/** The width to fit: the terminal's columns when stdout is one, never under 80; 80 when piped. */
export function terminalWidth(out: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return Math.max(80, out.isTTY && out.columns ? out.columns : 80);
}

/** At most `width` characters: a longer line keeps width - 1 of them and ends in "…". */
export function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  return `${text.slice(0, Math.max(0, width - 1)).trimEnd()}…`;
}

/**
 * Words wrapped to `width` columns, the first line after `first`, the others after `indent`; a word longer than
 * a line is broken, never cut: nothing of the text is lost.
 */
export function wrap(text: string, width: number, indent = '', first = indent): string[] {
  const room = Math.max(1, width - Math.max(indent.length, first.length));
  const words = text
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((w) => w.match(new RegExp(`.{1,${room}}`, 'gu')) ?? []);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    const lead = lines.length ? indent : first;
    if (cur && lead.length + cur.length + 1 + w.length > width) {
      lines.push(lead + cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  lines.push((lines.length ? indent : first) + cur);
  return lines;
}
