// The config file (stackbench.config.json / .mjs / .js / .ts), stated once: this zod schema is the type a user's
// file is written against (define.ts), the check the loader applies (load.ts: every problem at once, each with its
// path) and the JSON Schema editors read (docs/stackbench.config.schema.json). Every object is strict: a misspelt
// key is an error, never silently ignored. What a shape cannot say (a placeholder needs a value, `mix` names a
// mix, names are unique) is checked by `relations`, which runs even when other fields are wrong, so one pass
// reports everything.
import { z } from 'zod';
import * as fields from '../options/fields.js';
import { parseDuration } from '../options/units.js';
import { parseRunThreshold } from '../gates/grammar.js';
import { StackRecord, SuiteName } from '../results/schema.js';
import { BUILTIN_IDS, type ServerClass } from '../stacks/registry.js';
import { WORKLOAD_IDS } from '../workloads.js';
import { placeholdersIn } from './placeholders.js';

/** Target, mix and stack names. */
export const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const Name = z.string().regex(NAME, 'a name is 1 to 64 letters, digits, ".", "_" or "-"');

/** The registry's server classes, as the results schema lists them (the check below keeps the two equal). */
export const SERVER_CLASSES = StackRecord.shape.serverClass.options;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameServerClasses: Same<(typeof SERVER_CLASSES)[number], ServerClass> = true;

const Env = z
  .record(
    z
      .string()
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]*$/,
        'an environment variable name: letters, digits and "_", not a digit first',
      ),
    z.string(),
  )
  .describe('environment variables added to the inherited ones (values are strings)');

const Command = z
  .string()
  .refine((s) => s.includes('{port}'), 'must contain {port}, where stackbench puts the port it chose')
  .describe('run by /bin/sh -c; every {port} is replaced by a free port on 127.0.0.1 stackbench chose');

const Cwd = z
  .string()
  .min(1)
  .describe('the folder the command runs in, relative to this file (default: its folder)');

/** A path as it goes on the request line: printable ASCII, no spaces. */
const PATH = /^\/[\x21-\x7e]*$/;
const ReadyPath = z.string().regex(PATH, 'a path starting with "/" (printable ASCII, no spaces)');

const UrlTarget = z
  .strictObject({
    url: z
      .string()
      .superRefine((s, ctx) => {
        const why = baseUrlProblem(s);
        if (why) ctx.addIssue({ code: 'custom', message: why });
      })
      .describe('where it listens, e.g. http://127.0.0.1:8080; each request path is appended to it'),
  })
  .describe('a service already running');

const CommandTarget = z
  .strictObject({
    command: Command,
    cwd: Cwd.optional(),
    env: Env.optional(),
    readyPath: ReadyPath.default('/').describe('ready when GET readyPath answers 200'),
    runtime: z.enum(['node', 'python', 'other']).default('other').describe('what it runs on, for the report'),
  })
  .describe('a service stackbench starts, measures and stops');

const Target = z.union([UrlTarget, CommandTarget], {
  error:
    'a target is either { "url": ... } (a service already running) or { "command": ... } (one stackbench starts), not both',
});

/** Header names the engine sets from the body itself. */
const FRAMING = ['content-length', 'transfer-encoding'];
const Headers = z
  .record(
    z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "a header name (letters, digits and !#$%&'*+.^_`|~-)")
      .refine((n) => !FRAMING.includes(n.toLowerCase()), 'set by stackbench from the body'),
    z.string().refine((v) => !/[\r\n]/.test(v) && !v.includes('\0'), 'a header value on one line'),
  )
  .describe('request headers');

const RequestEntry = z
  .strictObject({
    name: z.string().min(1).max(64).optional().describe('shown in reports (default: "METHOD path")'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    path: z
      .string()
      .regex(PATH, 'a path starting with "/" (printable ASCII, no spaces; placeholders such as {id} allowed)')
      .describe('the request target, e.g. /users/{id}?full=1; each {name} is filled from `values`'),
    headers: Headers.optional(),
    body: z.string().optional().describe('the request body; each {name} is filled from `values`'),
    bodyFile: z
      .string()
      .min(1)
      .optional()
      .describe('a file whose content is the body (relative to this file); each {name} in it is filled'),
    weight: z.number().positive().default(1).describe('its share of the requests, relative to the others'),
  })
  .superRefine((r, ctx) => {
    if (r.body !== undefined && r.bodyFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['bodyFile'], message: 'give body or bodyFile, not both' });
    }
  })
  // An id: the JSON Schema states it once and refers to it from `requests` and `mixes`.
  .meta({ id: 'request', description: 'one kind of request' });

