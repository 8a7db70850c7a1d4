// `stackbench compare NAME=TARGET ...`: the user's own services measured side by side with the lab's method —
// warm-up until steady, interleaved closed-loop runs, a capacity search under the SLO — and said as hyperfine
// says it. Writes results.json (as measured) and the reports to --out; --json prints the results document.
import { compare, type CompareOptions } from '../../api/compare.js';
import { parseTargetArg, type TargetSpec } from '../../compare/targets.js';
import { StackbenchError } from '../../errors.js';
import { interrupt } from '../../machine/process.js';
import { compareText } from '../../report/compare.js';
import type { CompareConfig, CompareRequest, SuiteName } from '../../results/types.js';
import { configError, loadConfig, requestsOf, type ResolvedConfig } from '../../config/index.js';
import { DEFAULT_SLO_MS, suiteByName } from '../../runner/suites.js';
import { parseDuration, parseIntFlag } from '../args.js';
import { defineCommand } from '../command.js';
import { finishRun, parseGate } from '../gates.js';
import { runProgress } from '../progress.js';
import { cpuChoice } from '../select.js';
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
  suite: {
    type: 'string',
    value: 'NAME',
    help: 'quick (default: 5 runs x 2 s, capacity to 10 %) or full (5 runs x 5 s, capacity to 5 %)',
  },
  connections: { type: 'string', short: 'c', value: 'N', help: 'closed-loop connections (default 64)' },
  duration: { type: 'string', short: 'd', value: 'D', help: 'measured time of each run (e.g. 5s)' },
  reps: { type: 'string', value: 'N', help: 'runs per target (default 5; 3 or more for an interval)' },
  probes: { type: 'string', value: 'N', help: 'open-loop probes of the capacity search (0: no capacity)' },
  slo: {
    type: 'string',
    value: 'MS',
    help: `p99 objective of the capacity search, ms (default ${DEFAULT_SLO_MS})`,
  },
  threshold: {
    type: 'string',
    multiple: true,
    value: 'T',
    help: 'exit 3 unless T holds for every target (or "NAME:T" for one): p99<50ms, rps>10000,\nerrors<0.1%, capacity>5000 (repeatable)',
  },
  against: {
    type: 'string',
    value: 'BASELINE.json',
    help: "an earlier compare's results.json: each figure tested against the baseline's interval",
  },
  'fail-on-regression': {
    type: 'boolean',
    help: 'with --against: exit 3 when a figure got significantly worse',
  },
  'allow-remote': {
    type: 'string',
    multiple: true,
    value: 'H',
    help: 'allow a URL target on the non-loopback host H (repeatable); loopback only otherwise',
  },
  'ready-timeout': {
    type: 'string',
    value: 'D',
    help: 'how long a target started by command may take to answer (default 30s)',
  },
  'server-cpus': {
    type: 'string',
    value: 'LIST',
    help: 'cores for the targets started by command (default: upper half)',
  },
  'generator-cpus': {
    type: 'string',
    value: 'LIST',
    help: 'cores for the load generator (default: the rest)',
  },
  out: { type: 'string', value: 'DIR', help: 'results folder (default: results/compare-<date-time>)' },
  force: { type: 'boolean', help: 'replace the results already in --out DIR' },
  json: { type: 'boolean', help: 'print the results document on stdout, nothing else' },
} as const;

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
    const file = loaded?.config;
    // Targets: the file's, then the command line's (a name given on both: the command line wins).
    const byName = new Map<string, TargetSpec>();
    for (const [name, t] of Object.entries(file?.targets ?? {})) byName.set(name, { name, ...t });
    const given = operands.map(parseTargetArg);
    for (const t of given) {
      if (given.filter((x) => x.name === t.name).length > 1)
        throw new StackbenchError('SB_BAD_TARGET', [t.name, 'two targets have this name; give each its own']);
      byName.set(t.name, t);
    }
    const targets = [...byName.values()];
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
    const gates = (values.threshold ?? file?.thresholds ?? []).map((t) => parseGate(t, 'compare'));
    const options: CompareOptions = {
      targets,
      requests,
      ...(fromFile && Object.keys(file!.values).length
        ? { values: valuesOf(file!) }
        : flagValues
          ? { values: valuesOf({ values: flagValues }) }
          : {}),
      suite: (values.suite ?? file?.suite ?? 'quick') as SuiteName,
      sloP99Ms:
        values.slo === undefined
          ? (file?.slo ?? DEFAULT_SLO_MS)
          : parseIntFlag('--slo', values.slo, 1, 60_000),
      allowRemote: values['allow-remote'] ?? file?.allowRemote ?? [],
      force: values.force === true,
      signal: interrupt.signal,
      ...cpuChoice(values),
    };
    const duration = values.duration ?? file?.duration;
    if (duration !== undefined) options.durationMs = parseDuration(duration);
    if (values.reps !== undefined) options.repetitions = parseIntFlag('--reps', values.reps, 1, 100);
    if (values.probes !== undefined) options.probes = parseIntFlag('--probes', values.probes, 0, 20);
    const connections = values.connections ?? file?.connections?.toString();
    if (connections !== undefined)
      options.connections = parseIntFlag('--connections', connections, 1, 10_000);
    if (values['ready-timeout'] !== undefined)
      options.readyTimeoutMs = parseDuration(values['ready-timeout']);
    if (values.out !== undefined) options.outDir = values.out;
    if (values.suite !== undefined) suiteByName(values.suite);
    const progress = values.json
      ? undefined
      : runProgress(Boolean(process.stderr.isTTY), (options.durationMs ?? 2000) / 1000 + 0.5);
    options.onEvent = progress?.onEvent;
    const { results, outDir } = await compare(options).finally(() => progress?.done());
    return finishRun(results, outDir, {
      gates,
      against: values.against ?? file?.against,
      failOnRegression: values['fail-on-regression'] === true || file?.failOnRegression === true,
      json: values.json === true,
      summary: compareText,
      files: 'and report.md',
    });
  },
});
