// A CLI command is data: its name, a one-line summary, what it takes, its flags with their help — and the function
// that runs it. The usage text is generated from the same flag definitions the parser uses, so the two cannot
// drift. Commands return the process exit code (src/errors.ts ExitCode); bad input is thrown as a StackbenchError.
import { parseFlags, type FlagSpecs, type Parsed } from './args.js';

export interface CommandSpec<F extends FlagSpecs> {
  name: string;
  summary: string;
  /** What follows the name on the usage line besides the flags, e.g. "URL" or "RESULTS.json". */
  operands?: string;
  /** How many positional operands it takes: exactly one ("one"), any number ("many"), or none (default). */
  positionals?: 'one' | 'many' | 'none';
  /** Paragraphs between the usage line and the flags. */
  about: string;
  flags: F;
  /** Lines after the flags (examples, exit codes). */
  footer?: string;
  run(values: Parsed<F>, operand: string | undefined, operands: string[]): Promise<number>;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** The usage text: usage line, about, then one line per flag from its definition. */
export function usageOf<F extends FlagSpecs>(spec: CommandSpec<F>): string {
  const label = (name: string, f: F[string]) =>
    `${f.short ? `-${f.short}, ` : '    '}--${name}${f.value ? ` ${f.value}` : ''}`;
  const entries = Object.entries(spec.flags) as Array<[string, F[string]]>;
  const width = Math.max(0, ...entries.map(([n, f]) => label(n, f).length));
  const lines = entries.map(([n, f]) => {
    const [first, ...rest] = f.help.split('\n');
    const pad = ' '.repeat(width + 4);
    return [`  ${label(n, f).padEnd(width)}  ${first}`, ...rest.map((r) => `${pad}${r}`)].join('\n');
  });
  const head = `usage: stackbench ${spec.name}${spec.operands ? ` ${spec.operands}` : ''}${entries.length ? ' [flags]' : ''}`;
  return [
    head,
    '',
    spec.about,
    ...(lines.length ? ['', 'flags:', ...lines] : []),
    ...(spec.footer ? ['', spec.footer] : []),
  ].join('\n');
}

export function defineCommand<F extends FlagSpecs>(spec: CommandSpec<F>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: usageOf(spec),
    run: async (argv) => {
      const { values, operand, operands } = parseFlags(
        spec.name,
        argv,
        spec.flags,
        spec.positionals ?? 'none',
        spec.operands,
      );
      return spec.run(values, operand, operands);
    },
  };
}