const Requests = z.array(RequestEntry).min(1);

const Int = z.number().int();
const IntIn = (min: number, max: number) => Int.min(min).max(max);
const ValueSource = z.union(
  [
    z.strictObject({
      range: z
        .tuple([Int, Int])
        .refine(([min, max]) => min <= max, 'min must not exceed max')
        .describe('[min, max]: an integer drawn uniformly, both ends included'),
    }),
    z.strictObject({
      list: z
        .array(z.union([z.string(), z.number()], { error: 'a string or a number' }))
        .min(1)
        .describe('one item drawn uniformly'),
    }),
  ],
  { error: 'a value is either { "range": [min, max] } or { "list": [...] }' },
);

const ValueName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'a value name: letters, digits and "_", not a digit first (used as {name})',
  );

const Stack = z
  .strictObject({
    name: z
      .string()
      .regex(NAME, 'a name is 1 to 64 letters, digits, ".", "_" or "-"')
      .refine((n) => !(BUILTIN_IDS as readonly string[]).includes(n), {
        error: (iss) => `"${String(iss.input)}" is a reference stack's name: choose another`,
      })
      .describe("its id in results and reports; not a reference stack's id"),
    runtime: z.enum(['node', 'python']),
    command: Command,
    cwd: Cwd.optional(),
    env: Env.optional(),
    workloads: z
      .array(z.enum(WORKLOAD_IDS))
      .min(1)
      .refine((ws) => new Set(ws).size === ws.length, 'name each workload once')
      .describe("the lab's workloads it implements, as docs/WORKLOADS.md specifies them"),
    readyPath: ReadyPath.optional().describe(
      "ready when GET readyPath answers 200 (default: its first workload's path)",
    ),
    serverClass: z
      .enum(SERVER_CLASSES)
      .optional()
      .describe('its concurrency model, as the reference stacks state theirs'),
    workers: IntIn(1, 1024)
      .optional()
      .describe('processes it runs (chat: messages must cross them through STACKBENCH_REDIS)'),
    framework: z.string().min(1).optional().describe('e.g. "express"; shown in reports'),
    server: z.string().min(1).optional().describe('e.g. "node:http"; shown in reports'),
  })
  .describe("your implementation of some of the lab's workloads");

const Duration = z
  .string()
  .superRefine((s, ctx) => {
    try {
      parseDuration(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: `bad duration "${s}": use 500ms, 10s, 2m (at most 1h)` });
    }
  })
  .describe("a measured run's length: 500ms, 10s, 2m");

