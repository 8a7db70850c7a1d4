// Flag parsing shared by every command: node:util parseArgs in strict mode, driven by the same flag definitions
// that generate each command's usage text (command.ts), with our error catalog for every mistake.
import { parseArgs } from 'node:util';
import { StackbenchError } from '../errors.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in the usage ("N", "DURATION"). */
  value?: string;
  /** One line, or several separated by \n. */
  help: string;
}
export type FlagSpecs = Record<string, FlagSpec>;

/** The values parseArgs returns for some flag definitions: booleans, strings, or lists of strings. */
export type Parsed<F extends FlagSpecs> = {
  [K in keyof F]?: F[K]['type'] extends 'boolean'
    ? boolean
    : F[K]['multiple'] extends true
      ? string[]
      : string;
};

export function parseFlags<F extends FlagSpecs>(
  cmd: string,
  argv: string[],
  flags: F,
  positionals: 'one' | 'many' | 'none' = 'none',
  operand = 'argument',
): { values: Parsed<F>; operand: string | undefined; operands: string[] } {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) },
    ]),
  );
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    const args = joinDashValues(argv, flags);
    parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals !== 'none' });
  } catch (e) {
    // One line: parseArgs messages can span several.
    const msg = (e as Error).message.replace(/\. To specify a positional.*$/s, '').replace(/\s*\n\s*/g, ' ');
    throw new StackbenchError('SB_BAD_FLAG', [msg], [cmd]);
  }
  if (positionals === 'one' && parsed.positionals.length !== 1) {
    const n = parsed.positionals.length;
    const detail = n === 0 ? `missing ${operand}` : `expected one ${operand}, got ${n}`;
    throw new StackbenchError('SB_BAD_FLAG', [detail], [cmd]);
  }
  return {
    values: parsed.values as Parsed<F>,
    operand: parsed.positionals[0],
    operands: parsed.positionals,
  };
}

/**
 * `--slo -5`: parseArgs calls a value that starts with a dash "ambiguous". A value-taking flag followed by
 * something that is not one of our flags takes it as its value, so the value's own check says what is wrong.
 */
function joinDashValues(argv: string[], flags: FlagSpecs): string[] {
  const takesValue = (tok: string) => {
    const long = /^--([^=]+)$/.exec(tok)?.[1];
    if (long) return flags[long]?.type === 'string';
    const short = /^-([A-Za-z])$/.exec(tok)?.[1];
    return short !== undefined && Object.values(flags).some((f) => f.short === short && f.type === 'string');
  };
  const isFlag = (tok: string) =>
    /^--[^=]+/.test(tok) ? tok.slice(2).split('=')[0]! in flags : /^-[A-Za-z]$/.test(tok);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    const next = argv[i + 1];
    if (takesValue(tok) && next !== undefined && next.startsWith('-') && !isFlag(next)) {
      out.push(tok.startsWith('--') ? `${tok}=${next}` : `${tok}${next}`);
      i++;
    } else out.push(tok);
  }
  return out;
}
