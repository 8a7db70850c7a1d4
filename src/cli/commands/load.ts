// `stackbench load URL`: the engine as a standalone tool (autocannon/wrk-like). Live progress on stderr only
// when stderr is a terminal and never with --json; --json prints exactly one JSON document (the LoadResult).
import { readFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { parseDuration, parseFlags, parseIntFlag, parseRate } from '../args.js';
import { ExitCode, StackbenchError } from '../../errors.js';
import { runLoad } from '../../engine/index.js';
import { formatWsSummary, runWsLoad, type WsLoadOptions } from '../../engine/ws/index.js';
import { assertAllowedTarget, parseTarget } from '../../engine/target.js';
import type { LoadOptions, LoadProgress, LoadResult } from '../../engine/types.js';
import { interrupt } from '../../stacks/process.js';
import { checkThresholds, parseThreshold } from '../threshold.js';

const usage = `usage: stackbench load URL [flags]

Send HTTP/1.1 load to URL and report throughput, latency percentiles, errors by kind and generator health.

flags:
  -c, --connections N   concurrent connections (default 100)
  -d, --duration D      measured duration, e.g. 10s, 500ms, 2m (default 10s)
      --rate R          open loop: R requests/s in total, latency from the intended send time
                        (without --rate: closed loop, each connection sends when its response arrives)
  -m, --method M        GET or POST (default GET; POST when a body is given)
  -H, --header "K: V"   add a request header (repeatable)
  -b, --body TEXT       request body
      --body-file PATH  request body read from a file
      --warmup D        traffic before measuring, not counted (default 0)
      --ramp D          raise connections (closed) or rate (open) linearly over D from the start
      --timeout D       per-request timeout, counted as a timeout error (default 10s)
      --threads N       worker threads generating load (default: one per usable core)
      --ws              WebSocket chat load on a ws:// URL (-c connections, --rate messages/s in total,
                        --rooms N, --connect-rate R connections/s); each message fans out to its room
      --threshold T     fail with exit code 3 unless T holds: p99<50ms, p99.9<=200ms, rps>=1000, errors<0.1%
                        (repeatable)
      --allow-remote H  allow load to the non-loopback host H (repeatable); loopback only otherwise
      --json            print the result as one JSON document, nothing else
`;

const options = {
  connections: { type: 'string', short: 'c' },
  duration: { type: 'string', short: 'd' },
  rate: { type: 'string' },
  method: { type: 'string', short: 'm' },
  header: { type: 'string', short: 'H', multiple: true },
  body: { type: 'string', short: 'b' },
  'body-file': { type: 'string' },
  warmup: { type: 'string' },
  ramp: { type: 'string' },
  timeout: { type: 'string' },
  threads: { type: 'string' },
  'allow-remote': { type: 'string', multiple: true },
  threshold: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  // WebSocket mode (src/engine/ws/)
  ws: { type: 'boolean' },
  rooms: { type: 'string' },
  'connect-rate': { type: 'string' },
} as const;

/** Flags -> LoadOptions; every bad value is a StackbenchError (exit 2) naming the fix. */
function parseLoadFlags(argv: string[]) {
  const { values: f, positionals } = parseFlags('load', argv, options, true);
  if (positionals.length !== 1) {
    const detail = positionals.length === 0 ? 'missing URL' : `expected one URL, got ${positionals.length}`;
    throw new StackbenchError('SB_BAD_FLAG', [detail], ['load']);
  }
  return { f, url: positionals[0]! };
}

type LoadFlags = ReturnType<typeof parseLoadFlags>['f'];

export function loadOptionsFromArgs(argv: string[]): { opts: LoadOptions; json: boolean } {
  const { f, url } = parseLoadFlags(argv);
  return { opts: httpOptions(f, url), json: f.json === true };
}

function httpOptions(f: LoadFlags, url: string): LoadOptions {
  const target = parseTarget(url, ['http:']);
  const allowRemote = f['allow-remote'] ?? [];
  assertAllowedTarget(target, allowRemote);

  if (f.body !== undefined && f['body-file'] !== undefined) {
    throw new StackbenchError('SB_BAD_FLAG', ['--body and --body-file are exclusive'], ['load']);
  }
  let body = f.body;
  if (f['body-file'] !== undefined) {
    try {
      body = readFileSync(f['body-file'], 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new StackbenchError(
        'SB_BAD_FLAG',
        [`cannot read --body-file ${f['body-file']}: ${why}`],
        ['load'],
      );
    }
  }
  const method = (f.method ?? (body !== undefined ? 'POST' : 'GET')).toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    throw new StackbenchError('SB_BAD_FLAG', [`unsupported method "${f.method}" (GET or POST)`], ['load']);
  }
  const headers: Record<string, string> = {};
  for (const h of f.header ?? []) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(h);
    if (!m || /[\r\n]/.test(h)) {
      throw new StackbenchError('SB_BAD_FLAG', [`bad header "${h}": expected "Name: value"`], ['load']);
    }
    headers[m[1]!] = m[2]!;
  }
  const opts: LoadOptions = {
    url,
    method: method as 'GET' | 'POST',
    headers,
    model: f.rate !== undefined ? 'open' : 'closed',
    connections: f.connections !== undefined ? parseIntFlag('--connections', f.connections, 1, 10_000) : 100,
    durationMs: f.duration !== undefined ? parseDuration(f.duration) : 10_000,
    allowRemote,
  };
  if (body !== undefined) opts.body = body;
  if (f.rate !== undefined) opts.rate = parseRate('--rate', f.rate, 10_000_000);
  if (f.warmup !== undefined) opts.warmupMs = parseDuration(f.warmup);
  if (f.ramp !== undefined) opts.rampMs = parseDuration(f.ramp);
  if (f.timeout !== undefined) opts.timeoutMs = parseDuration(f.timeout);
  if (f.threads !== undefined) opts.threads = parseIntFlag('--threads', f.threads, 1, 64);
  return opts;
}

