// The verification table `stackbench verify` prints: stack x workload, then what failed and why. Pure.
import type { Cell, Verification } from '../verify/verify.js';
import type { WorkloadId } from '../workloads.js';
import { color, textTable } from './table.js';

function mark(c: Cell | undefined): string {
  if (!c) return color.dim('-');
  if (c.status === 'pass') return color.green('pass');
  if (c.status === 'fail') return color.red('FAIL');
  if (c.status === 'unsupported') return color.dim('n/s');
  return color.yellow('n/a');
}

export function renderVerification(v: Verification, workloads: WorkloadId[]): string {
  const rows = v.stacks.map((s) => [s.id, ...workloads.map((w) => mark(s.cells[w]))]);
  const notes: string[] = [];
  for (const s of v.stacks) {
    const seen = new Set<string>();
    for (const w of workloads) {
      const c = s.cells[w];
      if (!c || c.status === 'pass') continue;
      const text =
        c.status === 'fail'
          ? `${s.id} ${w}: ${c.reason}`
          : c.status === 'unsupported'
            ? `${s.id} ${w}: not supported: ${c.reason}`
            : `${s.id}: not available: ${c.reason} — fix: ${c.fix}`;
      if (!seen.has(text)) notes.push(text);
      seen.add(text);
    }
  }
  const pass = v.stacks.flatMap((s) => Object.values(s.cells)).filter((c) => c.status === 'pass').length;
  const total = v.stacks.length * workloads.length;
  const unsupported = v.stacks
    .flatMap((s) => Object.values(s.cells))
    .filter((c) => c.status === 'unsupported').length;
  return [
    textTable(['stack', ...workloads], rows),
    '',
    ...notes,
    ...(notes.length ? [''] : []),
    `${pass}/${total} cells pass${unsupported ? `, ${unsupported} not supported by their stack's model` : ''} · ${v.cpus.note}${v.interrupted ? ' · interrupted' : ''}`,
  ].join('\n');
}
