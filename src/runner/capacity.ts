// Capacity: the highest arrival rate a stack sustains with p99 <= SLO and errors <= the limit, found by an
// open-loop search (latency from the intended send time, so queueing shows) and known to a stated precision.
//
// 1. Climb from the closed-loop estimate until a probe misses the SLO or the error limit: x4 or x2 while the
//    tail is far inside the SLO (the closed loop was capped below the ceiling: waits, streams, chat), x1.25 near it.
// 2. Every probe bounds the answer: one that meets the SLO is a lower bound; one that misses an upper bound; and
//    one the server could not keep up with, mildly overloaded, tells its throughput ceiling — what it delivered
//    inside the window — which no sustainable rate can exceed (a short probe may let a small overload pass under
//    the SLO; the ceiling does not). Far past the ceiling (or with errors) a server can collapse — thousands of
//    new connections, timeouts, a throttled replica drowning in its queue — and deliver far less than it
//    sustains (a replica on an eighth of a core delivered 1,282/s when sent 2,074/s, and met the SLO at 2,892/s
//    in the next run): there what it delivered only says where to probe next, and the bound is the rate sent.
// 3. Narrow the bracket [highest met, lowest bound] until high / low <= 1 + precision (10 % quick, 5 % full): first
//    just inside the precision below a throughput ceiling, then by the geometric middle; or the probes run out
//    (then the bracket is what it is, and says so).
// The generator being the limit makes the answer a lower bound, stated; below the rate it could not send, the
// search goes on by the geometric middle until what met is within the precision of it (a chat probe 4x up from
// 17,000 deliveries/s saturated one generator core, which then had stopped the search at 17,000, though the
// generator sends 2x as much unsaturated). A stream's own length is not latency
// to hold against it: its SLO is the stream's length plus the SLO. Chat searches its message rate and counts
// deliveries (a message to a room of k members is k deliveries); the bracket is in deliveries per second.
import type { Capacity, Point } from '../results/types.js';
import { CHAT_RATE, CHAT_ROOMS, WORKLOADS } from '../workloads.js';
import { measurePoint, type PointSpec } from './measure.js';

export interface CapacitySpec extends Omit<PointSpec, 'kind' | 'model' | 'connections' | 'rate' | 'rep'> {
  /** Closed-loop throughput: where the search starts (chat: ignored, it starts from its headline rate). */
  estimateRps: number;
  /** Where the first probe goes, in the reported unit (chat: deliveries per second); instead of the estimate's rule. */
  startRate?: number;
  /** Chat: its clients (the headline connections). */
  connections: number;
  /** At most this many probes. */
  probes: number;
  /** Stop narrowing once high / low <= 1 + precision. */
  precision: number;
  onPoint: (p: Point) => Promise<void>;
  /** Stop searching (the server crashed, a service it needs died). */
  halted?: () => boolean;
}

/**
 * Enough connections to carry the rate at the SLO's latency (Little's law), with headroom. At most 4096: the
 * open-file limit must allow that many sockets (`ulimit -n`; a refused socket shows as connect errors).
 */
export function connectionsFor(rate: number, sloMs: number): number {
  return Math.min(4096, Math.max(16, Math.ceil(((rate * sloMs) / 1000) * 1.5) + 8));
}

/** Delivered below this share of the intended rate inside the window: the server could not keep up. */
const KEPT_UP = 0.95;
/** Sent at most this many times what it delivered, without errors: a mild overload, its delivery a ceiling. */
const MILD_OVERLOAD = 1.5;

/** A probe's verdict and the bounds it sets, in the reported unit (responses, streams or deliveries per s). */
interface Outcome {
  met: boolean;
  /** A rate no sustainable one exceeds: the probe's own (missed), or the server's ceiling (it fell behind, mildly). */
  upper?: number;
  /** It fell behind: what it delivered inside the window (a ceiling only when `upper` says so). */
  delivered?: number;
  limitedBy?: Capacity['limitedBy'];
}

function judge(p: Point, unitRate: number, slo: number, maxErrors: number): Outcome {
  const p99 = p.latency.percentilesMs['99'] ?? Infinity;
  if (p.flags.includes('generator-saturated')) return { met: false, limitedBy: 'generator' };
  const behind = p.windowRps < KEPT_UP * unitRate;
  const met = p99 <= slo && p.errorRate <= maxErrors && !behind;
  if (met) return { met };
  // Fell behind, mildly overloaded: what it delivered inside the window is its ceiling (or the probe's rate, if
  // that is lower). Overloaded far past it, or failing: only the rate sent bounds it (see the header).
  const delivered = behind && p.windowRps > 0 ? p.windowRps : undefined;
  const mild = delivered !== undefined && unitRate <= MILD_OVERLOAD * delivered && p.errorRate <= maxErrors;
  const upper = mild ? Math.min(unitRate, delivered) : unitRate;
  const limitedBy = behind ? 'throughput' : p.errorRate > maxErrors ? 'errors' : 'slo';
  return { met, upper, delivered, limitedBy };
}

