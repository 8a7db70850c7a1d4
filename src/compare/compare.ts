// compare: the user's own services measured as the lab measures its stacks — each started (or reached), checked
// to answer what will be sent, warmed until steady, then the closed-loop runs interleaved across the targets
// (A B C, A B C, ...: a drift of the machine over the run touches every target alike), then a capacity search
// under the SLO for each. Results are written after every point, in the same results.json the reports read.
import type { CpuPlan } from '../machine/cpuset.js';
import { PortAllocator } from '../machine/net.js';
import { sampleTree, waitIdle } from '../probes/proctree.js';
import type { CompareConfig, Results, StackRecord } from '../results/types.js';
import { capacity, closedRun, warm, type CellContext } from '../runner/cell.js';
import { loadOf } from '../runner/drive.js';
import { LOCAL_GENERATOR, type Generator } from '../runner/generator.js';
import type { Objective } from '../runner/objective.js';
import { recording, type Recorder, type RunEvent } from '../runner/record.js';
import type { Subject } from '../runner/subject.js';
import type { Suite } from '../runner/suites.js';
import { CUSTOM } from '../workloads.js';
import { requestOptions } from './requests.js';
import { startTarget, type RunningTarget } from './start.js';
import { checkTargets, isUrlTarget, type TargetSpec } from './targets.js';

