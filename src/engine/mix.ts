// The request mix, from LoadOptions to the pool: checked (each mistake one clear error), each request instantiated
// with up to DRAWS draws of its placeholders' values by the seeded generator, serialized, and packed with a send
// order that follows the weights (pool.ts). The same options and seed give the same pool and the same order.
// Placeholders follow the config file's rules (src/config/fill.ts, docs/CONFIG.md): {name} in a path or body; in
// the path a value is percent-encoded as one component, in the body it goes in as it is. (The engine imports
// nothing of config: the few lines are stated again here.)
import { StackbenchError } from '../errors.js';
import { serializeRequest } from './http1/request.js';
import { MAX_ORDER, packPool, type RequestPool } from './pool.js';
import { randomInt, seededRandom } from './prng.js';
import type { Target } from './target.js';
import type { HttpMethod, LoadOptions, RequestTemplate, ValueSource } from './types.js';

/** Value draws per request with placeholders (distinct instances are kept; repeats are dropped). */
export const DRAWS = 256;
/** Requests in one mix at most (each keeps its own histogram per thread). */
export const MAX_REQUESTS = 100;
const DEFAULT_SEED = 1;

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A request target: printable ASCII, no space (RFC 9112 section 3: the request line is split on spaces). */
const TARGET_CHARS = /^[\x21-\x7e]*$/;
const HELP = 'see `stackbench load --help` (--request, --value) or LoadOptions.requests/values';

/** User text in a message, quoted as JSON: a line break shows as \n, so the error stays one line. */
const q = (s: string) => JSON.stringify(s);
const bad = (why: string, fix = HELP) => new StackbenchError('SB_BAD_MIX', [why], [fix]);

interface Checked {
  name: string;
  /** The name the caller gave, if any. */
  given: string | undefined;
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  weight: number;
  /** The placeholder names it uses, each once. */
  uses: string[];
}

