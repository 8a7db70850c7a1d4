// Capacity: the highest arrival rate a stack sustains with p99 <= SLO and errors <= the limit, found by an
// open-loop search (latency from the intended send time, so queueing shows). The closed-loop throughput is
// the starting estimate; the search climbs by 25 % until a probe misses, then halves the bracket [met, missed].
import type { Capacity, Point } from '../results/types.js';
import { measurePoint, type PointSpec } from './measure.js';

export interface CapacitySpec extends Omit<PointSpec, 'kind' | 'model' | 'connections' | 'rate' | 'rep'> {
  /** Closed-loop throughput: where the search starts. */
  estimateRps: number;
  probes: number;
  sloP99Ms: number;
  onPoint: (p: Point) => Promise<void>;
}

/** Enough connections to carry the rate at the SLO's latency (Little's law), with headroom. */
export function connectionsFor(rate: number, sloMs: number): number {
  return Math.min(1024, Math.max(16, Math.ceil(((rate * sloMs) / 1000) * 1.5) + 8));
}

export async function searchCapacity(spec: CapacitySpec): Promise<Capacity> {
  const cap: Capacity = {
    stack: spec.stack.id,
    workload: spec.workload,
    instances: spec.stack.workers,
    rps: 0,
    p99Ms: 0,
    limitedBy: 'max-probes',
    probes: [],
  };
  let met = 0;
  let missed = 0; // 0: no probe has missed yet
  // First probe just under the closed-loop figure: most stacks meet the SLO a little below saturation.
  let rate = Math.max(1, spec.estimateRps * 0.8);
  for (let i = 0; i < spec.probes && !spec.signal?.aborted; i++) {
    const p = await measurePoint({
      ...spec,
      kind: 'probe',
      model: 'open',
      connections: connectionsFor(rate, spec.sloP99Ms),
      rate: Math.round(rate * 10) / 10,
      rep: i,
    });
    await spec.onPoint(p);
    const p99 = p.latency.percentilesMs['99'] ?? Infinity;
    const ok =
      p99 <= spec.sloP99Ms && p.errorRate <= spec.maxErrorRate && !p.flags.includes('generator-saturated');
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
    rate = missed === 0 ? met * 1.25 : (met + missed) / 2;
  }
  return cap;
}
