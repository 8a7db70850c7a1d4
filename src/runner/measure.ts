// One measured point: drive load at a subject while sampling its process tree, and turn the engine's LoadResult
// into a Point with the flags that say when a figure must not be read as the server's.
import { errorRate } from '../engine/result.js';
import type { LoadResult, ModelName } from '../engine/types.js';
import type { TreeUsage } from '../probes/proctree.js';
import type { Point, PointKind } from '../results/types.js';
import type { WorkloadId } from '../workloads.js';
import { pointAgents } from './generator.js';
import type { Objective } from './objective.js';
import type { Subject } from './subject.js';

/** Below this many samples a p99 rests on a handful of requests: flagged, not hidden. */
export const MIN_SAMPLES = 1000;

export interface PointSpec {
  subject: Subject;
  workload: WorkloadId;
  kind: PointKind;
  model: ModelName;
  connections: number;
  rate?: number;
  durationMs: number;
  warmupMs: number;
  rep: number;
  objective: Objective;
  signal?: AbortSignal;
  onProgress?: (rps: number, elapsedMs: number) => void;
  /** Another path than the workload's own (the sweep's sizes), and its method. */
  path?: string;
  method?: 'GET' | 'POST';
}

export async function measurePoint(spec: PointSpec): Promise<Point> {
  const { subject } = spec;
  // Start from an idle server: work left queued by the previous point is not this point's.
  const settled = await subject.settle();
  // Sample the server only over the measured window: the warm-up's CPU is not the point's cost, nor is the
  // drain after it (an overloaded probe's queue, worked off after the window closed: it read as 2.8 cores on
  // a 1-core server). The window is timed from the generator's first send, not from this call: on a loaded
  // machine a worker thread's boot outlasted a 300 ms window, and the server's cost read as zero.
  let sampler: { stop(): TreeUsage } | undefined;
  let usage: TreeUsage | undefined;
  let startSampling: NodeJS.Timeout | undefined;
  let stopSampling: NodeJS.Timeout | undefined;
  const onBegin = () => {
    if (startSampling) return;
    startSampling = setTimeout(() => (sampler = subject.sample()), spec.warmupMs);
    stopSampling = setTimeout(() => (usage = sampler?.stop()), spec.warmupMs + spec.durationMs);
  };
  let result: LoadResult;
  try {
    const { subject: _s, workload, kind: _k, rep: _r, objective: _o, ...drive } = spec;
    result = await subject.drive(workload, { ...drive, onBegin });
  } catch (e) {
    if (!usage) sampler?.stop();
    throw e;
  } finally {
    clearTimeout(startSampling);
    clearTimeout(stopSampling);
  }
  usage ??= (sampler ?? subject.sample()).stop();
  const ok = result.rps * (result.durationMs / 1000);
  const rate = errorRate(result);
  const flags: string[] = [];
  if (result.generator.saturated) flags.push('generator-saturated');
  // An agent's share is missing: not the planned load, so no figure (its search stops with it).
  if (result.agents?.some((a) => a.lost)) flags.push('generator-lost');
  if (result.latency.count < MIN_SAMPLES) flags.push('few-samples');
  if (rate > spec.objective.maxErrorRate) flags.push('errors');
  if (spec.signal?.aborted) flags.push('interrupted');
  if (subject.exited()) flags.push('server-exited');
  if (settled < 0) flags.push('not-idle');
  return {
    stack: subject.id,
    workload: spec.workload,
    kind: spec.kind,
    model: spec.model,
    instances: subject.instances,
    connections: spec.connections,
    rate: spec.rate,
    rep: spec.rep,
    durationMs: result.durationMs,
    requests: result.requests,
    rps: result.rps,
    windowRps: result.windowRps,
    errorRate: rate,
    errors: result.errors,
    latency: result.latency,
    histogram: result.histogram,
    generator: result.generator,
    server: {
      cpuSeconds: usage.cpuSeconds,
      cpuUsPerRequest: ok > 0 ? (usage.cpuSeconds * 1e6) / ok : 0,
      peakPssMiB: Math.round(usage.peakMiB * 10) / 10,
      processes: usage.processes,
    },
    flags,
    ...(result.agents ? { agents: pointAgents(result) } : {}),
  };
}
