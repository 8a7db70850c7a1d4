// Generator health of the WebSocket engine: its CPU, the cores it may use, and whether it (not the server)
// limited the figures: fewer messages sent than intended, a busy event loop, or sends that left late.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { GeneratorHealth } from '../types.js';

/** Cores in this process's affinity mask (taskset), from /proc; all cores where /proc is missing. */
export function allowedCores(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
    if (!list) return availableParallelism();
    let n = 0;
    for (const part of list.split(',')) {
      const [a, b] = part.split('-').map(Number);
      n += b === undefined ? 1 : b - a! + 1;
    }
    return n;
  } catch {
    return availableParallelism();
  }
}

export interface HealthInput {
  cpuMicros: number;
  wallMs: number;
  intendedRate: number;
  sent: number;
  lateSends: number;
  unsent: number;
}

export function wsHealth(h: HealthInput): GeneratorHealth {
  const cores = allowedCores();
  const wallS = h.wallMs / 1000;
  const cpuPercent = wallS > 0 ? (h.cpuMicros / 1e6 / wallS) * 100 : 0;
  const achievedRps = wallS > 0 ? h.sent / wallS : 0;
  const reasons: string[] = [];
  // One JS thread runs the whole engine, so a thread near 100 % is the limit whatever the core count.
  if (cpuPercent >= 90) reasons.push(`generator CPU at ${cpuPercent.toFixed(0)}% of one core`);
  if (h.intendedRate > 0 && achievedRps < 0.95 * h.intendedRate) {
    reasons.push(`sent ${achievedRps.toFixed(1)} msg/s of ${h.intendedRate} intended`);
  }
  if (h.sent > 0 && h.lateSends / h.sent > 0.05) {
    reasons.push(`${((h.lateSends / h.sent) * 100).toFixed(1)}% of messages left more than 5 ms late`);
  }
  return {
    cpuPercent,
    cores,
    threads: 1,
    intendedRps: h.intendedRate,
    achievedRps,
    lateSends: h.lateSends,
    unsent: h.unsent,
    saturated: reasons.length > 0,
    reason: reasons.join('; '),
  };
}
