// run(): the main job as a function — verify, measure, analyse, apply the gates, write the reports — for the
// `run` command and for programs that use stackbench as a library. Its options are checked against the same
// fields the command's flags come from (src/options/run.ts), so both accept and refuse exactly the same; every
// problem is a StackbenchError naming the fix, before anything starts.
import { GUARD_MS } from '../runner/split-drive.js';
import { resolve } from 'node:path';
import type { AgentSpec } from '../dist/index.js';
import { StackbenchError } from '../errors.js';
import type { GateOptions } from '../gates/index.js';
import { affinityOf, pinSelf, planCpus } from '../machine/cpuset.js';
import {
  byKey,
  checkOptions,
  RUN_FIELDS,
  type CheckedRun,
  type Naming,
  type RunSettings,
} from '../options/index.js';
import { prepareOutDir } from '../results/store.js';
import type { Results } from '../results/types.js';
import { agentSpecsOf, assertAgentsReach, withGenerator } from '../runner/generator.js';
import { objectiveOf } from '../runner/objective.js';
import { runLab, type RunOptions as LabOptions } from '../runner/runner.js';
import { scalingBlocker, type ScalingOptions } from '../runner/scaling.js';
import { suiteByName, type Suite } from '../runner/suites.js';
import type { SweepOptions } from '../runner/sweep.js';
import { BUILTIN_IDS, classLeaders, type StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import { finishJob, gatesOf, stamp, type JobCallbacks, type JobOutput } from './job.js';
import { resolveSelection } from './select.js';

export type { RunEvent } from '../runner/runner.js';

/** The options of a run (src/options/run.ts states each: its range, default and help), and its callbacks. */
export interface RunOptions extends RunSettings, JobCallbacks {
  /** Called once everything is checked and the folder is ready, before anything starts. */
  onPlan?: (plan: RunPlan) => void;
}

/** A run as it will happen: the options resolved and checked — what the lab runs, and the gates after it. */
export interface RunPlan extends Omit<LabOptions, 'signal' | 'onEvent' | 'generator'> {
  gates: GateOptions;
  /** The agents that send every load (--agents); none: this host's generator. */
  agents?: AgentSpec[];
}

/** What run() resolves with. */
export type RunOutput = JobOutput;

function suiteOf(o: CheckedRun): Suite {
  const base = suiteByName(o.suite);
  const suite = { ...base, scaling: { ...base.scaling, split: { ...base.scaling.split } } };
  // -d and --reps reach the scaling study too: a split-cost slice's length, and its rounds.
  if (o.durationMs !== undefined)
    suite.durationMs = suite.probeMs = suite.scaling.split.sliceMs = o.durationMs;
  // A slice is metered from its guard on (runner/split-drive.ts): at least 100 ms of it.
  suite.scaling.split.sliceMs = Math.max(suite.scaling.split.sliceMs, GUARD_MS + 100);
  if (o.repetitions !== undefined) {
    // --reps N: N rounds of the scaling study, as many more where a ratio is still wide.
    suite.repetitions = suite.scaling.split.rounds = o.repetitions;
    suite.scaling.split.maxRounds = 2 * o.repetitions;
  }
  if (o.probes !== undefined) suite.probes = o.probes;
  if (o.connections !== undefined) suite.connections = o.connections;
  return suite;
}

/** The sweep on the families of ml and data the run selected; none selected, no sweep. */
function sweepOf(o: CheckedRun, suite: Suite, workloads: WorkloadId[]): SweepOptions | undefined {
  const families = (['ml', 'data'] as const).filter((f) => workloads.includes(f));
  if (o.sweep === 'off' || families.length === 0) return undefined;
  return {
    ...suite.sweep,
    families,
    ml: o.mlSizes ?? suite.sweep.ml,
    dataRows: o.dataRows ?? suite.sweep.dataRows,
  };
}

/**
 * The scaling study as the options and the suite ask for it. Asked for explicitly (scaling 'only', replicas),
 * what it needs must be here (a balancer; cgroups when replicas need quotas): otherwise bad input, with the fix.
 */
function scalingOf(
  o: CheckedRun,
  suite: Suite,
  selected: { stacks: StackId[]; workloads: WorkloadId[] },
  serverCpus: number[],
): ScalingOptions | undefined {
  if (o.scaling === 'off') return undefined;
  const replicas = o.replicas ?? suite.scaling.replicas;
  if (o.scaling === 'only' || o.replicas !== undefined) {
    const blocked = scalingBlocker(serverCpus, Math.max(...replicas));
    if (blocked) throw new StackbenchError('SB_SCALING_UNAVAILABLE', [blocked.reason], [blocked.fix]);
  }
  // 'only' studies the workloads asked for; alongside the main run, those of the suite's that were selected.
  const workloads =
    o.workloads === undefined
      ? suite.scaling.workloads
      : o.scaling === 'only'
        ? selected.workloads
        : suite.scaling.workloads.filter((w) => selected.workloads.includes(w));
  if (workloads.length === 0) return undefined;
  return {
    workloads,
    replicas: [...new Set([1, ...replicas])].sort((a, b) => a - b),
    forms: suite.scaling.forms,
    stacks: o.stacks !== undefined ? selected.stacks : suite.scaling.stacks,
    periodUs: o.cfsPeriodMs * 1000,
    faults: suite.scaling.faults.filter((w) => workloads.includes(w)),
    // Alone, the study has the time a main run would take: as many rounds again where a ratio is still wide.
    split:
      o.scaling === 'only'
        ? {
            ...suite.scaling.split,
            maxRounds: Math.max(suite.scaling.split.maxRounds, 2 * suite.scaling.split.rounds),
          }
        : suite.scaling.split,
    capacity: suite.scaling.capacity,
  };
}

/** --agents for the lab: its stacks listen on this host's loopback, so only agents that share it can load them. */
function labAgents(agents: NonNullable<CheckedRun['agents']>): AgentSpec[] {
  const specs = agentSpecsOf(agents);
  assertAgentsReach(
    specs,
    "the lab's stacks on 127.0.0.1",
    'run --agents takes local agents (--agents N) or tcp: agents listening on this host; to load a service from other hosts, run it where they reach it and use compare NAME=http://ADDR:PORT --allow-remote ADDR --agents ...',
  );
  return specs;
}

/**
 * Resolve and check the options (nothing is started or written): what run() would do. `naming` names an option
 * in an error (the command passes its flags' names).
 */
export function planRun(options: RunOptions = {}, naming: Naming = byKey): RunPlan {
  const { signal: _s, onEvent: _e, onPlan: _p, ...settings } = options;
  const o = checkOptions(RUN_FIELDS, settings, naming) as CheckedRun;
  const suite = suiteOf(o);
  const defaultStacks = suite.stacks === 'leaders' ? classLeaders() : undefined;
  const { stacks, workloads, catalog } = resolveSelection({ ...o, defaultStacks });
  // Said in the results when the main run measures a subset: which stacks were left, and how to measure them.
  const leftOut =
    defaultStacks && o.stacks === undefined && o.scaling !== 'only'
      ? BUILTIN_IDS.filter((id) => !defaultStacks.includes(id))
      : [];
  const cpus = planCpus({ server: o.serverCpus, generator: o.generatorCpus });
  return {
    suite,
    stacks,
    workloads,
    catalog,
    outDir: resolve(o.outDir ?? `results/${stamp()}`),
    objective: objectiveOf(o.sloP99Ms, o.maxErrorRate),
    basePort: o.basePort,
    cpus,
    scaling: scalingOf(o, suite, { stacks, workloads }, cpus.server),
    // The sweep follows the main run: --scaling only runs neither.
    sweep: o.scaling === 'only' ? undefined : sweepOf(o, suite, workloads),
    main: o.scaling !== 'only',
    ...(leftOut.length ? { leftOut } : {}),
    ...(o.agents !== undefined ? { agents: labAgents(o.agents) } : {}),
    gates: gatesOf(o, 'run'),
  };
}

/**
 * The main job: every stack alone on the server cores, verified, then measured; results.json rewritten after every
 * point; at the end the analysis, the gates, and the reports (report.md, report.html, points.csv, headline.csv)
 * in outDir. Every process it starts is stopped before it resolves (and at the latest when the host exits).
 */
export async function run(options: RunOptions = {}, naming: Naming = byKey): Promise<RunOutput> {
  const plan = planRun(options, naming);
  prepareOutDir(plan.outDir, { replace: options.force === true });
  options.onPlan?.(plan);
  // The lab pins this process to the generator cores while it measures; a host gets its cores back after.
  const affinity = affinityOf(process.pid);
  let results: Results;
  try {
    // The agents (if any) are opened once for the whole run and ended with it, whatever ends it.
    const generator = { agents: plan.agents, cpus: plan.cpus.generator, signal: options.signal };
    results = await withGenerator(generator, (g, signal) =>
      runLab({ ...plan, generator: g, signal, onEvent: options.onEvent }),
    );
  } finally {
    if (affinity && affinity.join() !== affinityOf(process.pid)?.join()) pinSelf(affinity);
  }
  return finishJob(results, plan.gates, plan.outDir);
}