export interface CompareOptions {
  targets: TargetSpec[];
  send: Pick<CompareConfig, 'requests' | 'values'>;
  suite: Suite;
  objective: Objective;
  /** Search each target's capacity under the SLO (on by default). */
  capacity: boolean;
  allowRemote?: string[];
  /** How long a target started by command may take to answer (default 30 s). */
  readyTimeoutMs?: number;
  cpus: CpuPlan;
  /** Where results.json is written as it is measured; none: kept in memory only. */
  outDir?: string;
  /** What sends every load: this host's engine unless agents (runner/generator.ts). */
  generator?: Generator;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

/** A target as results record it: what it is in the user's words, measured on its own requests only. */
function targetRecord(t: TargetSpec, r: RunningTarget): StackRecord {
  return {
    id: t.name,
    runtime: r.runtime,
    framework: 'your service',
    server: isUrlTarget(t) ? t.url : t.command,
    serverClass: 'unknown',
    model: isUrlTarget(t) ? 'reached by URL (not started by stackbench)' : 'started by stackbench',
    workerRule: 'as its command starts it',
    workers: 1,
    versions: {},
    available: true,
    verification: { [CUSTOM]: { status: 'pass' } },
  };
}

function targetSubject(t: RunningTarget, opts: CompareOptions): Subject {
  const send = requestOptions(t.origin, opts.send.requests, opts.send.values);
  const generator = opts.generator ?? LOCAL_GENERATOR;
  return {
    id: t.name,
    runtime: t.runtime,
    instances: 1,
    exited: () => t.proc?.exited ?? false,
    drive: (_workload, spec) => generator.send({ ...send, ...loadOf(spec), allowRemote: opts.allowRemote }),
    // A service reached by URL is not ours to watch: no idle check, no CPU or memory (reported as not sampled).
    settle: () => (t.proc ? waitIdle(t.proc.pid) : Promise.resolve(0)),
    sample: () =>
      t.proc ? sampleTree(t.proc.pid) : { stop: () => ({ cpuSeconds: 0, peakMiB: 0, processes: 0 }) },
  };
}

function compareConfig(opts: CompareOptions): Results['config'] {
  const { suite, objective } = opts;
  return {
    stacks: opts.targets.map((t) => t.name),
    workloads: [CUSTOM],
    durationMs: suite.durationMs,
    warmupMs: suite.warmupMs,
    repetitions: suite.repetitions,
    connections: suite.connections,
    sloP99Ms: objective.sloP99Ms,
    maxErrorRate: objective.maxErrorRate,
    probeMs: suite.probeMs,
    instances: [1],
    compare: {
      targets: opts.targets.map((t) =>
        isUrlTarget(t) ? { name: t.name, url: t.url } : { name: t.name, command: t.command },
      ),
      requests: opts.send.requests,
      ...(opts.send.values ? { values: opts.send.values } : {}),
    },
  };
}

/** compare's schedule: every target started, warmed, its headline runs interleaved (A B C, A B C), then capacity. */
export async function compareTargets(opts: CompareOptions): Promise<Results> {
  const allowRemote = opts.allowRemote ?? [];
  checkTargets(opts.targets, allowRemote);
  const how = { suite: opts.suite.name, config: compareConfig(opts), cpus: opts.cpus, outDir: opts.outDir };
  const running: RunningTarget[] = [];
  const watch = { signal: opts.signal, onEvent: opts.onEvent, generator: opts.generator };
  return recording({ ...how, ...watch }, async (record) => {
    if (opts.targets.some(isUrlTarget))
      record.results.notes.push(
        'a target reached by URL runs where it runs: its cores are not the server cores, and its CPU and memory are not sampled',
      );
    try {
      await startAll(opts, record, running, allowRemote);
      await measureAll(opts, record, running);
      noteExits(record, running);
    } finally {
      for (const r of running) await r.stop();
    }
  });
}

async function startAll(
  opts: CompareOptions,
  record: Recorder,
  running: RunningTarget[],
  allowRemote: string[],
): Promise<void> {
  const ports = new PortAllocator();
  for (const t of opts.targets) {
    record.emit({ type: 'stack', stack: t.name, note: isUrlTarget(t) ? `checking ${t.url}` : 'starting' });
    const r = await startTarget(t, opts.send, {
      cpus: opts.cpus.server,
      ports,
      allowRemote,
      signal: opts.signal,
      readyTimeoutMs: opts.readyTimeoutMs,
    });
    running.push(r);
    record.results.stacks.push(targetRecord(t, r));
    record.save();
  }
}

async function measureAll(opts: CompareOptions, record: Recorder, running: RunningTarget[]): Promise<void> {
  const { suite, signal } = opts;
  const ctx: CellContext = { suite, objective: opts.objective, record, signal };
  const subjects = running.map((r) => targetSubject(r, opts));
  // A target that died is measured no further (its capacity search stops, as a dead stack's does in run).
  const halted = (s: Subject) => () => signal?.aborted === true || s.exited();
  for (const s of subjects) {
    if (signal?.aborted) break;
    if (!s.exited()) await warm(ctx, s, CUSTOM);
  }
  const total = subjects.length * (suite.repetitions + (opts.capacity ? 1 : 0));
  let index = 0;
  const cell = (s: Subject) =>
    record.emit({ type: 'cell', stack: s.id, workload: CUSTOM, index: ++index, total });
  const rps = new Map<string, number[]>(subjects.map((s) => [s.id, []]));
  for (let rep = 0; rep < suite.repetitions && signal?.aborted !== true; rep++)
    for (const s of subjects) {
      if (halted(s)()) continue;
      cell(s);
      rps.get(s.id)!.push((await closedRun(ctx, s, CUSTOM, rep)).rps);
    }
  for (const s of opts.capacity ? subjects : []) {
    if (halted(s)()) continue;
    cell(s);
    await capacity(ctx, s, CUSTOM, rps.get(s.id)!, halted(s));
  }
}

/** A target started by command that exited during the run: a failure, with its last lines. */
function noteExits(record: Recorder, running: RunningTarget[]): void {
  for (const r of running)
    if (r.proc?.exited) {
      const why = `exited during the run (${r.proc.exitSignal ?? `code ${r.proc.exitCode}`})`;
      record.results.failures.push(`${r.name} ${why}`);
      const rec = record.results.stacks.find((x) => x.id === r.name);
      if (rec) rec.failure = { reason: why, log: r.proc.log().slice(-12) };
    }
}
