// What the runner measures: a subject it can drive load at, sample and wait on. A running stack is one; the
// simulated server of engine/mock.ts is another (so the warm-up and the capacity search have fast, deterministic
// tests); replicas behind a balancer are a third.
import type { LoadResult, ModelName } from '../engine/types.js';
import { simulateLoad, type SimServer } from '../engine/mock.js';
import { instancesFree } from '../machine/net.js';
import { sampleTree, waitIdle, type TreeUsage } from '../probes/proctree.js';
import type { Deployment } from '../lab/deployment.js';
import type { RunningStack } from '../stacks/adapter.js';
import type { Runtime, StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import { driveStack } from './drive.js';
import type { Send } from './generator.js';

export interface DriveSpec {
  model: ModelName;
  connections: number;
  /** Open loop: requests/s; chat: messages/s in total. */
  rate?: number;
  durationMs: number;
  warmupMs?: number;
  signal?: AbortSignal;
  onProgress?: (unitsPerSec: number, elapsedMs: number) => void;
  /** Traffic started (the warm-up's first send): LoadOptions.onBegin. */
  onBegin?: () => void;
  /** A fault's timeline: answers and errors per slice of this many ms. */
  timelineMs?: number;
  /** Chat: members the server drops join again (a replica killed). */
  reconnect?: boolean;
  /** Another path than the workload's own (the sweep's sizes), sent with this method (GET: no body). */
  path?: string;
  method?: 'GET' | 'POST';
}

export interface Subject {
  id: StackId;
  runtime: Runtime;
  /** Server cores it was given: the N of its instance rule. */
  instances: number;
  /** Its server processes (a pre-fork server's workers), where known: each warms its own caches. */
  workers?: number;
  exited(): boolean;
  drive(workload: WorkloadId, spec: DriveSpec): Promise<LoadResult>;
  /** Wait until it is idle and every instance is free to serve; ms waited, or -1 when it never settled. */
  settle(): Promise<number>;
  /** Sample its CPU and memory from now; stop() gives the usage over the window. */
  sample(): { stop(): TreeUsage };
}

/**
 * A running stack as a subject. Idle: no CPU to speak of (probes/proctree.ts), and every instance free — a
 * pre-fork worker sleeping through an abandoned /io or /stream uses no CPU but cannot serve.
 */
export function stackSubject(
  stack: RunningStack,
  runtime: Runtime,
  chatGraceMs: number,
  /** The run's generator (this host's engine unless --agents). */
  send?: Send,
): Subject {
  return {
    id: stack.id,
    runtime,
    instances: stack.cpus.length,
    workers: stack.workers,
    exited: () => stack.proc.exited,
    drive: (workload, spec) => driveStack(stack.port, workload, spec, chatGraceMs, send),
    settle: () => settleStack(stack),
    sample: () => sampleTree(stack.proc.pid),
  };
}

/** Idle and free: no CPU to speak of, then every instance answers at once (see stackSubject). */
async function settleStack(stack: RunningStack, cores = 1): Promise<number> {
  const t0 = Date.now();
  if ((await waitIdle(stack.proc.pid, 10_000, cores)) < 0) return -1;
  // "Free" is asked on /io: a user's stack that does not implement it is settled once idle.
  const user = stack.def.user;
  if (user && !user.implements.includes('io')) return Date.now() - t0;
  while (Date.now() - t0 < 10_000 && !stack.proc.exited) {
    if (await instancesFree(stack.port, stack.workers, 20, 40)) return Date.now() - t0;
  }
  return -1;
}

/**
 * A deployment of the scaling study as one subject: load goes to its balancer (or the native stack), its cost
 * is every member's process tree together (the balancer's is measured apart), and it is idle when all are.
 */
export function deploymentSubject(
  dep: Deployment,
  runtime: Runtime,
  chatGraceMs: number,
  /** Replicas the balancer sends to (the first `active`, or these indices; the others set aside): all by default. */
  active: number | readonly number[] = dep.members.length,
): Subject {
  const first = dep.members[0]!;
  const members =
    typeof active === 'number' ? dep.members.slice(0, active) : active.map((i) => dep.members[i]!);
  return {
    id: first.id,
    runtime,
    instances: dep.form === 'native' ? dep.n : members.length,
    exited: () => members.some((m) => m.proc.exited),
    drive: (workload, spec) => driveStack(dep.port, workload, spec, chatGraceMs),
    async settle() {
      // Under a quota each member may use only its share of a core: idle is judged against that. Without one
      // (the split study, a warm-up) a busy member shows in a 50 ms window, as any unthrottled process does.
      const plan = dep.plan;
      const cores = dep.limited()
        ? plan.coresEach * (dep.form === 'native' ? dep.n : 1)
        : Math.max(1, plan.coresEach);
      const waits = await Promise.all(members.map((m) => settleStack(m, cores)));
      return waits.some((w) => w < 0) ? -1 : Math.max(0, ...waits);
    },
    sample() {
      const samplers = members.map((m) => sampleTree(m.proc.pid));
      return {
        stop: () =>
          samplers
            .map((s) => s.stop())
            .reduce(
              (a, u) => ({
                cpuSeconds: a.cpuSeconds + u.cpuSeconds,
                peakMiB: a.peakMiB + u.peakMiB,
                processes: a.processes + u.processes,
              }),
              { cpuSeconds: 0, peakMiB: 0, processes: 0 },
            ),
      };
    },
  };
}

/** A simulated server as a subject: no process, no sockets, the same answers every time. */
export function simulatedSubject(sim: SimServer, id = 'simulated', runtime: Runtime = 'node'): Subject {
  let calls = 0;
  return {
    id,
    runtime,
    instances: 1,
    exited: () => false,
    drive: async (_workload, spec) => simulateLoad(sim, { ...spec, url: 'http://127.0.0.1:1/sim' }, calls++),
    settle: async () => 0,
    sample: () => ({ stop: () => ({ cpuSeconds: 0, peakMiB: 0, processes: 1 }) }),
  };
}
