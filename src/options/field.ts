// An option of a job, stated once: its kind and range (from which its zod schema is made), its default, its
// help, and — where the command line offers it — its flag. The library checks a job's options against these
// fields, the CLI turns its flags into the same options through them (and prints their help from them), and the
// config file's schema picks its fields from them: a range or a default is never written twice.
import { z } from 'zod';
import { StackbenchError } from '../errors.js';
import { parseCpuList } from '../machine/cpuset.js';
import { parseDuration } from './units.js';

export interface Flag {
  /** The long flag, without dashes. */
  name: string;
  short?: string;
  /** The placeholder in the usage ("MS", "a,b"). */
  value?: string;
}

interface Common {
  help: string;
  flag?: Flag;
  /** Applied when the option is left out; said in the help. */
  default?: unknown;
}

/** What an option holds, and so how its flag's text is read and how a bad value is refused. */
export type Field = Common &
  (
    | { kind: 'int'; min: number; max: number }
    | { kind: 'ints'; min: number; max: number }
    | { kind: 'rate'; max: number }
    | { kind: 'share' }
    | { kind: 'duration' }
    | { kind: 'enum'; values: readonly string[]; code?: 'SB_UNKNOWN_SUITE' }
    | { kind: 'names' }
    | { kind: 'cpus' }
    | { kind: 'text' }
    | { kind: 'texts' }
    | { kind: 'bool' }
    | {
        kind: 'parsed';
        schema: z.ZodType;
        /** Text to a value (a bad one: badValue). */
        parse: (text: string) => unknown;
        /** Comma-separated values. */
        many?: true;
        /** What is expected, in words ("rows from 10000 to 1000000"). */
        expected: string;
        /** A value as the user writes it. */
        show?: (v: unknown) => string;
      }
    /** A value only a program (or a config file) gives: no flag. */
    | { kind: 'value'; schema: z.ZodType }
  );

export type Fields = Record<string, Field>;

const ms = z.number().positive().max(3_600_000);

/** The zod schema of one field: its type and range. */
export function schemaOf(f: Field): z.ZodType {
  switch (f.kind) {
    case 'int':
      return z.number().int().min(f.min).max(f.max);
    case 'ints':
      return z.array(z.number().int().min(f.min).max(f.max)).min(1);
    case 'rate':
      return z.number().positive().max(f.max);
    case 'share':
      return z.number().min(0).max(1);
    case 'duration':
      return ms;
    case 'enum':
      return z.enum(f.values as [string, ...string[]]);
    case 'names':
    case 'texts':
      return z.array(z.string());
    case 'cpus':
      return z.array(z.number().int().min(0));
    case 'text':
      return z.string().min(1);
    case 'bool':
      return z.boolean();
    case 'parsed':
      return f.many ? z.array(f.schema) : f.schema;
    case 'value':
      return f.schema;
  }
}

/** The zod schema of a job: every field optional (a default is applied by `checkOptions`), nothing else. */
export function schemaOfFields<F extends Fields>(fields: F) {
  const shape = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, schemaOf(f).optional()]));
  return z.strictObject(shape);
}

/** How a field is named in an error: the flag on the command line, the option's key in the library. */
export type Naming = (key: string, f: Field) => string;
export const byKey: Naming = (key) => key;
export const byFlag: Naming = (key, f) => (f.flag ? `--${f.flag.name}` : key);

const listWords = (vs: readonly string[]) =>
  vs.length === 2 ? vs.join(' or ') : `${vs.slice(0, -1).join(', ')} or ${vs.at(-1)}`;

/** The one error a bad value of a field gets (the catalog's code for its kind). */
export function badValue(name: string, f: Field, value: unknown, cmd = 'run'): StackbenchError {
  const v = Array.isArray(value) ? value.join(',') : String(value);
  switch (f.kind) {
    case 'int':
    case 'ints':
      return new StackbenchError('SB_BAD_NUMBER', [name, v, `an integer from ${f.min} to ${f.max}`], [name]);
    case 'rate':
      return new StackbenchError('SB_BAD_NUMBER', [name, v, `a number above 0 and at most ${f.max}`], [name]);
    case 'share':
      return new StackbenchError('SB_BAD_NUMBER', [name, v, 'a rate from 0 to 1'], [name]);
    case 'duration':
      return new StackbenchError('SB_BAD_DURATION', [typeof value === 'number' ? `${v}ms` : v]);
    case 'enum':
      if (f.code) return new StackbenchError(f.code, [v]);
      return new StackbenchError(
        'SB_BAD_FLAG',
        [`bad ${name} "${v}": expected ${listWords(f.values)}`],
        [cmd],
      );
    case 'cpus':
      return new StackbenchError('SB_BAD_NUMBER', [name, v, 'a core list such as 1 or 2-5,7'], [name]);
    case 'parsed':
      return new StackbenchError('SB_BAD_NUMBER', [name, f.show?.(value) ?? v, f.expected], [name]);
    default:
      return new StackbenchError('SB_BAD_FLAG', [`bad ${name} ${JSON.stringify(value)}`], [cmd]);
  }
}

