// Suites: how long and how often each figure is measured. quick answers the article in minutes on a laptop;
// full follows TechEmpower's concurrency levels and searches capacity finely.
import { StackbenchError } from '../errors.js';
import type { SuiteName } from '../results/types.js';

export interface Suite {
  name: SuiteName;
  warmupMs: number;
  durationMs: number;
  repetitions: number;
  /** Closed-loop levels; the first is the headline level (measured `repetitions` times, others once). */
  connections: number[];
  /** Open-loop probes of the capacity search, and their duration. */
  probes: number;
  probeMs: number;
}

export const SUITES: Record<SuiteName, Suite> = {
  quick: { name: 'quick', warmupMs: 400, durationMs: 1000, repetitions: 3, connections: [64], probes: 2, probeMs: 1000 },
  full: {
    name: 'full',
    warmupMs: 2000,
    durationMs: 5000,
    repetitions: 5,
    connections: [64, 16, 32, 128, 256, 512],
    probes: 6,
    probeMs: 3000,
  },
};

export function suiteByName(name: string): Suite {
  if (name !== 'quick' && name !== 'full') throw new StackbenchError('SB_UNKNOWN_SUITE', [name]);
  return SUITES[name];
}

/** Planned seconds for one (stack, workload) cell: for the progress line's time left. */
export function cellSeconds(s: Suite): number {
  const closed = s.warmupMs + s.durationMs * (s.repetitions + s.connections.length - 1);
  return (closed + s.probes * (s.probeMs + 300)) / 1000;
}
