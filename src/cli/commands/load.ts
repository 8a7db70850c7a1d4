// `stackbench load URL`: the engine as a standalone tool (autocannon/wrk-like), HTTP or WebSocket. Live progress
// on stderr only when stderr is a terminal and never with --json; --json prints exactly one JSON document (the
// LoadResult, with the thresholds' outcome when any were given). --request (repeatable) sends a weighted mix
// instead of the URL's one request, with --value filling its {placeholders}.
import { ExitCode, StackbenchError } from '../../errors.js';
import { agentSpecs, distributedLoad } from '../../dist/index.js';
import { checkMix, runLoad } from '../../engine/index.js';
import { assertAllowedTarget, parseTarget } from '../../engine/target.js';
import type { LoadOptions, LoadProgress, LoadResult } from '../../engine/types.js';
import { interrupt } from '../../machine/process.js';
import { agentLines, lostLines } from '../../report/agents.js';
import { loadSummary } from '../../report/load-summary.js';
import { parseDuration, parseIntFlag, parseRate } from '../../options/units.js';
import { connections } from '../../options/fields.js';
import type { Parsed } from '../args.js';

/** WebSocket clients one load may hold: each is one socket held open, not a request in flight. */
const WS_CONNECTIONS = 100_000;
import { defineCommand } from '../command.js';
import { parseHeaders, parseRequest, parseValues, readBody } from '../request-flags.js';
import { checkThresholds, parseThreshold } from '../../gates/index.js';

const flags = {
  connections: { type: 'string', short: 'c', value: 'N', help: 'concurrent connections (default 100)' },
  duration: {
    type: 'string',
    short: 'd',
    value: 'D',
    help: 'measured duration, e.g. 10s, 500ms, 2m (default 10s)',
  },
  rate: {
    type: 'string',
    value: 'R',
    help: 'open loop: R requests/s in total, latency from the intended send time\n(without --rate: closed loop, each connection sends when its response arrives)',
  },
  method: {
    type: 'string',
    short: 'm',
    value: 'M',
    help: 'GET or POST (default GET; POST when a body is given)',
  },
  header: {
    type: 'string',
    short: 'H',
    multiple: true,
    value: '"K: V"',
    help: 'add a request header (repeatable)',
  },
  body: {
    type: 'string',
    short: 'b',
    value: 'TEXT',
    help: 'request body (with --request: of each POST, PUT, PATCH; may hold {K})',
  },
  'body-file': { type: 'string', value: 'PATH', help: 'request body read from a file (as --body)' },
  request: {
    type: 'string',
    multiple: true,
    value: "'M /P [W]'",
    help:
      'one request of a mix (repeatable): method M (GET POST PUT PATCH DELETE),\n' +
      'path P (may hold {K}), weight W (default 1); a path has no spaces, so a third\n' +
      'word is always the weight. The URL then gives only host and port, e.g.\n' +
      "--request 'GET /users/{id} 70' --request 'POST /orders 30'",
  },
  value: {
    type: 'string',
    multiple: true,
    value: "'K=V'",
    help:
      "values for {K} (repeatable): 'id=1..10000' (whole numbers, inclusive) or\n" +
      "'sku=a,b,c' (a list); percent-encoded in a path, as they are in the body; up to\n" +
      '256 draws per request from a fixed seed, so every run sends the same sequence',
  },
  warmup: { type: 'string', value: 'D', help: 'traffic before measuring, not counted (default 0)' },
  ramp: {
    type: 'string',
    value: 'D',
    help: 'raise connections (closed) or rate (open) linearly over D from the start',
  },
  timeout: {
    type: 'string',
    value: 'D',
    help: 'per-request timeout, counted as a timeout error (default 10s; WebSocket: per handshake, default 2s)',
  },
  threads: {
    type: 'string',
    value: 'N',
    help: 'worker threads generating load (default: one per usable core)',
  },
  ws: {
    type: 'boolean',
    help: 'WebSocket chat load on a ws:// URL: -c clients, --rate messages/s in total (default 100),\n--rooms N, --connect-rate R handshakes/s; each message fans out to its room',
  },
  rooms: { type: 'string', value: 'N', help: 'WebSocket: clients split over N rooms (default 1)' },
  'connect-rate': { type: 'string', value: 'R', help: 'WebSocket: handshakes per second (default 1000)' },
  threshold: {
    type: 'string',
    multiple: true,
    value: 'T',
    help: 'fail with exit code 3 unless T holds: p99<50ms, p99.9<=200ms, rps>=1000, errors<0.1%\n(repeatable)',
  },
  'allow-remote': {
    type: 'string',
    multiple: true,
    value: 'H',
    help: 'allow load to the non-loopback host H (repeatable); loopback only otherwise',
  },
  agents: {
    type: 'string',
    value: 'N|LIST',
    help:
      'send the load from agents, each its share of one schedule, merged into one\n' +
      'result: N local ones, or a comma list of local, netns:NAME, ssh:HOST,\n' +
      'tcp:HOST:PORT (`stackbench agent` runs there); --allow-remote is passed on',
  },
  json: { type: 'boolean', help: 'print the result as one JSON document, nothing else' },
} as const;

