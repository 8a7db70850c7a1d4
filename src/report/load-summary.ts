// The human summary of one `stackbench load` run, HTTP or WebSocket: throughput, the latency spectrum, errors by
// kind and the generator's health, and for a mix of requests one line per request. Pure: a LoadResult in, text out.
import { MAX_GRACE_MS } from '../engine/shard.js';
import type { LoadResult } from '../engine/types.js';
import { textTable } from './table.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const pct = (part: number, whole: number) => `${whole > 0 ? ((part / whole) * 100).toFixed(2) : '0.00'}%`;
const plural = (n: number, word: string) => `${int(n)} ${word}${n === 1 ? '' : 's'}`;

function latencyLines(r: LoadResult, what: string): string[] {
  const l = r.latency;
  if (l.count === 0) return [`  latency     no ${what}`];
  const spectrum = Object.entries(l.percentilesMs)
    .map(([p, v]) => `p${p} ${ms(v)}`)
    .join('  ');
  return [
    `  latency ms  ${spectrum}  max ${ms(l.maxMs)}`,
    `              min ${ms(l.minMs)}  mean ${ms(l.meanMs)}  stdev ${ms(l.stdevMs)}`,
  ];
}

function errorLine(r: LoadResult): string {
  const errs = Object.entries(r.errors).filter(([, n]) => n > 0);
  return `  errors      ${errs.length ? errs.map(([k, n]) => `${k} ${int(n)}`).join('  ') : 'none'}`;
}

function generatorLines(r: LoadResult, unit: string): string[] {
  const g = r.generator;
  const rate =
    g.intendedRps !== undefined
      ? `, ${int(g.achievedRps)} of ${int(g.intendedRps)} ${unit}/s intended, ${int(g.lateSends)} late sends, ${int(g.unsent)} unsent`
      : '';
  const lines = [
    `  generator   CPU ${g.cpuPercent.toFixed(0)}% (${plural(g.threads, 'thread')}, ${plural(g.cores, 'core')} usable)${rate}`,
    g.saturated ? `  WARNING     the generator was the bottleneck: ${g.reason}` : '              healthy',
  ];
  if (g.note) lines.push(`  note        ${g.note}`);
  return lines;
}

/** A mix: each request's share of the responses, its errors, throughput and latency, as a table. */
function perRequestLines(r: LoadResult): string[] {
  const per = r.perRequest ?? [];
  if (per.length === 0) return [];
  const secs = r.durationMs / 1000;
  const total = per.reduce((a, p) => a + p.requests, 0);
  const rows = per.map((p) => {
    const l = p.latency;
    const lat = (v: number | undefined) => (l.count > 0 && v !== undefined ? ms(v) : '-');
    return [
      p.name,
      int(p.requests),
      pct(p.requests, total),
      int(p.errors),
      int(secs > 0 ? l.count / secs : 0),
      lat(l.percentilesMs['50']),
      lat(l.percentilesMs['99']),
      lat(l.maxMs),
    ];
  });
  const table = textTable(
    ['request', 'responses', 'share', 'errors', 'ok/s', 'p50 ms', 'p99 ms', 'max ms'],
    rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  return ['  per request', ...table.split('\n').map((line) => `    ${line}`)];
}

function httpSummary(r: LoadResult): string[] {
  const model =
    r.model === 'open'
      ? `open loop at ${int(r.generator.intendedRps ?? 0)} req/s (latency from intended send times; requests still unanswered ${MAX_GRACE_MS / 1000} s after the window count as timeouts)`
      : 'closed loop';
  const lines = [
    `${r.url} — ${model}, ${r.connections} connections, ${(r.durationMs / 1000).toFixed(1)}s measured`,
  ];
  if (r.interrupted) lines.push('  INTERRUPTED: figures cover the part measured before the stop');
  const answered = r.requests;
  const unanswered = r.errors.timeout + r.errors.reset + r.errors.connect;
  if (answered === 0 && unanswered > 0)
    lines.push(
      `  NO ANSWER   the server answered none of the requests (${int(unanswered)} failed; see errors)`,
    );
  lines.push(
    `  throughput  ${int(r.rps)} req/s ok  (${int(r.requests)} responses, ${(r.bytesRead / 1e6).toFixed(1)} MB read)`,
    ...latencyLines(r, 'successful response'),
  );
  const codes = Object.entries(r.statusCodes)
    .map(([c, n]) => `${c}: ${int(n)}`)
    .join('  ');
  lines.push(
    `  status      ${codes || 'none'}`,
    errorLine(r),
    ...perRequestLines(r),
    ...generatorLines(r, 'req'),
  );
  return lines;
}

function wsSummary(r: LoadResult): string[] {
  const w = r.ws!;
  const secs = r.durationMs / 1000;
  const lines = [
    `${r.url} — WebSocket, ${plural(r.connections, 'client')} in ${plural(w.rooms, 'room')}, ${secs.toFixed(1)}s measured`,
  ];
  if (r.interrupted) lines.push('  INTERRUPTED: figures cover the part measured before the stop');
  if (w.connectionsOpened === 0)
    lines.push(`  NO ANSWER   no handshake succeeded (${int(w.connectionsFailed)} failed; see errors)`);
  lines.push(
    `  clients     ${int(w.connectionsOpened)} open of ${int(r.connections)} (${int(w.connectionsFailed)} failed), connected in ${(w.connectMs / 1000).toFixed(2)}s`,
    `  messages    ${int(w.messagesSent)} sent (${secs > 0 ? (w.messagesSent / secs).toFixed(1) : '0'}/s)`,
    `  deliveries  ${int(w.deliveries)} of ${int(w.expectedDeliveries)} expected (${int(r.rps)}/s), drops ${int(w.drops)} (${pct(w.drops, w.expectedDeliveries)}), duplicates ${int(w.duplicates)}`,
    `  closed      ${int(w.disconnects)} by the server, ${int(w.unexpected)} unexpected messages`,
    ...latencyLines(r, 'delivery'),
    errorLine(r),
    ...generatorLines(r, 'msg'),
  );
  return lines;
}

export function loadSummary(r: LoadResult): string {
  return (r.ws ? wsSummary(r) : httpSummary(r)).join('\n');
}