// ---- WebSocket load: the WebSocket engine (src/engine/ws/) does the work; this only maps flags. ----

function wsOptions(f: LoadFlags, url: string): WsLoadOptions {
  const target = parseTarget(url, ['ws:']);
  assertAllowedTarget(target, f['allow-remote'] ?? []);
  const connections =
    f.connections !== undefined ? parseIntFlag('--connections', f.connections, 1, 100_000) : 100;
  const opts: WsLoadOptions = {
    url,
    connections,
    connectRate:
      f['connect-rate'] !== undefined ? parseRate('--connect-rate', f['connect-rate'], 1_000_000) : 1000,
    messageRate: f.rate !== undefined ? parseRate('--rate', f.rate, 10_000_000) : 100,
    durationMs: f.duration !== undefined ? parseDuration(f.duration) : 10_000,
  };
  if (f.rooms !== undefined) opts.rooms = parseIntFlag('--rooms', f.rooms, 1, connections);
  if (f.warmup !== undefined) opts.warmupMs = parseDuration(f.warmup);
  if (f.timeout !== undefined) opts.connectTimeoutMs = parseDuration(f.timeout);
  return opts;
}

async function runWs(f: LoadFlags, url: string): Promise<number> {
  const opts = wsOptions(f, url);
  const json = f.json === true;
  const live = !json && process.stderr.isTTY === true;
  if (live) {
    opts.onProgress = (p) =>
      process.stderr.write(
        `\r\x1b[2K  ${p.phase}  ${p.open} open  ${Math.round(p.deliveriesPerSec)} deliveries/s`,
      );
  }
  opts.signal = interrupt.signal;
  try {
    const result = await runWsLoad(opts);
    if (live) process.stderr.write('\r\x1b[2K');
    process.stdout.write((json ? JSON.stringify(result) : formatWsSummary(result)) + '\n');
    return result.deliveries > 0 ? ExitCode.ok : ExitCode.failure;
  } finally {
    if (live) process.stderr.write('\r\x1b[2K');
  }
}

