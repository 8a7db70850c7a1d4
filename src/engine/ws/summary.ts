// The human summary of a WebSocket run, as the `load --ws` command prints it at the end.
import type { WsLoadResult } from './types.js';

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ms';
const pct = (part: number, whole: number) => (whole > 0 ? ((part / whole) * 100).toFixed(2) : '0.00') + '%';

export function formatWsSummary(r: WsLoadResult): string {
  const secs = r.durationMs / 1000;
  const p = r.latency.percentilesMs;
  const lines = [
    `WebSocket load on ${r.url} for ${secs}s`,
    `  connections  ${r.connectionsOpened} open of ${r.connections} (${r.connectionsFailed} failed) in ${r.rooms} room(s), ` +
      `connected in ${(r.connectMs / 1000).toFixed(2)}s`,
    `  messages     ${r.messagesSent} sent (${(r.messagesSent / secs).toFixed(1)}/s)`,
    `  deliveries   ${r.deliveries} of ${r.expectedDeliveries} expected (${(r.deliveries / secs).toFixed(1)}/s), ` +
      `drops ${r.drops} (${pct(r.drops, r.expectedDeliveries)}), duplicates ${r.duplicates}`,
    `  disconnects  ${r.disconnects}, errors ${r.errors}`,
    `  latency      p50 ${ms(p['50'] ?? 0)}  p90 ${ms(p['90'] ?? 0)}  p99 ${ms(p['99'] ?? 0)}  ` +
      `p99.9 ${ms(p['99.9'] ?? 0)}  max ${ms(r.latency.maxMs)}`,
    `  generator    CPU ${r.generator.cpuPercent.toFixed(0)}% of one core, ` +
      `${r.generator.achievedRps.toFixed(1)} of ${r.generator.intendedRps ?? 0} msg/s intended`,
  ];
  if (r.generator.saturated) lines.push(`  WARNING: the generator was the limit (${r.generator.reason})`);
  return lines.join('\n');
}
