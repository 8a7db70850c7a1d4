// One measured point: drive load at a running stack while sampling its process tree, and turn the engine's
// LoadResult into a Point with the flags that say when a figure must not be read as the server's.
import type { LoadResult, ModelName } from '../engine/types.js';
import { sampleTree, waitIdle } from '../probes/proctree.js';
import type { Point, PointKind } from '../results/types.js';
import type { RunningStack } from '../stacks/adapter.js';
import { instancesFree } from '../stacks/net.js';
import type { WorkloadId } from '../workloads.js';
import { drive } from './drive.js';

/** Below this many samples a p99 rests on a handful of requests: flagged, not hidden. */
export const MIN_SAMPLES = 1000;

export interface PointSpec {
  stack: RunningStack;
  workload: WorkloadId;
  kind: PointKind;
  model: ModelName;
  connections: number;
  rate?: number;
  durationMs: number;
  warmupMs: number;
  rep: number;
  maxErrorRate: number;
  signal?: AbortSignal;
  onProgress?: (rps: number, elapsedMs: number) => void;
}

export function errorRate(r: LoadResult): number {
  const failed = Object.values(r.errors).reduce((a, b) => a + b, 0);
  const attempts = r.requests + r.errors.connect + r.errors.reset + r.errors.timeout + r.errors.malformed;
  return attempts ? failed / attempts : 0;
}

/**
 * Idle: no CPU to speak of (src/probes/proctree.ts), and every instance free — a pre-fork worker sleeping
 * through an abandoned /io or /stream uses no CPU but cannot serve. Returns -1 when it never settled in 10 s.
 */
async function settle(stack: RunningStack): Promise<number> {
  const t0 = Date.now();
  if ((await waitIdle(stack.proc.pid)) < 0) return -1;
  while (Date.now() - t0 < 10_000 && !stack.proc.exited) {
    if (await instancesFree(stack.port, stack.workers, 20, 40)) return Date.now() - t0;
  }
  return -1;
}

export async function measurePoint(spec: PointSpec): Promise<Point> {
  // Start from an idle server: work left queued by the previous point is not this point's.
  const settled = await settle(spec.stack);
  // Sample the server only over the measured window: the warm-up's CPU is not the points' cost.
  let sampler: ReturnType<typeof sampleTree> | undefined;
  const startSampling = setTimeout(() => (sampler = sampleTree(spec.stack.proc.pid)), spec.warmupMs);
  let result: LoadResult;
  try {
    result = await drive(spec.stack, spec.workload, {
      model: spec.model,
      connections: spec.connections,
      rate: spec.rate,
      durationMs: spec.durationMs,
      warmupMs: spec.warmupMs,
      signal: spec.signal,
      onProgress: spec.onProgress,
    });
  } catch (e) {
    sampler?.stop();
    throw e;
  } finally {
    clearTimeout(startSampling);
  }
  const usage = (sampler ?? sampleTree(spec.stack.proc.pid)).stop();
  const ok = result.rps * (result.durationMs / 1000);
  const rate = errorRate(result);
  const flags: string[] = [];
  if (result.generator.saturated) flags.push('generator-saturated');
  if (result.latency.count < MIN_SAMPLES) flags.push('few-samples');
  if (rate > spec.maxErrorRate) flags.push('errors');
  if (spec.signal?.aborted) flags.push('interrupted');
  if (spec.stack.proc.exited) flags.push('server-exited');
  if (settled < 0) flags.push('not-idle');
  return {
    stack: spec.stack.id,
    workload: spec.workload,
    kind: spec.kind,
    model: spec.model,
    instances: spec.stack.cpus.length,
    connections: spec.connections,
    rate: spec.rate,
    rep: spec.rep,
    durationMs: result.durationMs,
    requests: result.requests,
    rps: result.rps,
    errorRate: rate,
    errors: result.errors,
    latency: result.latency,
    histogram: result.histogram,
    generator: result.generator,
    server: {
      cpuSeconds: usage.cpuSeconds,
      cpuUsPerRequest: ok > 0 ? (usage.cpuSeconds * 1e6) / ok : 0,
      peakRssMiB: Math.round(usage.peakMiB * 10) / 10,
      processes: usage.processes,
    },
    flags,
  };
}
