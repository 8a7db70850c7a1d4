// zod's issues as the lines a user reads: "targets.api.command: must contain {port}". Two cases need more than
// the issue's own message: a union (a target is {url} or {command}) reports the branch the user evidently meant,
// and an unknown key names the known key it is closest to, since a typo is the usual cause.
import type { z } from 'zod';
import { formatAt } from './schema.js';

type Issue = z.core.$ZodIssue;

/**
 * One line per problem. Parse with `{ reportInput: true }`: a union branch is chosen by which of its required
 * keys are missing, and only the input says so.
 */
export function problemLines(
  issues: readonly Issue[],
  knownKeys: readonly string[],
  at: readonly PropertyKey[] = [],
): string[] {
  const out: string[] = [];
  const line = (path: readonly PropertyKey[], message: string) =>
    out.push(path.length ? `${formatAt(path)}: ${message}` : message);
  for (const iss of issues) {
    const path = [...at, ...iss.path];
    if (iss.code === 'invalid_union') {
      const branch = meantBranch(iss.errors);
      if (branch) out.push(...problemLines(branch, knownKeys, path));
      else line(path, iss.message);
    } else if (iss.code === 'invalid_key' || iss.code === 'invalid_element') {
      line(path, iss.issues.map((i) => i.message).join('; '));
    } else if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) line(path, unknownKey(key, knownKeys));
    } else {
      line(path, iss.message);
    }
  }
  return out;
}

/** The one branch that has all its required keys (a missing key reads as an invalid_type of undefined). */
function meantBranch(branches: Issue[][]): Issue[] | undefined {
  const complete = branches.filter(
    (b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 1 && i.input === undefined),
  );
  return complete.length === 1 ? complete[0] : undefined;
}

function unknownKey(key: string, known: readonly string[]): string {
  const near = closest(key, known);
  return `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}`;
}

/** The known key within 2 edits (or equal but for case), if there is one nearest. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : distance(k, key);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.min(2, Math.floor(key.length / 2)) ? best : undefined;
}

/** Levenshtein distance (insert, delete, substitute), one row at a time. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

interface Def {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  options?: z.core.$ZodType[];
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  items?: z.core.$ZodType[];
  in?: z.core.$ZodType;
  out?: z.core.$ZodType;
}

/** Every object key a schema declares, at any depth: the words an unknown key is compared with. */
export function keysOf(schema: z.core.$ZodType, into = new Set<string>()): string[] {
  const def = schema._zod.def as unknown as Def;
  const inner = [
    ...Object.values(def.shape ?? {}),
    ...(def.options ?? []),
    ...(def.items ?? []),
    ...[def.element, def.valueType, def.innerType, def.in, def.out].filter((s) => s !== undefined),
  ];
  for (const key of Object.keys(def.shape ?? {})) into.add(key);
  for (const s of inner) keysOf(s, into);
  return [...into];
}
