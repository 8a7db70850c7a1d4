// The runner: stacks x workloads x points. Each stack runs alone on the server cores, is verified first (a
// workload that fails verification is not measured), then measured: closed-loop runs (the headline level
// `repetitions` times, other levels once) and a capacity search. results.json is rewritten after every point.
import { cpus as osCpus, platform, release, totalmem } from 'node:os';
import { StackbenchError } from '../errors.js';
import { startLab, type Lab } from '../lab/lab.js';
import {
  RESULTS_SCHEMA,
  RESULTS_VERSION,
  type Point,
  type Results,
  type StackRecord,
} from '../results/types.js';
import { writeResultsAtomic } from '../results/store.js';
import { startStack, type RunningStack } from '../stacks/adapter.js';
import { stackRecord } from '../stacks/describe.js';
import { pinSelf, planCpus } from '../stacks/cpuset.js';
import { PortAllocator } from '../stacks/net.js';
import { findPython, PY_PACKAGES } from '../stacks/python.js';
import type { StackId } from '../stacks/registry.js';
import { median } from '../analysis/stats.js';
import { checkWorkloads } from '../verify/verify.js';
import { CHAT_RATE, WORKLOADS, type WorkloadId } from '../workloads.js';
import { searchCapacity } from './capacity.js';
import { measurePoint } from './measure.js';
import { warmUntilSteady } from './warmup.js';
import type { Suite } from './suites.js';

