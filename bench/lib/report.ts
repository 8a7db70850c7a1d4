// Medians, markdown tables, and the result file each benchmark writes under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './tools.js';

export { median } from '../../src/analysis/stats.js';

export function table(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function fmt(v: number, digits = 1): string {
  return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  // cpus(), not availableParallelism(): a benchmark that pinned itself to one core still runs on the whole machine.
  return `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** Print the markdown and write it to bench/results/<name>.md. */
export function publish(name: string, md: string): void {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const text = `${md}\n\n_Measured ${new Date().toISOString()} on ${machine()}._\n`;
  writeFileSync(join(dir, `${name}.md`), text);
  process.stdout.write(text);
}