type Flags = Parsed<typeof flags>;

/** --request/--value/--body -> the mix in opts; checked here so a mistake stops before any connection. */
function mixOptions(f: Flags, url: string, opts: LoadOptions, body: string | undefined): void {
  const target = parseTarget(url);
  if (target.path !== '/')
    throw new StackbenchError(
      'SB_BAD_FLAG',
      [`with --request the URL gives only host and port, not the path ${target.path}`],
      ['load'],
    );
  if (f.method !== undefined)
    throw new StackbenchError(
      'SB_BAD_FLAG',
      ['--method and --request are exclusive: each --request names its method'],
      ['load'],
    );
  const requests = (f.request ?? []).map((r) => parseRequest(r, 'load'));
  if (body !== undefined) {
    const carriers = requests.filter(
      (r) => r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH',
    );
    if (carriers.length === 0)
      throw new StackbenchError(
        'SB_BAD_FLAG',
        ['--body applies to POST, PUT and PATCH requests, and none is given'],
        ['load'],
      );
    for (const r of carriers) r.body = body;
  }
  opts.requests = requests;
  const values = parseValues(f.value, 'load');
  if (values) opts.values = values;
  checkMix(opts);
}

/** Flags -> LoadOptions; every bad value is a StackbenchError (exit 2) naming the fix. */
export function loadOptions(f: Flags, url: string): LoadOptions {
  const ws = f.ws === true;
  const allowRemote = f['allow-remote'] ?? [];
  assertAllowedTarget(parseTarget(url, [ws ? 'ws:' : 'http:']), allowRemote);
  const opts: LoadOptions = {
    url,
    model: ws || f.rate !== undefined ? 'open' : 'closed',
    connections:
      f.connections !== undefined
        ? parseIntFlag('--connections', f.connections, connections.min, ws ? WS_CONNECTIONS : connections.max)
        : 100,
    durationMs: f.duration !== undefined ? parseDuration(f.duration) : 10_000,
    allowRemote,
  };
  if (f.rate !== undefined) opts.rate = parseRate('--rate', f.rate, 10_000_000);
  if (f.warmup !== undefined) opts.warmupMs = parseDuration(f.warmup);
  if (f.timeout !== undefined) opts.timeoutMs = parseDuration(f.timeout);
  if (ws) {
    if (f.request !== undefined || f.value !== undefined)
      throw new StackbenchError(
        'SB_BAD_FLAG',
        ['--request and --value are for HTTP load, not --ws'],
        ['load'],
      );
    opts.rate ??= 100;
    opts.ws = {};
    if (f.rooms !== undefined) opts.ws.rooms = parseIntFlag('--rooms', f.rooms, 1, opts.connections);
    if (f['connect-rate'] !== undefined)
      opts.ws.connectRate = parseRate('--connect-rate', f['connect-rate'], 1_000_000);
    return opts;
  }
  const body = readBody(f, 'load');
  opts.headers = parseHeaders(f.header, 'load');
  if (f.ramp !== undefined) opts.rampMs = parseDuration(f.ramp);
  if (f.threads !== undefined) opts.threads = parseIntFlag('--threads', f.threads, 1, 64);
  if (f.request !== undefined) {
    mixOptions(f, url, opts, body);
    return opts;
  }
  if (f.value !== undefined)
    throw new StackbenchError(
      'SB_BAD_FLAG',
      ['--value fills {name} in --request paths; no --request is given'],
      ['load'],
    );
  const method = (f.method ?? (body !== undefined ? 'POST' : 'GET')).toUpperCase();
  if (method !== 'GET' && method !== 'POST')
    throw new StackbenchError('SB_BAD_FLAG', [`unsupported method "${f.method}" (GET or POST)`], ['load']);
  opts.method = method as 'GET' | 'POST';
  if (body !== undefined) opts.body = body;
  return opts;
}