function placeholders(text: string | undefined): string[] {
  return text === undefined ? [] : [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function checkHeaders(headers: unknown, where: string): Record<string, string> {
  if (headers === undefined) return {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    throw bad(`${where}: headers must be an object of name: value`);
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (!TOKEN.test(name))
      throw bad(`${where}: bad header name ${q(name)}`, 'use a token such as X-Request-Id');
    if (typeof value !== 'string') throw bad(`${where}: header ${name} must be a string`);
    if (/[\r\n\0]/.test(value))
      throw bad(`${where}: header ${name} contains a line break`, 'a header value is one line');
    // Each instance's body has its own length; a fixed one would be wrong for all but one of them.
    if (/^(content-length|transfer-encoding)$/i.test(name))
      throw bad(
        `${where}: header ${name} is not allowed in a mix`,
        'the engine sets Content-Length for each request',
      );
  }
  return headers as Record<string, string>;
}

function checkValues(values: unknown): Map<string, ValueSource> {
  const out = new Map<string, ValueSource>();
  if (values === undefined) return out;
  if (typeof values !== 'object' || values === null || Array.isArray(values))
    throw bad('values must be an object of name: { range } or { list }');
  for (const [name, v] of Object.entries(values as Record<string, unknown>)) {
    if (!NAME.test(name))
      throw bad(`bad value name ${q(name)}`, 'use letters, digits and _, not starting with a digit');
    const src = (typeof v === 'object' && v !== null ? v : {}) as Partial<{ range: unknown; list: unknown }>;
    if ('range' in src && !('list' in src)) {
      const r = src.range;
      if (
        !Array.isArray(r) ||
        r.length !== 2 ||
        !r.every((n) => Number.isSafeInteger(n)) ||
        (r[0] as number) > (r[1] as number)
      )
        throw bad(
          `value ${name}: range must be [lo, hi], whole numbers with lo <= hi`,
          `e.g. --value '${name}=1..1000'`,
        );
      out.set(name, { range: [r[0] as number, r[1] as number] });
    } else if ('list' in src && !('range' in src)) {
      const l = src.list;
      const item = (x: unknown) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
      if (!Array.isArray(l) || l.length === 0 || !l.every(item))
        throw bad(
          `value ${name}: list must be a non-empty array of strings or numbers`,
          `e.g. --value '${name}=a,b,c'`,
        );
      const list = (l as Array<string | number>).map(String);
      for (const item of list) {
        try {
          encodeURIComponent(item);
        } catch {
          throw bad(`value ${name}: ${q(item)} is not well-formed Unicode`, 'fix the text of that item');
        }
      }
      out.set(name, { list });
    } else {
      throw bad(
        `value ${name}: give either a range or a list`,
        `e.g. --value '${name}=1..1000' or --value '${name}=a,b,c'`,
      );
    }
  }
  return out;
}

function checkTemplate(t: RequestTemplate, i: number, common: Record<string, string>): Omit<Checked, 'name'> {
  const where = `request ${i + 1}`;
  if (typeof t !== 'object' || t === null) throw bad(`${where} is not an object`);
  if (!METHODS.includes(t.method))
    throw bad(`${where}: unsupported method ${q(String(t.method))}`, `use one of ${METHODS.join(', ')}`);
  if (typeof t.path !== 'string' || !t.path.startsWith('/') || !TARGET_CHARS.test(t.path))
    throw bad(
      `${where}: bad path ${q(String(t.path))}`,
      'a path starts with / and holds printable ASCII without spaces (percent-encode the rest)',
    );
  if (t.body !== undefined && typeof t.body !== 'string') throw bad(`${where}: body must be a string`);
  const weight = t.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0)
    throw bad(
      `${where} (${t.method} ${t.path}): bad weight ${String(weight)}`,
      'a weight is a number above 0',
    );
  const headers = { ...common, ...checkHeaders(t.headers, where) };
  // Own headers override the common ones by name, whatever their case.
  for (const own of Object.keys(t.headers ?? {}))
    for (const c of Object.keys(common))
      if (c !== own && c.toLowerCase() === own.toLowerCase()) delete headers[c];
  if (t.name !== undefined && (typeof t.name !== 'string' || t.name === '' || /[\r\n]/.test(t.name)))
    throw bad(`${where}: bad name ${q(String(t.name))}`, 'a name is one line of text');
  const uses = [...new Set([...placeholders(t.path), ...placeholders(t.body)])];
  return { given: t.name, method: t.method, path: t.path, headers, body: t.body, weight, uses };
}

/** The mix checked: every mistake is an SB_BAD_MIX error naming it and the fix. */
export function checkMix(opts: LoadOptions): Checked[] {
  const requests = opts.requests;
  if (requests === undefined) {
    if (opts.values !== undefined)
      throw bad('values are given without requests', 'add the requests that use them');
    throw bad('no requests');
  }
  if (!Array.isArray(requests) || requests.length === 0) throw bad('requests must be a non-empty list');
  if (requests.length > MAX_REQUESTS) throw bad(`${requests.length} requests: at most ${MAX_REQUESTS}`);
  if (opts.method !== undefined || opts.body !== undefined)
    throw bad('requests replace the single method and body', 'give the method and body in each request');
  const common = checkHeaders(opts.headers, 'headers');
  const values = checkValues(opts.values);
  const checked = requests.map((t, i) => checkTemplate(t, i, common));
  const used = new Set<string>();
  for (const c of checked) {
    for (const name of c.uses) {
      used.add(name);
      const v = values.get(name);
      if (!v)
        throw bad(
          `${c.method} ${c.path}: placeholder {${name}} has no value`,
          `give its values: --value '${name}=1..1000' or --value '${name}=a,b,c' (LoadOptions.values)`,
        );
    }
  }
  const unused = [...values.keys()].filter((n) => !used.has(n));
  if (unused.length) {
    const what = unused.length === 1 ? `value ${unused[0]} is` : `values ${unused.join(', ')} are`;
    throw bad(`${what} used by no request`, 'write {name} in a path or body, or drop it');
  }
  const total = checked.reduce((a, c) => a + c.weight, 0);
  const light = checked.find((c) => (c.weight / total) * MAX_ORDER < 1);
  if (light)
    throw bad(
      `${light.method} ${light.path}: weight ${light.weight} is under 1/${MAX_ORDER} of the total`,
      'raise it, or drop the request',
    );
  // Names for the breakdown: a given one must be unique (as in the config file); "METHOD path" by default, a
  // repeat numbered.
  const given = new Set<string>();
  for (const c of checked) {
    if (c.given === undefined) continue;
    if (given.has(c.given))
      throw bad(`two requests are named ${q(c.given)}`, 'give each request its own name');
    given.add(c.given);
  }
  const taken = new Set(given);
  return checked.map((c) => {
    if (c.given !== undefined) return { ...c, name: c.given };
    const base = `${c.method} ${c.path}`;
    let name = base;
    for (let k = 2; taken.has(name); k++) name = `${base} #${k}`;
    taken.add(name);
    return { ...c, name };
  });
}

function draw(src: ValueSource, rand: () => number): string {
  return 'range' in src
    ? String(randomInt(rand, src.range[0], src.range[1]))
    : String(src.list[randomInt(rand, 0, src.list.length - 1)]);
}

/** A text with its placeholders filled; in a path each value is percent-encoded, so it stays one segment. */
function fill(text: string, vals: Map<string, string>, inPath: boolean): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const v = vals.get(name)!;
    return inPath ? encodeURIComponent(v) : v;
  });
}

/** Every distinct instance of one request, serialized (one when it has no placeholders). */
function instances(
  target: Target,
  c: Checked,
  values: Record<string, ValueSource>,
  rand: () => number,
): Buffer[] {
  const spec = (path: string, body: string | undefined) => ({
    method: c.method,
    path,
    headers: c.headers,
    body,
  });
  if (c.uses.length === 0) return [serializeRequest(target, spec(c.path, c.body))];
  const out: Buffer[] = [];
  const seen = new Set<string>();
  for (let d = 0; d < DRAWS; d++) {
    const vals = new Map(c.uses.map((name) => [name, draw(values[name]!, rand)]));
    const path = fill(c.path, vals, true);
    const body = c.body === undefined ? undefined : fill(c.body, vals, false);
    const key = `${path}\n${body ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(serializeRequest(target, spec(path, body)));
  }
  return out;
}

/** The pool a run sends from: the mix of opts.requests, or the single request of method/URL/body. */
export function buildPool(target: Target, opts: LoadOptions): RequestPool {
  const rand = seededRandom(opts.seed ?? DEFAULT_SEED);
  if (opts.requests === undefined && opts.values === undefined) {
    const single = serializeRequest(target, {
      method: opts.method ?? 'GET',
      headers: opts.headers ?? {},
      body: opts.body,
    });
    return packPool([[single]], [1], [`${opts.method ?? 'GET'} ${target.path}`], rand);
  }
  const mix = checkMix(opts);
  const groups = mix.map((c) => instances(target, c, opts.values ?? {}, rand));
  return packPool(
    groups,
    mix.map((c) => c.weight),
    mix.map((c) => c.name),
    rand,
  );
}
