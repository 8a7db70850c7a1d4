// A distributed load's agents in words, one line each: how it was reached, its clock (round trip, offset and its
// bound), its start, its share, what it sent, its CPU and health — or when and why it was lost. Pure: a
// LoadResult in, lines out (none for a one-generator result).
import type { AgentFigures, LoadResult } from '../engine/types.js';
import { textTable } from './table.js';

const num = (n: number | null, d = 2) => (n === null ? '-' : n.toFixed(d));
const signed = (n: number | null) => (n === null ? '-' : `${n >= 0 ? '+' : ''}${n.toFixed(2)}`);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function state(a: AgentFigures): string {
  if (a.lost) return `LOST ${a.lost}`;
  return a.saturated ? `LIMITED: ${a.reason}` : 'ok';
}

export function agentLines(r: LoadResult): string[] {
  const agents = r.agents ?? [];
  if (agents.length === 0) return [];
  const open = r.model === 'open';
  const rows = agents.map((a) => [
    String(a.index),
    a.agent,
    a.host || '-',
    num(a.rttMs),
    `${signed(a.offsetMs)} ±${num(a.offsetBoundMs)}`,
    num(a.startLateMs),
    int(a.connections),
    open ? `${int(a.sent)}/${int(a.intended)}` : '-',
    int(a.achievedRps),
    `${a.cpuPercent.toFixed(0)}%`,
    state(a),
  ]);
  const table = textTable(
    ['#', 'agent', 'host', 'rtt ms', 'offset ms', 'late ms', 'conns', 'sent', 'req/s', 'cpu', 'state'],
    rows,
    ['r', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  return [
    `  agents      ${agents.length}, one schedule split between them, their histograms merged exactly`,
    ...table.split('\n').map((line) => `    ${line}`),
  ];
}

/** One line per lost agent, for stderr: which, when, why. */
export function lostLines(r: LoadResult): string[] {
  return (r.agents ?? [])
    .filter((a) => a.lost)
    .map((a) => `error: agent ${a.index} (${a.agent}) was lost ${a.lost}; its share of the load is missing`);
}