function progressLine(p: LoadProgress): string {
  const secs = (ms: number) => (ms / 1000).toFixed(1);
  const what = p.phase === 'measure' ? `${secs(p.elapsedMs)}s / ${secs(p.durationMs)}s` : p.phase;
  return `  ${what}  ${Math.round(p.rps).toLocaleString('en-US')}/s  ${p.requests.toLocaleString('en-US')} done  ${p.errors} errors`;
}

export const load = defineCommand({
  name: 'load',
  summary: 'send HTTP or WebSocket load to a URL (closed loop, or open loop with --rate)',
  operands: 'URL',
  positionals: 'one',
  about: 'Send load to URL and report throughput, latency percentiles, errors by kind and generator health.',
  flags,
  async run(f, url) {
    const opts = loadOptions(f, url!);
    const agents = f.agents !== undefined ? agentSpecs(f.agents) : undefined;
    const thresholds = (f.threshold ?? []).map(parseThreshold);
    const json = f.json === true;
    const live = !json && process.stderr.isTTY === true;
    if (!json && opts.durationMs + (opts.warmupMs ?? 0) >= 60_000) {
      const total = (opts.durationMs + (opts.warmupMs ?? 0)) / 60_000;
      process.stderr.write(
        `load for ${Number(total.toFixed(1))} min (Ctrl-C stops early and keeps what was measured)\n`,
      );
    }
    if (live) opts.onProgress = (p) => process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
    opts.signal = interrupt.signal;
    let result: LoadResult;
    try {
      result = agents ? await distributedLoad(opts, agents) : await runLoad(opts);
    } finally {
      if (live) process.stderr.write('\r\x1b[2K');
    }
    const checks = checkThresholds(thresholds, result);
    if (json)
      process.stdout.write(JSON.stringify(checks.length ? { ...result, thresholds: checks } : result) + '\n');
    else {
      process.stdout.write(loadSummary(result) + '\n');
      for (const line of agentLines(result)) process.stdout.write(line + '\n');
      for (const c of checks) {
        const actual = c.actual === null ? 'no figure' : c.actual.toFixed(2);
        process.stdout.write(
          `  threshold   ${c.ok ? 'ok    ' : 'FAILED'} ${c.threshold} (actual ${actual})\n`,
        );
      }
    }
    for (const line of lostLines(result)) process.stderr.write(line + '\n');
    if (result.interrupted) return ExitCode.failure;
    if (checks.some((c) => !c.ok)) return ExitCode.threshold;
    // Nothing answered successfully: a runtime failure for scripts, after the figures were shown.
    return result.latency.count > 0 ? ExitCode.ok : ExitCode.failure;
  },
});