/**
 * Chat: deliveries per message. Client i joins room i % rooms and clients send in turn, so a message reaches
 * the members of its sender's room, sender included: on average sum(m^2) / sum(m) over the rooms' sizes m.
 */
export function chatFanout(clients: number, rooms = CHAT_ROOMS): number {
  const sizes = Array.from(
    { length: rooms },
    (_, r) => Math.floor(clients / rooms) + (r < clients % rooms ? 1 : 0),
  );
  const total = sizes.reduce((a, m) => a + m, 0);
  return total > 0 ? sizes.reduce((a, m) => a + m * m, 0) / total : 1;
}

export async function searchCapacity(spec: CapacitySpec): Promise<Capacity> {
  const w = WORKLOADS[spec.workload];
  const chat = w.protocol === 'ws';
  const slo = spec.objective.sloP99Ms + w.floorMs;
  const cap: Capacity = {
    stack: spec.subject.id,
    workload: spec.workload,
    instances: spec.subject.instances,
    rps: 0,
    p99Ms: 0,
    low: 0,
    high: null,
    precision: spec.precision,
    resolved: false,
    limitedBy: 'max-probes',
    probes: [],
  };
  /** The search runs in the reported unit; chat sends messages, each `fanout` deliveries. */
  const fanout = chat ? chatFanout(spec.connections) : 1;
  let triedNear = false;
  /** The least any probe that fell behind delivered inside its window: where the ceiling seems to be. */
  let ceiling: number | undefined;
  /** The least rate the generator could not send: no probe goes there again. */
  let generatorCap: number | undefined;
  // The first probe: just under the closed-loop figure (most stacks meet the SLO a little below saturation);
  // from it where the closed loop is capped far below the ceiling; chat from 8x its headline message rate.
  let x =
    spec.startRate ??
    (chat ? CHAT_RATE * 8 * fanout : Math.max(1, spec.estimateRps * (w.search === 'climb' ? 1 : 0.8)));
  const done = () => (cap.high !== null && cap.low > 0 ? cap.high / cap.low <= 1 + spec.precision : false);
  for (let i = 0; i < spec.probes && !spec.signal?.aborted && !spec.halted?.(); i++) {
    const rate = Math.round((chat ? x / fanout : x) * 10) / 10;
    const p = await measurePoint({
      ...spec,
      kind: 'probe',
      model: 'open',
      connections: chat ? spec.connections : connectionsFor(rate, slo),
      rate,
      rep: i,
      // Long enough for the first answers to arrive before the window opens (a stream lasts its floor): the
      // window then sees the server's steady state, so what it delivers inside it is the arrival rate if it keeps
      // up.
      warmupMs: Math.max(spec.warmupMs, w.floorMs + 100),
    });
    await spec.onPoint(p);
    const unitRate = rate * fanout;
    const o = judge(p, unitRate, slo, spec.objective.maxErrorRate);
    const p99 = p.latency.percentilesMs['99'] ?? Infinity;
    cap.probes.push({ rate: p.rate!, rps: p.rps, p99Ms: p99, errorRate: p.errorRate, met: o.met });
    if (o.limitedBy === 'generator') {
      // We could not push this hard: what met is a lower bound; the gap up to here is searched while wider than
      // the precision, for a tighter bound (or the server's own ceiling, should it come first).
      generatorCap = Math.min(generatorCap ?? Infinity, unitRate);
      // An upper bound from a rate at or past what the generator can send is not the server's.
      if (cap.high !== null && cap.high >= generatorCap) cap.high = null;
    }
    const nx = o.limitedBy === 'generator' ? unitRate : following(o, p, unitRate, p99);
    if (nx === undefined) break;
    const below = underGenerator(nx, cap, generatorCap, spec.precision);
    if (below === undefined) break;
    x = below;
  }
  cap.resolved = done();
  if (generatorCap !== undefined && cap.high === null) cap.limitedBy = 'generator';
  return cap;

  /** After a probe the generator kept up with: the bracket and state updated, the next rate (none: done). */
  function following(o: Outcome, p: Point, unitRate: number, p99: number): number | undefined {
    const state: SearchState = { low: cap.low, high: cap.high, ceiling, triedNear };
    bound(cap, state, o, unitRate, Math.max(p.rps, p.windowRps), p99);
    ({ ceiling, triedNear } = state);
    // A bound below what met (noise near the ceiling): the met figure stands, the bracket closes at it.
    if (cap.high !== null && cap.high < cap.low) cap.high = cap.low;
    if (done()) return undefined;
    const next = nextRate(
      { low: cap.low, high: cap.high, ceiling, triedNear },
      o.met,
      unitRate,
      p99 - w.floorMs,
      {
        sloP99Ms: spec.objective.sloP99Ms,
        precision: spec.precision,
      },
    );
    triedNear = next.triedNear;
    return next.rate;
  }
}

