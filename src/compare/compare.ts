// compare: the user's own services measured as the lab measures its stacks — each started (or reached), checked
// to answer what will be sent, warmed until steady, then the closed-loop runs interleaved across the targets
// (A B C, A B C, ...: a drift of the machine over the run touches every target alike), then a capacity search
// under the SLO for each. Results are written after every point, in the same results.json the reports read.
import { StackbenchError } from '../errors.js';
import { runLoad } from '../engine/index.js';
import { pinSelf, planCpus } from '../machine/cpuset.js';
import { PortAllocator } from '../machine/net.js';
import { sampleTree, waitIdle } from '../probes/proctree.js';
import { describeMachine, newResults } from '../results/new.js';
import { writeResultsAtomic } from '../results/store.js';
import type { CompareConfig, Results, StackRecord } from '../results/types.js';
import { median } from '../analysis/stats.js';
import { searchCapacity } from '../runner/capacity.js';
import { measurePoint } from '../runner/measure.js';
import type { RunEvent } from '../runner/runner.js';
import type { Subject } from '../runner/subject.js';
import type { Suite } from '../runner/suites.js';
import { warmUntilSteady } from '../runner/warmup.js';
import { CUSTOM } from '../workloads.js';
import { requestOptions } from './requests.js';
import { startTarget, type RunningTarget } from './start.js';
import { checkTargets, isUrlTarget, type TargetSpec } from './targets.js';

export interface CompareOptions {
  targets: TargetSpec[];
  send: Pick<CompareConfig, 'requests' | 'values'>;
  suite: Suite;
  sloP99Ms: number;
  maxErrorRate: number;
  /** Search each target's capacity under the SLO (on by default). */
  capacity: boolean;
  allowRemote?: string[];
  /** How long a target started by command may take to answer (default 30 s). */
  readyTimeoutMs?: number;
  cpus?: { server?: number[]; generator?: number[] };
  /** Where results.json is written as it is measured; none: kept in memory only. */
  outDir?: string;
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
  return {
    id: t.name,
    runtime: t.runtime,
    instances: 1,
    exited: () => t.proc?.exited ?? false,
    drive: (_workload, spec) =>
      runLoad({
        ...send,
        model: spec.model,
        connections: spec.connections,
        rate: spec.rate,
        durationMs: spec.durationMs,
        warmupMs: spec.warmupMs,
        signal: spec.signal,
        allowRemote: opts.allowRemote,
        onProgress: (p) => spec.onProgress?.(p.rps, p.elapsedMs),
      }),
    // A service reached by URL is not ours to watch: no idle check, no CPU or memory (reported as not sampled).
    settle: () => (t.proc ? waitIdle(t.proc.pid) : Promise.resolve(0)),
    sample: () =>
      t.proc ? sampleTree(t.proc.pid) : { stop: () => ({ cpuSeconds: 0, peakMiB: 0, processes: 0 }) },
  };
}

export async function compareTargets(opts: CompareOptions): Promise<Results> {
  const allowRemote = opts.allowRemote ?? [];
  checkTargets(opts.targets, allowRemote);
  const { suite, signal } = opts;
  const cpus = planCpus(opts.cpus);
  const results = newResults(suite.name, describeMachine(cpus), {
    stacks: opts.targets.map((t) => t.name),
    workloads: [CUSTOM],
    durationMs: suite.durationMs,
    warmupMs: suite.warmupMs,
    repetitions: suite.repetitions,
    connections: suite.connections,
    sloP99Ms: opts.sloP99Ms,
    maxErrorRate: opts.maxErrorRate,
    probeMs: suite.probeMs,
    instances: [1],
    compare: {
      targets: opts.targets.map((t) =>
        isUrlTarget(t) ? { name: t.name, url: t.url } : { name: t.name, command: t.command },
      ),
      requests: opts.send.requests,
      ...(opts.send.values ? { values: opts.send.values } : {}),
    },
  });
  const save = () => {
    if (opts.outDir) writeResultsAtomic(results, opts.outDir);
  };
  if (cpus.server.join() !== cpus.generator.join() && !pinSelf(cpus.generator))
    results.notes.push(
      'taskset is missing: the generator could not be pinned; targets and generator may share cores',
    );
  if (opts.targets.some(isUrlTarget))
    results.notes.push(
      'a target reached by URL runs where it runs: its cores are not the server cores, and its CPU and memory are not sampled',
    );
  save();
  const running: RunningTarget[] = [];
  const ports = new PortAllocator();
  const headline = suite.connections[0]!;
  const halted = () => signal?.aborted === true;
  try {
    for (const t of opts.targets) {
      opts.onEvent?.({
        type: 'stack',
        stack: t.name,
        note: isUrlTarget(t) ? `checking ${t.url}` : 'starting',
      });
      const r = await startTarget(t, opts.send, {
        cpus: cpus.server,
        ports,
        allowRemote,
        signal,
        readyTimeoutMs: opts.readyTimeoutMs,
      });
      running.push(r);
      results.stacks.push(targetRecord(t, r));
      save();
    }
    const subjects = running.map((r) => targetSubject(r, opts));
    for (const s of subjects) {
      if (halted()) break;
      await warmUntilSteady(s, CUSTOM, headline, suite.warmupMs, signal);
    }
    const total = subjects.length * (suite.repetitions + (opts.capacity ? 1 : 0));
    let index = 0;
    for (let rep = 0; rep < suite.repetitions && !halted(); rep++) {
      for (const s of subjects) {
        if (halted() || s.exited()) continue;
        opts.onEvent?.({ type: 'cell', stack: s.id, workload: CUSTOM, index: ++index, total });
        const p = await measurePoint({
          subject: s,
          workload: CUSTOM,
          kind: 'closed',
          model: 'closed',
          connections: headline,
          durationMs: suite.durationMs,
          warmupMs: suite.rewarmMs,
          rep,
          maxErrorRate: opts.maxErrorRate,
          signal,
        });
        results.points.push(p);
        save();
      }
    }
    for (const s of opts.capacity ? subjects : []) {
      if (halted() || s.exited()) continue;
      opts.onEvent?.({ type: 'cell', stack: s.id, workload: CUSTOM, index: ++index, total });
      const rps = results.points.filter((p) => p.stack === s.id && p.kind === 'closed').map((p) => p.rps);
      const cap = await searchCapacity({
        subject: s,
        workload: CUSTOM,
        estimateRps: median(rps) || 100,
        connections: headline,
        probes: suite.probes,
        precision: suite.precision,
        sloP99Ms: opts.sloP99Ms,
        maxErrorRate: opts.maxErrorRate,
        durationMs: suite.probeMs,
        warmupMs: suite.rewarmMs,
        signal,
        onPoint: async (p) => {
          results.points.push(p);
          save();
        },
      });
      results.capacities.push(cap);
      save();
    }
    for (const r of running)
      if (r.proc?.exited) {
        const why = `exited during the run (${r.proc.exitSignal ?? `code ${r.proc.exitCode}`})`;
        results.failures.push(`${r.name} ${why}`);
        const rec = results.stacks.find((x) => x.id === r.name)!;
        rec.failure = { reason: why, log: r.proc.log().slice(-12) };
      }
    results.status = halted() ? 'interrupted' : 'complete';
  } catch (e) {
    if (e instanceof StackbenchError && e.code === 'SB_INTERRUPTED') results.status = 'interrupted';
    else {
      results.status = 'failed';
      throw e;
    }
  } finally {
    for (const r of running) await r.stop();
    results.finishedAt = new Date().toISOString();
    save();
  }
  return results;
}