const Threshold = z.string().superRefine((s, ctx) => {
  try {
    parseRunThreshold(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

const Host = z
  .string()
  .regex(/^[A-Za-z0-9.:[\]_-]+$/, 'a host name or IP address, without scheme or port')
  .describe('a host name or IP address');

export const ConfigSchema = z
  .strictObject({
    $schema: z
      .string()
      .optional()
      .describe('the JSON Schema of this file, for editors (stackbench ignores it)'),
    targets: z.record(Name, Target).default({}).describe('compare: the services to compare, by name'),
    requests: Requests.optional().describe(
      'compare: what is sent to every target, picked by weight (default: GET /)',
    ),
    values: z
      .record(ValueName, ValueSource)
      .default({})
      .describe('where each {name} placeholder in a path or body gets its value, drawn per request'),
    mixes: z
      .record(Name, Requests)
      .default({})
      .describe('compare: other named sets of requests; `mix` chooses one instead of `requests`'),
    mix: Name.optional().describe('compare: the mix to send instead of `requests`'),
    stacks: z
      .array(Stack)
      .default([])
      .describe('run --config: your implementations, measured beside the reference stacks'),
    suite: SuiteName.optional().describe(fields.suite.help),
    slo: IntIn(fields.sloP99Ms.min, fields.sloP99Ms.max).optional().describe(fields.sloP99Ms.help),
    connections: IntIn(fields.connections.min, fields.connections.max)
      .optional()
      .describe('closed-loop connections'),
    duration: Duration.optional(),
    thresholds: z
      .array(Threshold)
      .default([])
      .describe('exit 3 unless each holds: p99<50ms, p99.9<=200ms, rps>=1000, errors<0.1%, capacity>5000'),
    against: z
      .string()
      .min(1)
      .optional()
      .describe('a baseline results.json (relative to this file) to compare the headline figures with'),
    failOnRegression: z
      .boolean()
      .default(false)
      .describe('exit 3 when a headline figure is worse than `against` beyond its 95% interval'),
    allowRemote: z
      .array(Host)
      .default([])
      .describe('hosts other than loopback that may receive load (only hosts you own)'),
  })
  .superRefine((c, ctx) => relations(c, ctx), { when: () => true })
  .describe('stackbench.config: targets for `stackbench compare`, stacks for `stackbench run --config`');

export type ConfigOutput = z.output<typeof ConfigSchema>;
export type RequestEntry = z.output<typeof RequestEntry>;
export type ValueSource = z.output<typeof ValueSource>;
export type UrlTarget = z.output<typeof UrlTarget>;
export type CommandTarget = z.output<typeof CommandTarget>;
export type UserStack = z.output<typeof Stack>;

/** What a base URL must be: the engine speaks plain HTTP/1.1, and requests carry their own query. */
function baseUrlProblem(s: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return 'not a URL: give one such as http://127.0.0.1:8080';
  }
  if (u.protocol === 'https:') return 'https is not supported by the load engine: give the http:// address';
  if (u.protocol !== 'http:') return `an http:// URL, not ${u.protocol}`;
  if (u.username || u.password) return 'no credentials in the URL: send them as a header of the requests';
  if (u.search || u.hash) return "no query or fragment: put them in the requests' paths";
  return undefined;
}

type Issue = (path: PropertyKey[], message: string) => void;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What one field cannot check alone. It runs even when fields are wrong (so all problems come out in one pass),
 * hence it reads the value as unknown and looks only at what has the right type.
 */
function relations(c: unknown, ctx: z.RefinementCtx): void {
  if (!isRecord(c)) return;
  const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  const values = isRecord(c.values) ? c.values : {};
  const mixes = isRecord(c.mixes) ? c.mixes : {};
  checkRequests(c.requests, ['requests'], values, issue);
  for (const [name, list] of Object.entries(mixes)) checkRequests(list, ['mixes', name], values, issue);
  if (typeof c.mix === 'string' && !Object.hasOwn(mixes, c.mix)) {
    const known = Object.keys(mixes);
    issue(
      ['mix'],
      `no mix named "${c.mix}" (${known.length ? `mixes has ${known.join(', ')}` : 'mixes is empty'})`,
    );
  }
  if (Array.isArray(c.stacks)) {
    uniqueNames(c.stacks as unknown[], (i, name, first) =>
      issue(['stacks', i, 'name'], `"${name}" is already the name of stacks[${first}]`),
    );
  }
}

function checkRequests(
  list: unknown,
  at: PropertyKey[],
  values: Record<string, unknown>,
  issue: Issue,
): void {
  if (!Array.isArray(list)) return;
  list.forEach((r: unknown, i) => {
    if (!isRecord(r)) return;
    for (const field of ['path', 'body'] as const) {
      const text = r[field];
      if (typeof text !== 'string') continue;
      for (const p of missingValues(text, values)) issue([...at, i, field], noValue(p));
    }
  });
  uniqueNames(list as unknown[], (i, name, first) =>
    issue([...at, i, 'name'], `"${name}" is already the name of ${formatAt(at)}[${first}]`),
  );
}

/** The placeholders of a text that no value source fills. */
export function missingValues(text: string, values: Record<string, unknown>): string[] {
  return placeholdersIn(text).filter((p) => !Object.hasOwn(values, p));
}

export const noValue = (p: string) =>
  `{${p}} has no value: add values.${p} as { "range": [min, max] } or { "list": [...] }`;

/** Calls `dup` for each item whose string `name` an earlier item already has. */
function uniqueNames(items: unknown[], dup: (index: number, name: string, first: number) => void): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    if (!isRecord(item) || typeof item.name !== 'string') return;
    const first = seen.get(item.name);
    if (first === undefined) seen.set(item.name, i);
    else dup(i, item.name, first);
  });
}

/** A path in the file as a user reads it: targets.api.command, requests[0].path, targets["a b"].url. */
export function formatAt(path: readonly PropertyKey[]): string {
  return path
    .map((p, k) => {
      if (typeof p === 'number') return `[${p}]`;
      const key = String(p);
      if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) return k ? `.${key}` : key;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}

/** The JSON Schema editors use (docs/stackbench.config.schema.json is this, written by `npm run schema`). */
export function configJsonSchema(): Record<string, unknown> {
  // draft-07: editors' JSON support (VS Code's language service among them) implements it fully, 2020-12 not yet.
  return z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-07', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