/**
 * A next rate kept under the least rate the generator could not send (`limit`): as it is when below; else the
 * geometric middle between what met and the limit, or half the limit while nothing met (a first chat probe
 * saturated the generator, and the search had ended with no bound at all); undefined, ending the search, once
 * what met is within the precision of the limit.
 */
function underGenerator(
  rate: number,
  cap: Capacity,
  limit: number | undefined,
  precision: number,
): number | undefined {
  if (limit === undefined || rate < limit) return rate;
  if (!(cap.low > 0)) return limit / 2;
  if (limit / cap.low <= 1 + precision) return undefined;
  return Math.sqrt(cap.low * limit);
}

/**
 * What one probe's outcome does to the bracket (cap.low/high) and to the state: one that met raises the low end
 * to what it sustained (its rate, or what it delivered if less: not its completed requests over the window
 * alone, since a stream started in the window's last 250 ms completes after it, and on a 400 ms window that
 * read 7.5/s for 8.7/s sent — a low end below the rates already met, probed again and again); met above what an
 * overloaded probe delivered, that was a collapse, not the ceiling, and is forgotten. One that missed lowers the
 * high end to its bound, and a delivery that fell behind marks where the ceiling seems to be.
 */
function bound(
  cap: Capacity,
  state: SearchState,
  o: Outcome,
  unitRate: number,
  delivered: number,
  p99: number,
): void {
  if (o.met) {
    const sustained = Math.min(unitRate, delivered);
    if (state.ceiling !== undefined && sustained > state.ceiling) {
      state.ceiling = undefined;
      state.triedNear = false;
    }
    if (sustained >= cap.low) {
      cap.low = sustained;
      cap.rps = sustained;
      cap.p99Ms = p99;
    }
    return;
  }
  if (o.delivered !== undefined) state.ceiling = Math.min(state.ceiling ?? Infinity, o.delivered);
  const upper = o.upper ?? unitRate;
  if (cap.high === null || upper < cap.high) {
    cap.high = upper;
    cap.limitedBy = o.limitedBy!;
  }
}

/** Where the search stands: the bracket, the least delivery of a probe that fell behind, a probe tried near it. */
export interface SearchState {
  low: number;
  high: number | null;
  /** The least any probe that fell behind delivered inside its window: where the ceiling seems to be. */
  ceiling?: number;
  /** A probe just inside the precision below the ceiling was tried. */
  triedNear: boolean;
}

/**
 * The next probe's rate, from the state after the last probe (which met or not, at `unitRate`, with the tail
 * the server added, `tailMs`: p99 less a stream's own length):
 * - no upper bound yet: climb from the highest rate met, x4 while the tail is under a quarter of the SLO (the
 *   closed loop was capped far below the ceiling: waits, streams, chat), x2 under half, x1.25 near it;
 * - a throughput ceiling not yet tried near: just inside the precision below it, which settles the search in
 *   one probe when the server meets the SLO that close to its ceiling;
 * - the bracket's top only the rate an overloaded probe sent, far above that ceiling: a step of the precision up
 *   from what met (a mild overload there confirms the ceiling, or shows the server sustains more than it
 *   delivered while collapsing), at most the geometric middle;
 * - otherwise the geometric middle of the bracket, or half its top while nothing met.
 */
export function nextRate(
  s: SearchState,
  met: boolean,
  unitRate: number,
  tailMs: number,
  o: { sloP99Ms: number; precision: number },
): { rate: number; triedNear: boolean } {
  if (s.high === null) {
    const climb = met && tailMs < o.sloP99Ms / 4 ? 4 : met && tailMs < o.sloP99Ms / 2 ? 2 : 1.25;
    return { rate: Math.max(s.low, unitRate) * climb, triedNear: s.triedNear };
  }
  const nearCeiling = s.ceiling !== undefined ? s.ceiling / (1 + 0.8 * o.precision) : 0;
  if (nearCeiling > s.low && !s.triedNear) return { rate: nearCeiling, triedNear: true };
  if (!(s.low > 0)) return { rate: s.high / 2, triedNear: s.triedNear };
  const middle = Math.sqrt(s.low * s.high);
  const unconfirmed = s.ceiling !== undefined && s.high > s.ceiling * (1 + o.precision);
  if (!unconfirmed) return { rate: middle, triedNear: s.triedNear };
  const step = Math.max(s.low, met ? unitRate : 0) * (1 + o.precision);
  return { rate: Math.min(middle, step), triedNear: s.triedNear };
}
