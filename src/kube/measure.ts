// Measuring one step of a cluster run — the `measure` orchestrate.ts hands each (stack, N): the Job's agents,
// reached through their port-forwards, attached as one Coordinator over the tcp transport; a Subject that sends
// through it to the step's target (the stack's balancer, by its in-cluster name); per workload a warm-up and the
// capacity search of the one-host runner (runner/capacity.ts), unchanged. The connections close after the step
// without a bye, so each pod's `agent --listen` waits for the next step's coordinator.
//
// The server's CPU and memory are the cluster's, not sampled from here (the points say 0 processes). A replica
// that restarts is the orchestrator's to mark (StepRecord.fault). An agent lost ends the step's searches; since a
// Job's pod is never replaced, the later steps are not measured and say why.
import { median } from '../analysis/stats.js';
import { Coordinator, type AgentSpec } from '../dist/index.js';
import { transports } from '../dist/transports/index.js';
import { StackbenchError } from '../errors.js';
import type { AgentHost, Capacity, Point } from '../results/types.js';
import { searchCapacity } from '../runner/capacity.js';
import { driveAt } from '../runner/drive.js';
import { agentsGenerator, type Generator } from '../runner/generator.js';
import type { Objective } from '../runner/objective.js';
import type { Subject } from '../runner/subject.js';
import type { Suite } from '../runner/suites.js';
import { warmUntilSteady } from '../runner/warmup.js';
import { isWsgi, stackDef } from '../stacks/registry.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';
import type { AgentEndpoint, Measure, MeasureStep } from './orchestrate.js';

export interface KubeMeasureOptions {
  suite: Suite;
  objective: Objective;
  /** Searched at every step, in this order. */
  workloads: WorkloadId[];
  /** Each point as it is measured (progress). */
  onPoint?: (step: MeasureStep, p: Point) => void;
}

/** One workload at one step: its probes, and the capacity they found (or why there is none). */
export interface KubeWorkloadResult {
  workload: WorkloadId;
  points: Point[];
  capacity?: Capacity;
  skipped?: string;
}

/** What a step records (StepRecord.result): the agents that measured it, and each workload's search. */
export interface KubeStepResult {
  agents: AgentHost[];
  workloads: KubeWorkloadResult[];
  /** The generator failed during (or before) this step: which agent, when, why. Its figures stand for nothing. */
  lost?: string;
}

const NOT_SAMPLED = { stop: () => ({ cpuSeconds: 0, peakMiB: 0, processes: 0 }) };

/** The stack behind the step's target as a subject: load through the agents, its cost not ours to sample. */
export function clusterSubject(step: MeasureStep, generator: Generator, chatGraceMs: number): Subject {
  const target = new URL(step.target);
  return {
    id: step.stack,
    runtime: stackDef(step.stack)?.runtime ?? 'other',
    instances: step.n,
    exited: () => false,
    drive: (workload, spec) => driveAt(target.host, workload, spec, chatGraceMs, generator.send),
    settle: async () => 0,
    sample: () => NOT_SAMPLED,
  };
}

/** A forwarded agent as the tcp transport reaches it, labelled with its pod. */
async function attach(agents: AgentEndpoint[]): Promise<Coordinator> {
  const links = await Promise.all(
    agents.map(async (a) => {
      const spec: AgentSpec = { kind: 'tcp', target: `${a.host}:${a.port}` };
      const link = await transports.tcp(spec, { allowRemote: [] }).catch((e: Error) => {
        throw new StackbenchError('SB_AGENT_NOT_READY', [`${a.index} (${a.pod})`, e.message]);
      });
      return { ...link, label: a.pod };
    }),
  );
  return Coordinator.attach(links);
}

async function searchOne(
  o: KubeMeasureOptions,
  step: MeasureStep,
  subject: Subject,
  workload: WorkloadId,
  ctx: { generator: Generator; signal: AbortSignal },
): Promise<KubeWorkloadResult> {
  if (WORKLOADS[workload].protocol === 'ws' && isWsgi(stackDef(step.stack) ?? { serverClass: 'unknown' }))
    return { workload, points: [], skipped: 'not supported: WebSocket on a WSGI server' };
  const { suite, objective } = o;
  const points: Point[] = [];
  const headline = suite.connections[0]!;
  const warm = await warmUntilSteady(subject, workload, headline, suite.warmupMs, ctx.signal);
  const capacity = await searchCapacity({
    subject,
    workload,
    objective,
    signal: ctx.signal,
    estimateRps: median(warm) || 100,
    connections: headline,
    probes: suite.probes,
    precision: suite.precision,
    durationMs: suite.scalingProbeMs,
    warmupMs: suite.rewarmMs,
    onPoint: async (p) => {
      const kept: Point = { ...p, kind: 'scaling' };
      points.push(kept);
      o.onPoint?.(step, kept);
    },
    halted: () => ctx.generator.lost() !== undefined,
  });
  return { workload, points, ...(ctx.generator.lost() ? {} : { capacity }) };
}

/** The measure `run --kube` registers (seam.ts): one Coordinator per step over the forwarded agents. */
export function kubeMeasure(o: KubeMeasureOptions): Measure<KubeStepResult> {
  let lostBefore: string | undefined;
  return async (step) => {
    if (lostBefore)
      return { agents: [], workloads: [], lost: `not measured: ${lostBefore} in an earlier step` };
    const coordinator = await attach(step.agents);
    const { generator, signal, release } = agentsGenerator(coordinator, step.signal);
    const subject = clusterSubject(step, generator, o.objective.chatGraceMs);
    const out: KubeStepResult = { agents: generator.agents ?? [], workloads: [] };
    try {
      for (const w of o.workloads) {
        if (signal.aborted) break;
        out.workloads.push(await searchOne(o, step, subject, w, { generator, signal }));
      }
    } catch (e) {
      if (!(e instanceof StackbenchError && e.code === 'SB_INTERRUPTED' && generator.lost())) throw e;
    } finally {
      release();
      await coordinator.close({ keepAgents: true });
    }
    if (step.signal.aborted) throw new StackbenchError('SB_INTERRUPTED');
    const lost = generator.lost();
    if (lost) {
      out.lost = lost;
      lostBefore = lost;
    }
    return out;
  };
}