export interface RunOptions {
  suite: Suite;
  stacks: StackId[];
  workloads: WorkloadId[];
  outDir: string;
  sloP99Ms: number;
  maxErrorRate: number;
  basePort?: number;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

export type RunEvent =
  | { type: 'stack'; stack: StackId; note: string }
  | { type: 'cell'; stack: StackId; workload: WorkloadId; index: number; total: number }
  | { type: 'load'; stack: StackId; workload: WorkloadId; phase: string; rps: number }
  | { type: 'point'; point: Point }
  | { type: 'skip'; stack: StackId; reason: string };

function newResults(opts: RunOptions): Results {
  const cpus = planCpus();
  const py = findPython(Object.keys(PY_PACKAGES)).info;
  return {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    tool: { name: 'stackbench', version: '0.1.0' },
    startedAt: new Date().toISOString(),
    status: 'running',
    suite: opts.suite.name,
    machine: {
      os: `${platform()} ${release()}`,
      cpuModel: osCpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus.all.length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.versions.node,
      python: py ? `${py.version} (${py.path})` : undefined,
      serverCpus: cpus.server,
      generatorCpus: cpus.generator,
      cpuNote: cpus.note,
    },
    config: {
      stacks: opts.stacks,
      workloads: opts.workloads,
      durationMs: opts.suite.durationMs,
      warmupMs: opts.suite.warmupMs,
      repetitions: opts.suite.repetitions,
      connections: opts.suite.connections,
      sloP99Ms: opts.sloP99Ms,
      maxErrorRate: opts.maxErrorRate,
      probeMs: opts.suite.probeMs,
      instances: [cpus.server.length],
    },
    stacks: [],
    points: [],
    capacities: [],
    notes: [],
  };
}

export async function runLab(opts: RunOptions): Promise<Results> {
  const results = newResults(opts);
  const { serverCpus, generatorCpus } = results.machine;
  const save = () => writeResultsAtomic(results, opts.outDir);
  if (serverCpus.join() !== generatorCpus.join() && !pinSelf(generatorCpus)) {
    results.notes.push(
      'taskset is missing: the generator could not be pinned; server and generator may share cores',
    );
  }
  if (serverCpus.join() === generatorCpus.join())
    results.notes.push(`${results.machine.cpuNote}: figures are lower bounds`);
  if (!opts.suite.searchAll) {
    const searched = opts.workloads.filter((w) => WORKLOADS[w].concurrency);
    results.notes.push(
      `${opts.suite.name} suite: capacity is searched where the claim is about concurrency (${searched.join(', ') || 'none here'}); --suite full searches every workload`,
    );
  }
  save();
  const ports = new PortAllocator(opts.basePort);
  let lab: Lab | undefined;
  try {
    lab = await startLab(opts.workloads, serverCpus, ports, opts.signal);
    results.machine.postgres = lab.postgres?.version;
    for (const [w, u] of Object.entries(lab.unavailable))
      results.notes.push(`${w}: not measured: ${u.missing} — fix: ${u.fix}`);
    const cells = opts.stacks.length * opts.workloads.length;
    let index = 0;
    for (const id of opts.stacks) {
      if (opts.signal?.aborted) break;
      const rec = stackRecord(id, serverCpus.length);
      results.stacks.push(rec);
      if (rec.failure) {
        results.notes.push(`${id}: not measured: ${rec.failure.reason} — fix: ${rec.failure.fix}`);
        opts.onEvent?.({ type: 'skip', stack: id, reason: rec.failure.reason });
        index += opts.workloads.length;
        save();
        continue;
      }
      await runStack(rec, lab, ports, opts, results, save, (w) =>
        opts.onEvent?.({ type: 'cell', stack: id, workload: w, index: ++index, total: cells }),
      );
      index = results.stacks.length * opts.workloads.length;
    }
    results.status = opts.signal?.aborted ? 'interrupted' : 'complete';
  } catch (e) {
    // Interrupted while starting something: keep what was measured and report it like any interruption.
    if (e instanceof StackbenchError && e.code === 'SB_INTERRUPTED') results.status = 'interrupted';
    else {
      results.status = 'failed';
      results.notes.push(`run failed: ${(e as Error).message}`);
      throw e;
    }
  } finally {
    await lab?.stop();
    results.finishedAt = new Date().toISOString();
    save();
  }
  return results;
}

async function runStack(
  rec: StackRecord,
  lab: Lab,
  ports: PortAllocator,
  opts: RunOptions,
  results: Results,
  save: () => void,
  onCell: (w: WorkloadId) => void,
): Promise<void> {
  const { signal } = opts;
  opts.onEvent?.({ type: 'stack', stack: rec.id, note: `starting ${rec.workers} instance(s)` });
  let running: RunningStack;
  try {
    running = await startStack(rec.id, {
      port: await ports.take(),
      cpus: results.machine.serverCpus,
      env: lab.env,
      signal,
    });
  } catch (e) {
    if (e instanceof StackbenchError && e.code !== 'SB_STACK_START') throw e;
    rec.failure = {
      reason: (e as Error).message.split('\n')[0]!,
      log: (e as Error).message.split('\n').slice(1),
    };
    results.notes.push(`${rec.id}: failed to start: ${rec.failure.reason}`);
    save();
    return;
  }
  try {
    rec.verification = await checkWorkloads(running.port, opts.workloads, lab, undefined, signal);
    save();
    for (const w of opts.workloads) {
      if (signal?.aborted) return;
      onCell(w);
      const v = rec.verification[w];
      if (v?.status !== 'pass') continue;
      await measureWorkload(running, w, opts, results, save);
      if (running.proc.exited) {
        rec.failure = {
          reason: `crashed during ${w} (${running.proc.exitSignal ?? `exit code ${running.proc.exitCode}`})`,
          log: running.proc.log(),
        };
        results.notes.push(`${rec.id}: ${rec.failure.reason}; the run went on without it`);
        save();
        return;
      }
    }
  } finally {
    await running.stop();
  }
}

async function measureWorkload(
  stack: RunningStack,
  workload: WorkloadId,
  opts: RunOptions,
  results: Results,
  save: () => void,
): Promise<void> {
  const { suite, signal } = opts;
  const base = {
    stack,
    workload,
    maxErrorRate: opts.maxErrorRate,
    signal,
    onProgress: (rps: number) => opts.onEvent?.({ type: 'load', stack: stack.id, workload, phase: '', rps }),
  };
  const record = async (p: Point) => {
    results.points.push(p);
    save();
    opts.onEvent?.({ type: 'point', point: p });
  };
  const [headline, ...levels] = suite.connections;
  // Chat has no closed loop: its headline runs hold the clients and send at a fixed message rate.
  const chat = WORKLOADS[workload].protocol === 'ws';
  const model = chat ? 'open' : 'closed';
  const rate = chat ? CHAT_RATE : undefined;
  await warmUntilSteady(stack, workload, headline!, suite.warmupMs, signal);
  const headlineRps: number[] = [];
  for (let rep = 0; rep < suite.repetitions && !signal?.aborted && !stack.proc.exited; rep++) {
    const p = await measurePoint({
      ...base,
      kind: 'closed',
      model,
      rate,
      connections: headline!,
      durationMs: suite.durationMs,
      warmupMs: suite.rewarmMs,
      rep,
    });
    headlineRps.push(p.rps);
    await record(p);
  }
  for (const c of levels) {
    if (signal?.aborted || stack.proc.exited) return;
    await record(
      await measurePoint({
        ...base,
        kind: 'closed',
        model,
        rate,
        connections: c,
        durationMs: suite.durationMs,
        warmupMs: suite.rewarmMs,
        rep: 0,
      }),
    );
  }
  if (signal?.aborted || stack.proc.exited || suite.probes === 0) return;
  if (!suite.searchAll && !WORKLOADS[workload].concurrency) return;
  const cap = await searchCapacity({
    ...base,
    durationMs: suite.probeMs,
    warmupMs: suite.rewarmMs,
    estimateRps: median(headlineRps),
    connections: headline!,
    // climbing from far below the ceiling: more probes to reach it (chat starts higher than a stream)
    probes: suite.probes + (WORKLOADS[workload].search === 'climb' ? (chat ? 1 : 2) : 0),
    sloP99Ms: opts.sloP99Ms,
    onPoint: record,
  });
  results.capacities.push(cap);
  save();
}
