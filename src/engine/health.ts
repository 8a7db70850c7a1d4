// Generator health: was the figure limited by the server or by us? Reported with every result, in words
// when the generator was the bottleneck, so such a point is never reported as the server's number.
import type { Pacing } from './models/model.js';
import type { GeneratorHealth, ModelName } from './types.js';

export interface HealthInput {
  model: ModelName;
  /** What a send is, for the words: a request (HTTP) or a message (WebSocket). Default 'req'. */
  unit?: 'req' | 'msg';
  /** Process CPU over the measured window, % of one core. */
  cpuPercent: number;
  cores: number;
  threads: number;
  connections: number;
  intendedRps?: number | undefined;
  achievedRps: number;
  pacing: Pacing;
}

/** Fraction of the usable cores above which the generator counts as CPU-bound. */
const CPU_LIMIT = 0.9;
/** Open loop: achieved below this fraction of the intended rate is a shortfall. */
const RATE_LIMIT = 0.9;

const round = (n: number, d = 0) => Math.round(n * 10 ** d) / 10 ** d;
const coresWord = (n: number) => `${n} core${n === 1 ? '' : 's'}`;

export function assessHealth(h: HealthInput): GeneratorHealth {
  // One event loop cannot use more than one core, however many the affinity allows.
  const usable = Math.max(1, Math.min(h.cores, h.threads));
  const cpuBound = h.cpuPercent >= CPU_LIMIT * 100 * usable;
  const cpuText = `generator CPU ${round(h.cpuPercent)}% of ${coresWord(usable)}`;
  const base = {
    cpuPercent: round(h.cpuPercent, 1),
    cores: h.cores,
    threads: h.threads,
    achievedRps: round(h.achievedRps, 1),
    lateSends: h.pacing.lateSends,
    unsent: h.pacing.unsent,
  };
  if (h.model === 'closed') {
    return {
      ...base,
      saturated: cpuBound,
      reason: cpuBound ? `${cpuText}: the figure is a lower bound for the server` : '',
    };
  }
  const intended = h.intendedRps ?? 0;
  const p = h.pacing;
  const ownLate = p.lateSends - p.queuedSends;
  const short = intended > 0 && h.achievedRps < RATE_LIMIT * intended;
  // Our lateness: sends that left late although a connection was free (event-loop lag, CPU).
  const ownLateMuch = p.sent > 0 && ownLate > 0.1 * p.sent;
  const unit = h.unit ?? 'req';
  const rateText = `achieved ${round(h.achievedRps)} of ${round(intended)} ${unit}/s intended`;
  let saturated = false;
  let reason = '';
  if (cpuBound) {
    saturated = true;
    reason = `${cpuText}: ${rateText}; latencies include the generator's own delays`;
  } else if (short && ownLateMuch) {
    saturated = true;
    reason = `the generator could not send on time: ${rateText}, ${ownLate} sends left late with a free connection`;
  }
  let note: string | undefined;
  if (!saturated && (short || p.queuedSends > 0 || p.unsent > 0)) {
    const parts = [`the server was slow: ${rateText}`];
    if (p.queuedSends > 0) {
      parts.push(
        `${p.queuedSends} requests waited for one of ${h.connections} busy connections (the wait is in the latency)`,
      );
    }
    if (p.unsent > 0)
      parts.push(
        unit === 'msg'
          ? `${p.unsent} messages found no open connection to leave on`
          : `${p.unsent} never left before the window closed`,
      );
    note = parts.join('; ');
  }
  return {
    ...base,
    intendedRps: round(intended, 1),
    saturated,
    reason,
    queuedSends: p.queuedSends,
    ...(note ? { note } : {}),
  };
}
