// Drive one load at a stack's port, whatever the workload's protocol: the engine takes an http:// URL to its
// HTTP/1.1 shards and a ws:// URL (chat) to its WebSocket session, and returns one LoadResult either way. It is
// sent by the run's generator (`send`): this host's engine, or the agents (generator.ts).
import type { LoadOptions, LoadResult } from '../engine/types.js';
import { CHAT_ROOMS, WORKLOADS, type WorkloadId } from '../workloads.js';
import { LOCAL_GENERATOR, type Send } from './generator.js';
import type { DriveSpec } from './subject.js';

/** What every load of a drive spec shares, whatever it is sent to. */
export function loadOf(spec: DriveSpec) {
  return {
    model: spec.model,
    connections: spec.connections,
    rate: spec.rate,
    durationMs: spec.durationMs,
    warmupMs: spec.warmupMs,
    signal: spec.signal,
    onProgress: (p: { rps: number; elapsedMs: number }) => spec.onProgress?.(p.rps, p.elapsedMs),
    ...(spec.onBegin ? { onBegin: spec.onBegin } : {}),
    ...(spec.timelineMs ? { timelineMs: spec.timelineMs, threads: 1 } : {}),
  };
}

export function driveStack(
  port: number,
  workload: WorkloadId,
  spec: DriveSpec,
  chatGraceMs: number,
  send: Send = LOCAL_GENERATOR.send,
): Promise<LoadResult> {
  return driveAt(`127.0.0.1:${port}`, workload, spec, chatGraceMs, send);
}

/** The same at HOST:PORT: a stack reached elsewhere (a cluster's balancer, by its in-cluster name). */
export function driveAt(
  hostPort: string,
  workload: WorkloadId,
  spec: DriveSpec,
  chatGraceMs: number,
  send: Send,
): Promise<LoadResult> {
  return send(loadFor(hostPort, workload, spec, chatGraceMs));
}

/** The engine's options for a drive spec of a workload at HOST:PORT (ws:// for chat, http:// otherwise). */
export function loadFor(
  hostPort: string,
  workload: WorkloadId,
  spec: DriveSpec,
  chatGraceMs: number,
): LoadOptions {
  const w = WORKLOADS[workload];
  const common = loadOf(spec);
  if (w.protocol === 'ws') {
    return {
      ...common,
      url: `ws://${hostPort}${w.path}`,
      // A delivery later than the grace after the window is a drop: the grace follows the SLO.
      ws: { rooms: CHAT_ROOMS, connectRate: 2000, graceMs: chatGraceMs, reconnect: spec.reconnect ?? false },
    };
  }
  return {
    ...common,
    url: `http://${hostPort}${spec.path ?? w.path}`,
    method: spec.method ?? w.method,
    ...(w.body && spec.method !== 'GET'
      ? { headers: { 'content-type': 'application/json' }, body: w.body() }
      : {}),
    // A stream's own length is not a timeout.
    timeoutMs: 5000 + w.floorMs,
  };
}
