// stackbench verify: every stack x workload checked for the same answers and proper HTTP.
import { ExitCode, StackbenchError } from '../../errors.js';
import { color, textTable } from '../../report/table.js';
import { interrupt } from '../../stacks/process.js';
import { STACK_IDS } from '../../stacks/registry.js';
import { verify, type Cell, type Verification } from '../../verify/verify.js';
import { WORKLOAD_IDS, type WorkloadId } from '../../workloads.js';
import { parseFlags, parseIntFlag } from '../args.js';
import { selectRun } from '../select.js';
import type { Command } from '../command.js';

const usage = `usage: stackbench verify [--stacks a,b] [--workloads x,y] [--base-port P] [--json]

Starts each stack alone on the server cores and checks every workload: status, Content-Type, framing, Server and
Date headers, the same answer as every other stack, and a 400 (not a crash or a hang) for bad parameters.
Exit 0 when every available cell passes, 1 when one fails, 2 on bad input.

  --stacks      ${STACK_IDS.join(',')}
  --workloads   ${WORKLOAD_IDS.join(',')}
  --base-port   use ports from P upward instead of free ones the kernel picks
  --json        print one JSON document on stdout, nothing else`;

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

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check that every stack answers every workload correctly',
  usage,
  async run(argv) {
    const { values } = parseFlags('verify', argv, {
      stacks: { type: 'string' },
      workloads: { type: 'string' },
      'base-port': { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    const { stacks, workloads } = selectRun(values);
    const basePort =
      values['base-port'] === undefined
        ? undefined
        : parseIntFlag('--base-port', values['base-port'], 1024, 65000);
    const live = !values.json && process.stderr.isTTY;
    const v = await verify(stacks, workloads, {
      basePort,
      signal: interrupt.signal,
      onEvent: (e) => {
        if (values.json) return;
        if (e.type === 'stack')
          process.stderr.write(`${live ? '\r\x1b[K' : ''}verifying ${e.id}…${live ? '' : '\n'}`);
      },
    });
    if (live) process.stderr.write('\r\x1b[K');
    if (values.json) process.stdout.write(JSON.stringify(v, null, 2) + '\n');
    else process.stdout.write(renderVerification(v, workloads) + '\n');
    if (v.interrupted) throw new StackbenchError('SB_INTERRUPTED');
    return v.ok ? ExitCode.ok : ExitCode.failure;
  },
};
