// The open loop's arrival schedule, as pure arithmetic: request i of the whole load (every thread, every agent)
// is intended at offset(i) after t0, for the schedule's one global rate and ramp. A sender owns a lane: the
// requests i = lane, lane + lanes, lane + 2 lanes, ... (k6's equal execution segments, striped). The lanes of
// all senders are disjoint and together cover every index, so their union is exactly the one-sender schedule,
// and each request keeps the intended time it would have had there.

export interface Schedule {
  /** Requests per second of the whole schedule (all lanes together). */
  rate: number;
  /** Linear ramp from 0 to the rate over this many ms from t0; 0: none. */
  rampMs: number;
}

/** A sender's share: the indices i with i % lanes == lane. */
export interface Lane {
  lane: number;
  lanes: number;
}

/** Position in the schedule after `e` ms: how many requests were due (fractional). */
export function position(s: Schedule, e: number): number {
  if (e <= 0) return 0;
  const r = s.rate / 1000;
  const R = Math.max(0, s.rampMs);
  if (R > 0 && e < R) return (r * e * e) / (2 * R);
  return r * (e - R / 2);
}

/** Intended time of request i, in ms after t0 (the inverse of position). */
export function offset(s: Schedule, i: number): number {
  const r = s.rate / 1000;
  const R = Math.max(0, s.rampMs);
  if (R > 0 && i < (r * R) / 2) return Math.sqrt((2 * R * i) / r);
  return i / r + R / 2;
}

/** Number of requests of the whole schedule intended strictly before `e` ms. */
export function countBefore(s: Schedule, e: number): number {
  return e <= 0 ? 0 : Math.ceil(position(s, e) - 1e-9);
}

/** How many of the global indices 0..n-1 belong to the lane. Summed over all lanes: exactly n. */
export function laneCount(n: number, l: Lane): number {
  return n <= l.lane ? 0 : Math.ceil((n - l.lane) / l.lanes);
}

/** The j-th request of a lane, as a global index. */
export function globalIndex(j: number, l: Lane): number {
  return l.lane + j * l.lanes;
}

/**
 * The lane's intended requests inside the measured window [warmupMs, warmupMs + durationMs): the global window's
 * requests that fall in this lane. Summed over the lanes, the one-sender count.
 */
export function laneIntended(s: Schedule, l: Lane, warmupMs: number, durationMs: number): number {
  const first = countBefore(s, warmupMs);
  const total = countBefore(s, warmupMs + durationMs);
  return laneCount(total, l) - laneCount(first, l);
}
