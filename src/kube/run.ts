// `run --kube CONTEXT`: the cluster the kubeconfig names (KUBECONFIG, else ~/.kube/config), checked before
// anything is made; the plan from the same input `kube plan` takes; the run (orchestrate.ts) with the
// coordinator's measure (seam.ts, measure.ts); what each step measured written atomically to DIR/kube.json. A
// step whose generator failed is marked as a fault, as a step with a restarted replica is.
import { KubeConfig } from '@kubernetes/client-node';
import { StackbenchError } from '../errors.js';
import { checkOptions, RUN_FIELDS, type CheckedRun } from '../options/index.js';
import { objectiveOf } from '../runner/objective.js';
import { suiteByName } from '../runner/suites.js';
import { WORKLOAD_IDS, type WorkloadId } from '../workloads.js';
import { writeFileAtomic } from '../results/store.js';
import type { KubeMeasureOptions, KubeStepResult } from './measure.js';
import { runOnCluster, type KubeRunOptions, type KubeRunResult } from './orchestrate.js';
import { makePlan, type KubePlanInput } from './plan.js';
import { kubeMeasure } from './seam.js';

/** The kubeconfig with `context` current, or SB_KUBE_CONTEXT saying how to point at a cluster. */
export function loadContext(context: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (e) {
    throw new StackbenchError(
      'SB_KUBE_CONTEXT',
      [`cannot read the kubeconfig: ${(e as Error).message}`],
      [''],
    );
  }
  const known = kc.getContexts().map((c) => c.name);
  if (!known.includes(context)) {
    const where = process.env.KUBECONFIG ? `KUBECONFIG=${process.env.KUBECONFIG}` : '~/.kube/config';
    throw new StackbenchError(
      'SB_KUBE_CONTEXT',
      [known.length ? `no context "${context}" in ${where}` : `no kubeconfig with any context (${where})`],
      [known.join(', ')],
    );
  }
  kc.setCurrentContext(context);
  return kc;
}

/**
 * What `run --kube` measures at each step, from run's own options: the suite's capacity search (-d sets its probes'
 * length, --probes their number, -c the headline connections), --slo, and --workloads (default: the suite's
 * scaling workloads).
 */
export function kubeMeasureOptionsOf(o: CheckedRun): KubeMeasureOptions {
  const suite = { ...suiteByName(o.suite) };
  if (o.durationMs !== undefined) suite.scalingProbeMs = o.durationMs;
  if (o.probes !== undefined) suite.probes = o.probes;
  if (o.connections !== undefined) suite.connections = o.connections;
  const workloads = (o.workloads ?? suite.scaling.workloads) as WorkloadId[];
  for (const w of workloads)
    if (!(WORKLOAD_IDS as readonly string[]).includes(w))
      throw new StackbenchError('SB_UNKNOWN_WORKLOAD', [w], [WORKLOAD_IDS.join(', ')]);
  return { suite, objective: objectiveOf(o.sloP99Ms, o.maxErrorRate), workloads };
}

export interface KubeRunInput {
  context: string;
  plan: KubePlanInput;
  /** What each step measures: the suite, the objective, the workloads (default: the quick suite's study). */
  measure?: KubeMeasureOptions;
  outDir: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Tests: the orchestration's own seams (port-forwards, timeouts). */
  cluster?: Pick<KubeRunOptions<unknown>, 'forward' | 'readyTimeoutMs' | 'unschedulableGraceMs'>;
}

const lostOf = (r: unknown) => (r as Partial<KubeStepResult> | undefined)?.lost;

export async function runKube(
  input: KubeRunInput,
): Promise<{ result: KubeRunResult<unknown>; file: string }> {
  const kc = loadContext(input.context);
  const plan = makePlan({ ...input.plan, idle: true });
  const defaults = () => kubeMeasureOptionsOf(checkOptions(RUN_FIELDS, {}) as CheckedRun);
  const measure = kubeMeasure(input.measure ?? defaults());
  const result = await runOnCluster({
    kc,
    plan,
    measure,
    signal: input.signal,
    log: input.log,
    ...input.cluster,
  });
  for (const s of result.steps) {
    const lost = lostOf(s.result);
    if (lost && !s.fault) s.fault = `generator lost: ${lost}`;
  }
  const file = writeFileAtomic(input.outDir, 'kube.json', `${JSON.stringify(result, null, 2)}\n`);
  return { result, file };
}
