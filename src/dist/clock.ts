// Clocks across hosts. Each process has a wall clock (performance.timeOrigin + performance.now(): it follows
// the monotonic clock inside a process, so it does not jump if NTP steps the system clock mid-run). Hosts'
// wall clocks disagree, by any amount; the coordinator measures each agent's offset by ping (Cristian's method):
// it sends at t1, the agent answers with its clock c, the answer arrives at t3; then c was read somewhere in
// [t1, t3], so offset = c - (t1 + t3) / 2 within +-(t3 - t1) / 2. Of several pings the one with the least round
// trip bounds it best. A start time is then sent in the agent's own clock, and the agent turns it into a
// deadline on its monotonic clock. Tests skew an agent's clock with STACKBENCH_TEST_CLOCK_OFFSET_MS.
import { performance } from 'node:perf_hooks';

const testOffsetMs = Number(process.env.STACKBENCH_TEST_CLOCK_OFFSET_MS ?? 0) || 0;

/** This process's wall clock in ms (epoch-based; shifted by STACKBENCH_TEST_CLOCK_OFFSET_MS in tests). */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now() + testOffsetMs;
}

export interface PingSample {
  /** Our clock when the ping left and when its answer arrived. */
  sentAt: number;
  receivedAt: number;
  /** The agent's clock when it answered. */
  agentClock: number;
}

export interface OffsetEstimate {
  /** The least round trip seen, ms. */
  rttMs: number;
  /** The agent's clock minus ours, ms. */
  offsetMs: number;
  /** The offset is known within +- this (half that round trip). */
  boundMs: number;
}

/** The estimate from the sample with the least round trip. */
export function estimateOffset(samples: PingSample[]): OffsetEstimate {
  if (samples.length === 0) throw new RangeError('no ping samples');
  let best = samples[0]!;
  for (const s of samples) if (s.receivedAt - s.sentAt < best.receivedAt - best.sentAt) best = s;
  const rttMs = best.receivedAt - best.sentAt;
  return { rttMs, offsetMs: best.agentClock - (best.sentAt + best.receivedAt) / 2, boundMs: rttMs / 2 };
}

/** Below this, an offset bound is always good enough: it is the timers' own jitter (1-2 ms) with room. */
export const MIN_OFFSET_BOUND_MS = 5;

/**
 * How well an agent's offset must be known before it may take part: 5 ms, or 1 % of the load's whole timeline
 * (warm-up and window), whichever is larger. A start error of e shifts one agent's share of the schedule by e,
 * so e / window of its requests fall outside the window the others share: at 1 % that is within the noise of
 * any rate we report. Under 5 ms the error is of the order of the timers' own lateness, whatever the window.
 */
export function offsetLimitMs(timelineMs: number): number {
  return Math.max(MIN_OFFSET_BOUND_MS, 0.01 * timelineMs);
}
