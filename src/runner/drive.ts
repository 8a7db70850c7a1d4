// Drive one load at a running stack, whatever the workload's protocol: HTTP through the HTTP/1.1 engine, chat
// through the WebSocket engine (its deliveries read as the completed units, its drops as timeouts), both
// returned as one LoadResult so points, flags, capacity and reports need not care which.
import { runLoad } from '../engine/index.js';
import type { LoadResult, ModelName } from '../engine/types.js';
import { runWsLoad } from '../engine/ws/index.js';
import type { RunningStack } from '../stacks/adapter.js';
import { CHAT_RATE, CHAT_ROOMS, WORKLOADS, type WorkloadId } from '../workloads.js';

export interface DriveSpec {
  model: ModelName;
  connections: number;
  /** HTTP open loop: requests/s; chat: messages/s in total (default CHAT_RATE). */
  rate?: number;
  durationMs: number;
  warmupMs?: number;
  signal?: AbortSignal;
  onProgress?: (unitsPerSec: number, elapsedMs: number) => void;
}

export async function drive(stack: RunningStack, workload: WorkloadId, spec: DriveSpec): Promise<LoadResult> {
  const w = WORKLOADS[workload];
  if (w.protocol === 'ws') return driveChat(stack, spec);
  return runLoad({
    url: `http://127.0.0.1:${stack.port}${w.path}`,
    method: w.method,
    headers: w.body ? { 'content-type': 'application/json' } : undefined,
    body: w.body?.(),
    model: spec.model,
    connections: spec.connections,
    rate: spec.rate,
    durationMs: spec.durationMs,
    warmupMs: spec.warmupMs,
    // A stream's own length is not a timeout.
    timeoutMs: 5000 + w.floorMs,
    signal: spec.signal,
    onProgress: (p) => spec.onProgress?.(p.rps, p.elapsedMs),
  });
}

async function driveChat(stack: RunningStack, spec: DriveSpec): Promise<LoadResult> {
  const url = `ws://127.0.0.1:${stack.port}${WORKLOADS.chat.path}`;
  const r = await runWsLoad({
    url,
    connections: spec.connections,
    connectRate: 2000,
    messageRate: spec.rate ?? CHAT_RATE,
    durationMs: spec.durationMs,
    warmupMs: spec.warmupMs,
    rooms: CHAT_ROOMS,
    // A delivery later than this after the window is a drop: three times the default SLO.
    graceMs: 300,
    signal: spec.signal,
    onProgress: (p) => spec.onProgress?.(p.deliveriesPerSec, p.elapsedMs),
  });
  const seconds = r.durationMs / 1000;
  return {
    url,
    model: 'open',
    connections: r.connections,
    durationMs: r.durationMs,
    requests: r.deliveries,
    rps: seconds > 0 ? r.deliveries / seconds : 0,
    bytesRead: 0,
    statusCodes: {},
    errors: {
      connect: r.connectionsFailed,
      reset: r.disconnects,
      timeout: r.drops,
      status: 0,
      malformed: r.errors + r.duplicates,
    },
    latency: r.latency,
    histogram: r.histogram,
    generator: r.generator,
  };
}
