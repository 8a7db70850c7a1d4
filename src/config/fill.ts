// Turning a config's requests into what goes on the wire: which list is sent (a mix or `requests`), one entry
// picked by weight, its placeholders filled from the value sources, and the URL and command of a target.
import type { RequestEntry, ValueSource } from './schema.js';
import { PLACEHOLDER } from './placeholders.js';

/** [0, 1), like Math.random; tests pass a seeded one. */
export type Random = () => number;

/** Sent when a file gives neither requests nor a mix. */
export const DEFAULT_REQUEST: RequestEntry = { method: 'GET', path: '/', weight: 1 };

/**
 * The requests to send: the named mix (`mix`, by default the file's), else `requests`, else GET /. Undefined
 * when `mix` names no mix (a file's own `mix` is checked when it loads; a flag's is the caller's to report).
 */
export function requestsOf(
  config: { requests?: RequestEntry[]; mixes: Record<string, RequestEntry[]>; mix?: string },
  mix: string | undefined = config.mix,
): RequestEntry[] | undefined {
  if (mix !== undefined) return Object.hasOwn(config.mixes, mix) ? config.mixes[mix] : undefined;
  return config.requests ?? [DEFAULT_REQUEST];
}

/** A picker that returns entries in proportion to their weights. */
export function byWeight<T extends { weight: number }>(
  entries: readonly T[],
  random: Random = Math.random,
): () => T {
  if (entries.length === 0) throw new Error('byWeight: no entries');
  const ends: number[] = [];
  let total = 0;
  for (const e of entries) ends.push((total += e.weight));
  return () => {
    const x = random() * total;
    const i = ends.findIndex((end) => x < end);
    return entries[i === -1 ? entries.length - 1 : i]!;
  };
}

/** One value drawn from a source, as text. */
export function draw(source: ValueSource, random: Random = Math.random): string {
  if ('range' in source) {
    const [min, max] = source.range;
    return String(Math.min(max, min + Math.floor(random() * (max - min + 1))));
  }
  return String(source.list[Math.min(source.list.length - 1, Math.floor(random() * source.list.length))]);
}

export interface FilledRequest {
  name: string;
  method: RequestEntry['method'];
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * One concrete request from an entry. A placeholder used twice (path and body) gets the same value in both. In
 * the path a value is percent-encoded as one component (so "a b" or "a/b" stay one segment); in the body it is
 * inserted as it is.
 */
export function fillRequest(
  entry: RequestEntry,
  values: Record<string, ValueSource>,
  random: Random = Math.random,
): FilledRequest {
  const drawn = new Map<string, string>();
  const valueOf = (name: string): string => {
    let v = drawn.get(name);
    if (v === undefined) {
      const source = values[name];
      if (!source) throw new Error(`no value source for {${name}}`); // the loader refuses such a file
      v = draw(source, random);
      drawn.set(name, v);
    }
    return v;
  };
  const path = entry.path.replace(PLACEHOLDER, (_, n: string) => encodeURIComponent(valueOf(n)));
  const body = entry.body?.replace(PLACEHOLDER, (_, n: string) => valueOf(n));
  return {
    name: entry.name ?? `${entry.method} ${entry.path}`,
    method: entry.method,
    path,
    headers: { ...entry.headers },
    ...(body === undefined ? {} : { body }),
  };
}

/** A target's base URL joined with a request path: http://h:1/api + /users/7 -> http://h:1/api/users/7. */
export function targetUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** A command with its port: every {port} replaced. */
export function withPort(command: string, port: number): string {
  return command.replaceAll('{port}', String(port));
}
