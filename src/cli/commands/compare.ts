// `stackbench compare NAME=TARGET ...`: the user's own services measured side by side with the lab's method —
// warm-up until steady, interleaved closed-loop runs, a capacity search under the SLO — and said as hyperfine
// says it. Writes results.json (as measured) and the reports to --out; --json prints the results document.
// Its flags are compare()'s options' fields (src/options/compare.ts), plus what is sent, assembled here.
import { compare, type CompareOptions } from '../../api/compare.js';
import { parseTargetArg, type TargetSpec } from '../../compare/targets.js';
import { configError, loadConfig, requestsOf, type ResolvedConfig } from '../../config/index.js';
import { compareSettingsOf } from '../../config/settings.js';
import { StackbenchError } from '../../errors.js';
import { interrupt } from '../../machine/process.js';
import { byFlag, COMPARE_FIELDS, consolidate } from '../../options/index.js';
import { compareText } from '../../report/compare.js';
import type { CompareConfig, CompareRequest } from '../../results/types.js';
import type { Parsed } from '../args.js';
import { defineCommand } from '../command.js';
import { finishRun } from '../finish.js';
import { flagsOf, optionsFromFlags } from '../flags.js';
import { runProgress } from '../progress.js';
import { parseHeaders, parseRequest, parseValues, readBody } from '../request-flags.js';

const flags = {
  config: {
    type: 'string',
    value: 'FILE',
    help: 'targets, requests, mixes, values, thresholds from a file (default: ./stackbench.config.*\nwhen it exists); flags override it (docs/CONFIG.md)',
  },
  mix: { type: 'string', value: 'NAME', help: "send the config's mix NAME instead of its requests" },
  request: {
    type: 'string',
    multiple: true,
    value: "'M /P [W]'",
    help: "what to send (default 'GET /'); several make a mix, weighted by W: 'GET /users/{id} 70'",
  },
  value: {
    type: 'string',
    multiple: true,
    value: 'K=V',
    help: "where {K} in a path or body gets its values: 'id=1..10000' or 'sku=a,b,c' (repeatable)",
  },
  header: {
    type: 'string',
    short: 'H',
    multiple: true,
    value: '"K: V"',
    help: 'a request header (repeatable)',
  },
  body: { type: 'string', short: 'b', value: 'TEXT', help: 'request body (POST)' },
  'body-file': { type: 'string', value: 'PATH', help: 'request body read from a file' },
  ...flagsOf(COMPARE_FIELDS),
  json: { type: 'boolean', help: 'print the results document on stdout, nothing else' },
} as const;

type Flags = Parsed<typeof flags>;

/** The config's requests (or its mix NAME), as results record them. */
function configRequests(file: ResolvedConfig, mix: string | undefined, path: string): CompareRequest[] {
  const entries = requestsOf(file, mix);
  if (!entries)
    throw configError(path, [
      `mix "${mix}" is not in mixes (${Object.keys(file.mixes).join(', ') || 'none'})`,
    ]);
  return entries.map((r) => ({
    name: r.name ?? `${r.method} ${r.path}`,
    method: r.method,
    path: r.path,
    ...(r.headers ? { headers: r.headers } : {}),
    ...(r.body !== undefined ? { body: r.body } : {}),
    weight: r.weight,
  }));
}

const valuesOf = (file: Pick<ResolvedConfig, 'values'>): NonNullable<CompareConfig['values']> =>
  Object.fromEntries(
    Object.entries(file.values).map(([k, v]) => [
      k,
      'range' in v ? { range: v.range } : { list: v.list.map(String) },
    ]),
  );

/** Targets: the file's, then the command line's (a name given on both: the command line wins). */
function targetsOf(file: ResolvedConfig | undefined, operands: string[]): TargetSpec[] {
  const byName = new Map<string, TargetSpec>();
  for (const [name, t] of Object.entries(file?.targets ?? {})) byName.set(name, { name, ...t });
  const given = operands.map(parseTargetArg);
  for (const t of given) {
    if (given.filter((x) => x.name === t.name).length > 1)
      throw new StackbenchError('SB_BAD_TARGET', [t.name, 'two targets have this name; give each its own']);
    byName.set(t.name, t);
  }
  return [...byName.values()];
}

/** What is sent: the flags' requests (with -H and --body), or the config's requests or mix, and their values. */
function sendOf(values: Flags, loaded: { config: ResolvedConfig; file: string } | undefined) {
  const file = loaded?.config;
  const body = readBody(values, 'compare');
  const headers = parseHeaders(values.header, 'compare');
  const fromFile =
    values.request === undefined && file ? configRequests(file, values.mix, loaded!.file) : undefined;
  const requests: CompareRequest[] =
    fromFile ??
    (values.request ?? [body !== undefined ? 'POST /' : 'GET /']).map((text) => {
      const r = parseRequest(text, 'compare');
      return {
        name: `${r.method} ${r.path}`,
        method: r.method,
        path: r.path,
        ...(Object.keys(headers).length ? { headers } : {}),
        ...(body !== undefined && r.method !== 'GET' && r.method !== 'DELETE' ? { body } : {}),
        weight: r.weight ?? 1,
      };
    });
  const flagValues = parseValues(values.value, 'compare');
  const chosen =
    fromFile && Object.keys(file!.values).length
      ? valuesOf(file!)
      : flagValues
        ? valuesOf({ values: flagValues })
        : undefined;
  return { requests, ...(chosen ? { values: chosen } : {}) };
}

export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'measure your own services side by side: NAME=URL or NAME="command with {port}"',
  operands: 'NAME=TARGET...',
  positionals: 'many',
  about:
    'Starts each target given as a command (pinned to the server cores, {port} filled in) or reaches each one\n' +
    'given as a URL, checks it answers what will be sent, warms it until steady, then measures: closed-loop\n' +
    'runs interleaved across the targets and a capacity search under the SLO. Prints who handled how many\n' +
    'times the requests of whom, with intervals; writes results.json and the reports to --out.',
  flags,
  footer:
    'examples:\n' +
    '  stackbench compare api-node="node server.js --port {port}" api-py="python3 -m uvicorn app:app --port {port}" --request "GET /users/1"\n' +
    '  stackbench compare old=http://127.0.0.1:3000 new=http://127.0.0.1:3001 --threshold "p99<50ms"\n' +
    'Exit 0 on success, 1 when a target died or Ctrl-C stopped it, 2 on bad input (a target that does not start\n' +
    'or answer), 3 when a threshold or --fail-on-regression failed.',
  async run(values, _operand, operands) {
    const loaded = await loadConfig(values.config);
    const options: CompareOptions = {
      ...consolidate<CompareOptions>(
        compareSettingsOf(loaded?.config),
        optionsFromFlags(COMPARE_FIELDS, values),
      ),
      targets: targetsOf(loaded?.config, operands),
      ...sendOf(values, loaded),
      signal: interrupt.signal,
    };
    const progress = values.json
      ? undefined
      : runProgress(Boolean(process.stderr.isTTY), (options.durationMs ?? 2000) / 1000 + 0.5);
    options.onEvent = progress?.onEvent;
    const out = await compare(options, byFlag).finally(() => progress?.done());
    return finishRun(out, { json: values.json === true, summary: compareText, files: 'and report.md' });
  },
});
