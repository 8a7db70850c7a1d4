// Capacity: the highest arrival rate a stack sustains with p99 <= SLO and errors <= the limit, found by an
// open-loop search (latency from the intended send time, so queueing shows). The closed-loop throughput is
// the starting estimate; the search climbs by 25 % until a probe misses, then halves the bracket [met, missed].
// A stream's own length is not latency to hold against it: its SLO is the stream's length plus the SLO.
// Chat searches the message rate (its fan-out deliveries are what is counted), from the headline rate,
// doubling, with the clients of the headline runs.
import type { Capacity, Point } from '../results/types.js';
import { CHAT_RATE, WORKLOADS } from '../workloads.js';
import { measurePoint, type PointSpec } from './measure.js';

export interface CapacitySpec extends Omit<PointSpec, 'kind' | 'model' | 'connections' | 'rate' | 'rep'> {
  /** Closed-loop throughput: where the search starts (chat: ignored, it starts from its headline rate). */
  estimateRps: number;
  /** Chat: its clients (the headline connections). */
  connections: number;
  probes: number;
  sloP99Ms: number;
  onPoint: (p: Point) => Promise<void>;
}

/**
 * Enough connections to carry the rate at the SLO's latency (Little's law), with headroom. At most 4096: the
 * open-file limit must allow that many sockets (`ulimit -n`; a refused socket shows as connect errors).
 */
export function connectionsFor(rate: number, sloMs: number): number {
  return Math.min(4096, Math.max(16, Math.ceil(((rate * sloMs) / 1000) * 1.5) + 8));
}

export async function searchCapacity(spec: CapacitySpec): Promise<Capacity> {
  const cap: Capacity = {
    stack: spec.subject.id,
    workload: spec.workload,
    instances: spec.subject.instances,
    rps: 0,
    p99Ms: 0,
    limitedBy: 'max-probes',
    probes: [],
  };
  const w = WORKLOADS[spec.workload];
  const chat = w.protocol === 'ws';
  const slo = spec.sloP99Ms + w.floorMs;
  const climb = w.search === 'climb' ? 2 : 1.25;
  let met = 0;
  let missed = 0; // 0: no probe has missed yet
  // First probe just under the closed-loop figure: most stacks meet the SLO a little below saturation.
  // Chat's headline rate is far below any ceiling: start at 4x it.
  let rate = chat ? CHAT_RATE * 4 : Math.max(1, spec.estimateRps * (w.search === 'climb' ? 1 : 0.8));
  for (let i = 0; i < spec.probes && !spec.signal?.aborted; i++) {
    const p = await measurePoint({
      ...spec,
      kind: 'probe',
      model: 'open',
      connections: chat ? spec.connections : connectionsFor(rate, slo),
      rate: Math.round(rate * 10) / 10,
      rep: i,
    });
    await spec.onPoint(p);
    const p99 = p.latency.percentilesMs['99'] ?? Infinity;
    const ok = p99 <= slo && p.errorRate <= spec.maxErrorRate && !p.flags.includes('generator-saturated');
    cap.probes.push({ rate: p.rate!, rps: p.rps, p99Ms: p99, errorRate: p.errorRate, met: ok });
    if (ok) {
      met = rate;
      cap.rps = p.rps;
      cap.p99Ms = p99;
    } else {
      missed = rate;
      cap.limitedBy = p.flags.includes('generator-saturated')
        ? 'generator'
        : p.errorRate > spec.maxErrorRate
          ? 'errors'
          : 'slo';
    }
    // Nothing missed yet: look higher; otherwise bisect the bracket (down to half when nothing met).
    rate = missed === 0 ? met * climb : (met + missed) / 2;
  }
  return cap;
}
