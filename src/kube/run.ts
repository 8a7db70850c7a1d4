// `run --kube CONTEXT`: the cluster the kubeconfig names (KUBECONFIG, else ~/.kube/config), checked before
// anything is made; the plan from the same input `kube plan` takes; the run (orchestrate.ts) with the
// coordinator's measure (seam.ts); what each step measured written atomically to DIR/kube.json.
import { KubeConfig } from '@kubernetes/client-node';
import { StackbenchError } from '../errors.js';
import { writeFileAtomic } from '../results/store.js';
import { runOnCluster, type KubeRunResult } from './orchestrate.js';
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

export interface KubeRunInput {
  context: string;
  plan: KubePlanInput;
  outDir: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export async function runKube(
  input: KubeRunInput,
): Promise<{ result: KubeRunResult<unknown>; file: string }> {
  const kc = loadContext(input.context);
  const plan = makePlan({ ...input.plan, idle: true });
  const measure = kubeMeasure();
  if (!measure) throw new StackbenchError('SB_KUBE_NO_COORDINATOR');
  const result = await runOnCluster({ kc, plan, measure, signal: input.signal, log: input.log });
  const file = writeFileAtomic(input.outDir, 'kube.json', `${JSON.stringify(result, null, 2)}\n`);
  return { result, file };
}
