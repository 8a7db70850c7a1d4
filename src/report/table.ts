// Plain-text tables for the terminal and markdown tables for report.md: pure functions of rows.
// eslint-disable-next-line no-control-regex -- ANSI color codes take no width on screen
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;

export function textTable(head: string[], rows: string[][], align: Array<'l' | 'r'> = []): string {
  const widths = head.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const cell = (s: string, i: number) => {
    const pad = ' '.repeat(widths[i]! - visible(s));
    return align[i] === 'r' ? pad + s : s + pad;
  };
  const line = (r: string[]) => r.map(cell).join('  ').trimEnd();
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(head: string[], rows: string[][], align: Array<'l' | 'r'> = []): string {
  // Cells may hold text from results.json: no raw HTML through, no pipe or newline breaking the row.
  const esc = (s: string) =>
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\|/g, '\\|')
      .replace(/\n/g, ' ');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `|${head.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

const useColor = () => process.stdout.isTTY && !process.env.NO_COLOR;
export const color = {
  green: (s: string) => (useColor() ? `\x1b[32m${s}\x1b[0m` : s),
  red: (s: string) => (useColor() ? `\x1b[31m${s}\x1b[0m` : s),
  yellow: (s: string) => (useColor() ? `\x1b[33m${s}\x1b[0m` : s),
  dim: (s: string) => (useColor() ? `\x1b[2m${s}\x1b[0m` : s),
  bold: (s: string) => (useColor() ? `\x1b[1m${s}\x1b[0m` : s),
};
