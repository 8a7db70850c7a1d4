// Warm-up until steady: short closed-loop chunks until throughput stops climbing (a JIT, a connection pool,
// a downstream's keep-alive all warm at their own pace; Node's fetch needs seconds), bounded in time.
// Nothing of it is recorded.
import { CHAT_RATE, WORKLOADS, type WorkloadId } from '../workloads.js';
import type { Subject } from './subject.js';

export const CHUNK_MS = 200;
/** Steady: the last 3 chunks within 15 % of one another, and the last no more than 5 % above the first. */
const WINDOW = 3;
const SPREAD = 1.15;
/**
 * A JIT runtime plateaus, then jumps when V8's optimizing tier kicks in (Express's /service: ~550 req/s for
 * 2 s, then ~1,500): it must serve this many requests before any plateau counts as steady.
 */
export const JIT_MIN_REQUESTS = 2000;

export async function warmUntilSteady(
  subject: Subject,
  workload: WorkloadId,
  connections: number,
  maxMs: number,
  signal?: AbortSignal,
): Promise<number[]> {
  const seen: number[] = [];
  // Chat: one second of traffic (each WebSocket chunk reconnects its clients: a chunked warm-up costs more).
  if (WORKLOADS[workload].protocol === 'ws') {
    const r = await subject.drive(workload, {
      model: 'open',
      connections,
      rate: CHAT_RATE,
      durationMs: Math.min(1000, maxMs),
      signal,
    });
    return [r.rps];
  }
  // Only where a unit is a request: a stream's hot path runs once per event, not per stream.
  const jit = subject.runtime === 'node' && WORKLOADS[workload].unit === 'req';
  const minRequests = jit ? JIT_MIN_REQUESTS : 0;
  let served = 0;
  // Bounded by chunks, not by the clock: each chunk lasts CHUNK_MS of load (and a simulated one none at all).
  while ((seen.length + 1) * CHUNK_MS <= maxMs && !signal?.aborted && !subject.exited()) {
    const r = await subject.drive(workload, { model: 'closed', connections, durationMs: CHUNK_MS, signal });
    seen.push(r.rps);
    served += r.requests;
    if (served < minRequests) continue;
    // A stack this slow (< 100 answers a chunk) has too few answers to judge by, and nothing a JIT could fix.
    if (r.requests < 100 && seen.length >= 2) break;
    const last = seen.slice(-WINDOW);
    const climbing = last[last.length - 1]! > last[0]! * 1.05;
    if (last.length === WINDOW && !climbing && Math.max(...last) <= Math.min(...last) * SPREAD) break;
  }
  return seen;
}