function progressLine(p: LoadProgress): string {
  const secs = (ms: number) => (ms / 1000).toFixed(1);
  const what = p.phase === 'warmup' ? 'warming up' : `${secs(p.elapsedMs)}s / ${secs(p.durationMs)}s`;
  return `  ${what}  ${Math.round(p.rps).toLocaleString('en-US')} req/s  ${p.requests.toLocaleString('en-US')} requests  ${p.errors} errors`;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** The human summary: throughput, latency percentiles, errors by kind, generator health. */
export function formatSummary(r: LoadResult, opts: LoadOptions): string {
  const model =
    r.model === 'open'
      ? `open loop at ${int(opts.rate ?? 0)} req/s (latency from intended send times)`
      : 'closed loop';
  const secs = (r.durationMs / 1000).toFixed(1);
  const lines = [`${r.url} — ${model}, ${r.connections} connections, ${secs}s measured`];
  if (r.interrupted) lines.push('  INTERRUPTED: figures cover the part measured before the stop');
  lines.push(
    `  throughput  ${int(r.rps)} req/s ok  (${int(r.requests)} responses, ${(r.bytesRead / 1e6).toFixed(1)} MB read)`,
  );
  const l = r.latency;
  if (l.count > 0) {
    const pct = Object.entries(l.percentilesMs)
      .map(([p, v]) => `p${p} ${ms(v)}`)
      .join('  ');
    lines.push(`  latency ms  ${pct}  max ${ms(l.maxMs)}`);
    lines.push(`              min ${ms(l.minMs)}  mean ${ms(l.meanMs)}  stdev ${ms(l.stdevMs)}`);
  } else {
    lines.push('  latency     no successful response');
  }
  const codes = Object.entries(r.statusCodes)
    .map(([c, n]) => `${c}: ${int(n)}`)
    .join('  ');
  lines.push(`  status      ${codes || 'none'}`);
  const errs = Object.entries(r.errors).filter(([, n]) => n > 0);
  lines.push(`  errors      ${errs.length ? errs.map(([k, n]) => `${k} ${int(n)}`).join('  ') : 'none'}`);
  const g = r.generator;
  const rate =
    g.intendedRps !== undefined
      ? `, ${int(g.achievedRps)} of ${int(g.intendedRps)} req/s intended, ${int(g.lateSends)} late sends, ${int(g.unsent)} unsent`
      : '';
  const threads = `${g.threads} thread${g.threads === 1 ? '' : 's'}`;
  lines.push(
    `  generator   CPU ${g.cpuPercent.toFixed(0)}% (${threads}, ${g.cores} core${g.cores === 1 ? '' : 's'} usable)${rate}`,
  );
  lines.push(
    g.saturated ? `  WARNING     the generator was the bottleneck: ${g.reason}` : '              healthy',
  );
  if (g.note) lines.push(`  note        ${g.note}`);
  return lines.join('\n');
}

async function run(argv: string[]): Promise<number> {
  const { f, url } = parseLoadFlags(argv);
  if (f.ws) return runWs(f, url);
  const opts = httpOptions(f, url);
  const thresholds = (f.threshold ?? []).map(parseThreshold);
  const json = f.json === true;
  const live = !json && process.stderr.isTTY === true;
  if (live) {
    opts.onProgress = (p) => process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
  }
  opts.signal = interrupt.signal;
  let result: LoadResult;
  try {
    result = await runLoad(opts);
  } finally {
    if (live) process.stderr.write('\r\x1b[2K');
  }
  const checks = checkThresholds(thresholds, result);
  if (json)
    process.stdout.write(JSON.stringify(checks.length ? { ...result, thresholds: checks } : result) + '\n');
  else {
    process.stdout.write(formatSummary(result, opts) + '\n');
    for (const c of checks) {
      const actual = c.actual === null ? 'no figure' : c.actual.toFixed(2);
      process.stdout.write(`  threshold   ${c.ok ? 'ok    ' : 'FAILED'} ${c.threshold} (actual ${actual})\n`);
    }
  }
  if (result.interrupted) return ExitCode.failure;
  if (checks.some((c) => !c.ok)) return ExitCode.threshold;
  // Nothing answered successfully: a runtime failure for scripts, after the figures were shown.
  return result.latency.count > 0 ? ExitCode.ok : ExitCode.failure;
}

export const load: Command = {
  name: 'load',
  summary: 'send HTTP load to a URL (closed loop, or open loop with --rate)',
  usage,
  run,
};
