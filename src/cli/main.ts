// Entry point: dispatch to a command, print errors as one line from the catalog, exit with its code.
import { StackbenchError, ExitCode } from '../errors.js';
import { cleanupAll, handleSignals } from '../machine/process.js';
import { VERSION } from '../version.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'stackbench — Node.js vs Python backends, measured on this machine',
    '',
    'usage: stackbench <command> [flags]   (stackbench <command> --help for its flags)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'exit codes: 0 ok, 1 runtime failure, 2 bad input, 3 threshold failed',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`stackbench ${VERSION}\n`);
    return ExitCode.ok;
  }
  const cmd: Command | undefined = commands.find((c) => c.name === name);
  if (!cmd) throw new StackbenchError('SB_UNKNOWN_COMMAND', [name]);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage.trimEnd() + '\n');
    return ExitCode.ok;
  }
  return cmd.run(rest);
}

// Ctrl-C stops cleanly, a second one kills: the CLI's own behaviour, not something importing the library does.
handleSignals();
// A reader that goes away (`stackbench run 2>&1 | head -1`) must not end a run: unheard, the next write's EPIPE
// crashed it at its first line and left results.json "running" with no points. What is not printed is in the
// files.
for (const out of [process.stdout, process.stderr])
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
main(process.argv.slice(2)).then(
  async (code) => {
    await cleanupAll();
    process.exitCode = code;
  },
  async (err: unknown) => {
    await cleanupAll();
    if (err instanceof StackbenchError) {
      process.stderr.write(err.line() + '\n');
      process.exitCode = err.exit;
    } else {
      process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = ExitCode.failure;
    }
  },
);