/**
 * A job's options checked against its fields, with the defaults applied: an unknown option, or a value of the
 * wrong type or out of range, is the catalog's error naming it (as `naming` calls it).
 */
export function checkOptions<F extends Fields>(
  fields: F,
  options: Record<string, unknown>,
  naming: Naming = byKey,
  cmd = 'run',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const f = fields[key];
    if (!f) throw new StackbenchError('SB_BAD_FLAG', [`unknown option "${key}"`], [cmd]);
    const r = schemaOf(f).safeParse(value);
    if (!r.success) {
      const at = r.error.issues[0]?.path[0];
      const bad = typeof at === 'number' && Array.isArray(value) ? value[at] : value;
      throw badValue(naming(key, f), f, f.kind === 'ints' || f.kind === 'parsed' ? bad : value, cmd);
    }
    out[key] = r.data;
  }
  for (const [key, f] of Object.entries(fields))
    if (out[key] === undefined && 'default' in f) out[key] = f.default;
  return out;
}

/** A flag's text as its field's value (a list flag: comma-separated; a repeatable flag: every occurrence). */
export function fromText(key: string, f: Field, text: string | string[] | boolean): unknown {
  const name = f.flag ? `--${f.flag.name}` : key;
  const one = (t: string): number => {
    if (!/^-?\d+$/.test(t.trim())) throw badValue(name, f, t);
    return Number(t);
  };
  if (f.kind === 'bool' || typeof text === 'boolean') return text === true;
  if (f.kind === 'texts') return Array.isArray(text) ? text : [text];
  const t = Array.isArray(text) ? text.at(-1)! : text;
  switch (f.kind) {
    case 'int':
      return one(t);
    case 'ints':
      return t.split(',').map(one);
    case 'rate': {
      if (!/^\d+(\.\d+)?$/.test(t.trim())) throw badValue(name, f, t);
      return Number(t);
    }
    case 'share':
      return Number(t);
    case 'duration':
      return parseDuration(t);
    case 'names': {
      const items = t.split(',').map((s) => s.trim());
      if (items.some((i) => i === ''))
        throw new StackbenchError(
          'SB_BAD_FLAG',
          [`${name} "${t}" has an empty name (a stray comma?)`],
          ['run'],
        );
      return items;
    }
    case 'cpus': {
      const cores = parseCpuList(t);
      if (!cores) throw badValue(name, f, t);
      return cores;
    }
    case 'parsed': {
      const read = (x: string) => {
        const v = f.parse(x);
        if (!schemaOf({ ...f, many: undefined }).safeParse(v).success) throw badValue(name, f, x);
        return v;
      };
      return f.many ? t.split(',').map(read) : read(t);
    }
    default:
      return t;
  }
}

export type FieldValue<F extends Field> = F extends { kind: 'int' | 'rate' | 'share' | 'duration' }
  ? number
  : F extends { kind: 'ints' | 'cpus' }
    ? number[]
    : F extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : F extends { kind: 'names' | 'texts' }
        ? string[]
        : F extends { kind: 'text' }
          ? string
          : F extends { kind: 'bool' }
            ? boolean
            : F extends { kind: 'parsed' | 'value'; schema: infer S extends z.ZodType }
              ? F extends { many: true }
                ? z.output<S>[]
                : z.output<S>
              : never;

/** The values of a job's fields, every one optional (what a caller passes). */
export type OptionsOf<F extends Fields> = { [K in keyof F]?: FieldValue<F[K]> };
/** The same once checked: the fields with a default are there. */
export type CheckedOf<F extends Fields> = OptionsOf<F> & {
  [K in keyof F as F[K] extends { default: unknown } ? K : never]-?: FieldValue<F[K]>;
};

// Builders, so that a field reads as one statement: int(1, 60_000, { flag: flag('slo', 'MS'), help: '...' }).
type Rest = Common;
export const flag = (name: string, value?: string, short?: string): Flag => ({
  name,
  ...(value ? { value } : {}),
  ...(short ? { short } : {}),
});
export const int = <R extends Rest>(min: number, max: number, rest: R) =>
  ({ kind: 'int', min, max, ...rest }) as const;
export const ints = <R extends Rest>(min: number, max: number, rest: R) =>
  ({ kind: 'ints', min, max, ...rest }) as const;
export const oneOf = <const V extends readonly string[], R extends Rest>(values: V, rest: R) =>
  ({ kind: 'enum', values, ...rest }) as const;
export const value = <S extends z.ZodType, R extends Rest>(schema: S, rest: R) =>
  ({ kind: 'value', schema, ...rest }) as const;
export const plain = <
  K extends 'share' | 'duration' | 'names' | 'cpus' | 'text' | 'texts' | 'bool',
  R extends Rest,
>(
  kind: K,
  rest: R,
) => ({ kind, ...rest }) as const;
