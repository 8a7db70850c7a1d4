// Running the real CLI in tests, and finding any process a run left behind (by its STACKBENCH_RUN_ID).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
export const BIN = resolve(ROOT, 'bin/stackbench.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  runId: string;
}

export function startCli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; runId: string; done: Promise<CliResult> } {
  const runId = `test-${randomUUID()}`;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env, STACKBENCH_RUN_ID: runId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c));
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  const done = new Promise<CliResult>((res) =>
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr, runId })),
  );
  return { child, runId, done };
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/** Live (non-zombie) processes whose environment carries this run's id. */
export function leftovers(runId: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3))) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`STACKBENCH_RUN_ID=${runId}`)) {
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
      }
    } catch {
      /* gone or unreadable */
    }
  }
  return found;
}

/** Processes of this run (by its STACKBENCH_RUN_ID) whose command line matches, with their parent pid. */
export function processesOf(runId: string, cmd: RegExp): Array<{ pid: number; ppid: number }> {
  const out: Array<{ pid: number; ppid: number }> = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'utf8').includes(`STACKBENCH_RUN_ID=${runId}`)) continue;
      if (!cmd.test(readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' '))) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      out.push({ pid: Number(name), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) });
    } catch {
      /* gone, or not readable */
    }
  }
  return out;
}
