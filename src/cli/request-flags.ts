// What to send, from flags, for `load` and `compare` alike: -H "Name: value", --body/--body-file,
// --request 'METHOD /path [WEIGHT]' and --value 'name=1..100' / 'name=a,b,c'. User text in a message is quoted as
// JSON, so a line break in it cannot split the one-line error.
import { readFileSync } from 'node:fs';
import type { HttpMethod, RequestTemplate, ValueSource } from '../engine/types.js';
import { StackbenchError } from '../errors.js';

const q = (s: string) => JSON.stringify(s);
const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const REQUEST_SYNTAX = "expected 'METHOD /path [WEIGHT]', e.g. 'GET /users/{id} 70'";

export function readBody(f: { body?: string; 'body-file'?: string }, cmd: string): string | undefined {
  if (f.body !== undefined && f['body-file'] !== undefined)
    throw new StackbenchError('SB_BAD_FLAG', ['--body and --body-file are exclusive'], [cmd]);
  if (f['body-file'] === undefined) return f.body;
  try {
    return readFileSync(f['body-file'], 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new StackbenchError('SB_BAD_FLAG', [`cannot read --body-file ${f['body-file']}: ${why}`], [cmd]);
  }
}

export function parseHeaders(list: string[] = [], cmd: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of list) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(h);
    if (!m || /[\r\n]/.test(h))
      throw new StackbenchError('SB_BAD_FLAG', [`bad header ${q(h)}: expected "Name: value"`], [cmd]);
    headers[m[1]!] = m[2]!;
  }
  return headers;
}

/** "GET /users/{id} 70" -> a request; the weight is optional (a path cannot hold a space: RFC 9112 3). */
export function parseRequest(text: string, cmd: string): RequestTemplate {
  const words = text.trim().split(/\s+/);
  const method = words[0]?.toUpperCase() as HttpMethod;
  const weight = words[2];
  if (words.length < 2 || words.length > 3 || !METHODS.includes(method) || !words[1]!.startsWith('/'))
    throw new StackbenchError('SB_BAD_FLAG', [`bad --request ${q(text)}: ${REQUEST_SYNTAX}`], [cmd]);
  if (weight !== undefined && !(/^\d+(\.\d+)?$/.test(weight) && Number(weight) > 0))
    throw new StackbenchError(
      'SB_BAD_FLAG',
      [`bad weight ${q(weight)} in --request ${q(text)}: a number above 0`],
      [cmd],
    );
  return { method, path: words[1]!, ...(weight !== undefined ? { weight: Number(weight) } : {}) };
}

/** "id=1..100" (a range) or "sku=a,b,c" (a list) -> one named value source. */
export function parseValue(text: string, cmd: string): [string, ValueSource] {
  const m = /^([^=]+)=(.*)$/s.exec(text);
  if (!m)
    throw new StackbenchError(
      'SB_BAD_FLAG',
      [`bad --value ${q(text)}: expected 'name=1..100' or 'name=a,b,c'`],
      [cmd],
    );
  const [, name, spec] = m as unknown as [string, string, string];
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(spec);
  if (range) return [name, { range: [Number(range[1]), Number(range[2])] }];
  const list = spec.split(',');
  if (list.some((v) => v === ''))
    throw new StackbenchError(
      'SB_BAD_FLAG',
      [`bad --value ${q(text)}: an empty item (a stray comma?)`],
      [cmd],
    );
  return [name, { list }];
}

/** Every --value, by name; a name given twice is bad input. */
export function parseValues(
  list: string[] | undefined,
  cmd: string,
): Record<string, ValueSource> | undefined {
  if (list === undefined) return undefined;
  const out: Record<string, ValueSource> = {};
  for (const [name, src] of list.map((v) => parseValue(v, cmd))) {
    if (name in out) throw new StackbenchError('SB_BAD_FLAG', [`--value ${name} given twice`], [cmd]);
    out[name] = src;
  }
  return out;
}
