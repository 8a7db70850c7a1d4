// stackbench kube plan: the lab on Kubernetes as manifests, written for `kubectl apply -f DIR` (or applied by
// `run --kube CONTEXT`). The work is src/kube/ (plan, render, write); this command turns flags into a plan
// input and prints what it wrote.
import { ExitCode, StackbenchError } from '../../errors.js';
import { makePlan, KUBE_BALANCERS, DEFAULT_IMAGE, type KubePlanInput } from '../../kube/plan.js';
import type { KubeStepResult } from '../../kube/measure.js';
import type { StepRecord } from '../../kube/orchestrate.js';
import { byFlag, checkOptions, RUN_FIELDS, type CheckedRun } from '../../options/index.js';
import { interrupt } from '../../machine/process.js';
import { BUILTIN_IDS } from '../../stacks/registry.js';
import { parseIntFlag } from '../../options/units.js';
import type { Parsed } from '../args.js';
import { defineCommand } from '../command.js';
import { optionsFromFlags } from '../flags.js';

const flags = {
  stacks: {
    type: 'string',
    value: 'a,b',
    help: `the stacks to deploy (default: all): ${BUILTIN_IDS.join(',')}`,
  },
  replicas: { type: 'string', value: 'a,b', help: 'replica counts the study scales through (default 1,2,4)' },
  agents: { type: 'string', value: 'P', help: 'generator pods: an Indexed Job of P pods (default 1)' },
  image: {
    type: 'string',
    value: 'IMG',
    help: `the stackbench image, built from this repo (default ${DEFAULT_IMAGE})`,
  },
  cores: { type: 'string', value: 'N', help: 'whole cores per replica, requests = limits (default 1)' },
  'agent-cores': { type: 'string', value: 'N', help: 'whole cores per generator pod (default 1)' },
  balancer: {
    type: 'string',
    value: 'KIND',
    help: 'haproxy (default: per request, least connections, per-replica counters) or kube-proxy\n(the Service: per connection)',
  },
  'shared-nodes': {
    type: 'boolean',
    help: "let generator pods share the stacks' nodes (small clusters); by default they never do",
  },
  'run-id': { type: 'string', value: 'ID', help: 'names the namespace sb-ID (default: random)' },
  out: { type: 'string', value: 'DIR', help: 'where the manifests go (default: ./stackbench-kube-<run id>)' },
} as const;

const listOf = (flag: string, text: string, max: number) =>
  text.split(',').map((n) => parseIntFlag(flag, n.trim(), 1, max));

export function kubePlanInput(values: Parsed<typeof flags>): KubePlanInput {
  const input: KubePlanInput = {};
  if (values.stacks !== undefined) {
    input.stacks = values.stacks.split(',').map((s) => s.trim());
    for (const id of input.stacks)
      if (!(BUILTIN_IDS as readonly string[]).includes(id))
        throw new StackbenchError('SB_UNKNOWN_STACK', [id], [BUILTIN_IDS.join(', ')]);
  }
  if (values.replicas !== undefined) input.replicas = listOf('--replicas', values.replicas, 64);
  if (values.agents !== undefined) input.agents = parseIntFlag('--agents', values.agents, 1, 64);
  if (values.cores !== undefined) input.cores = parseIntFlag('--cores', values.cores, 1, 64);
  if (values['agent-cores'] !== undefined)
    input.agentCores = parseIntFlag('--agent-cores', values['agent-cores'], 1, 64);
  if (values.balancer !== undefined) {
    if (!(KUBE_BALANCERS as readonly string[]).includes(values.balancer))
      throw new StackbenchError(
        'SB_BAD_FLAG',
        [`bad --balancer "${values.balancer}": expected haproxy or kube-proxy`],
        ['kube'],
      );
    input.balancer = values.balancer as KubePlanInput['balancer'];
  }
  if (values['shared-nodes']) input.placement = 'shared';
  if (values.image !== undefined) input.image = values.image;
  if (values['run-id'] !== undefined) input.runId = values['run-id'];
  return input;
}

export const kubeCommand = defineCommand({
  name: 'kube',
  summary: 'the lab on Kubernetes: `kube plan` writes its manifests',
  operands: 'plan',
  positionals: 'one',
  about:
    'kube plan writes the manifests of a run on Kubernetes, one YAML file per role (namespace, secrets, services,\n' +
    'stacks, agents): per stack a Deployment of one-instance replicas with whole cores (requests = limits) and its\n' +
    'balancer, PostgreSQL, Redis and the downstream with passwords in a Secret made for this plan, and the\n' +
    'generator as an Indexed Job of P pods running `stackbench agent`. Every object is validated against the\n' +
    'Kubernetes API schema before it is written. Apply them with `kubectl apply -f DIR`; docs/KUBERNETES.md.',
  flags,
  footer: 'Exit 0 when written, 2 on bad input.',
  async run(values, operand) {
    if (operand !== 'plan')
      throw new StackbenchError('SB_BAD_FLAG', [`unknown kube action "${operand}": expected plan`], ['kube']);
    // Loaded here, not at the top: the Kubernetes client and models cost every other command 2.6 s to import.
    const [{ allObjects, render }, { minimumKubernetes }, { writeManifests }] = await Promise.all([
      import('../../kube/render.js'),
      import('../../kube/versions.js'),
      import('../../kube/write.js'),
    ]);
    const plan = makePlan(kubePlanInput(values));
    const rendered = render(plan);
    const written = writeManifests(plan, rendered, values.out ?? `stackbench-kube-${plan.runId}`);
    const min = minimumKubernetes(allObjects(rendered));
    for (const w of written)
      process.stdout.write(`wrote ${w.file} (${w.objects} object${w.objects === 1 ? '' : 's'})\n`);
    process.stdout.write(
      `namespace ${plan.namespace}: ${plan.stacks.length} stacks at N = ${plan.replicas.join(', ')} behind ${plan.balancer}, ` +
        `${plan.agents} generator pod${plan.agents === 1 ? '' : 's'}, image ${plan.image}; needs Kubernetes ${min.version}+\n`,
    );
    return ExitCode.ok;
  },
});

/**
 * The flags `run` takes for a run on a cluster (its own --stacks, --replicas, --agents and --out serve as well:
 * --agents is where the load comes from, on a cluster P generator pods).
 */
export const runKubeFlags = {
  kube: {
    type: 'string',
    value: 'CONTEXT',
    help: 'run on the Kubernetes cluster of this kubeconfig context instead of this machine\n(docs/KUBERNETES.md); with --agents P generator pods (default 1) and --image IMG',
  },
  image: {
    type: 'string',
    value: 'IMG',
    help: `with --kube: the stackbench image (default ${DEFAULT_IMAGE})`,
  },
} as const;

/** One step's searches in a line: "json 12,345/s (p99 12.3 ms), chat not supported: ...". */
function stepLine(s: StepRecord<unknown>): string {
  const r = s.result as Partial<KubeStepResult> | undefined;
  const each = (r?.workloads ?? []).map((w) => {
    if (w.skipped) return `${w.workload} ${w.skipped}`;
    if (!w.capacity) return `${w.workload} no capacity`;
    const c = w.capacity;
    const bound = c.limitedBy === 'generator' || c.limitedBy === 'max-probes' ? '>= ' : '';
    return `${w.workload} ${bound}${Math.round(c.rps).toLocaleString('en-US')}/s (p99 ${c.p99Ms.toFixed(1)} ms, ${c.limitedBy})`;
  });
  return `  ${s.stack} at N = ${s.n}: ${each.join(', ') || 'nothing measured'}`;
}

type Values = Record<string, string | string[] | boolean | undefined>;

/** `run --kube CONTEXT`: the plan from run's flags, the run on the cluster, what it wrote. */
export async function runOnKube(values: Values): Promise<number> {
  const text = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  // One --agents, one meaning: how many generators and where. On a cluster they are the Job's pods: a count.
  const agents = text('agents');
  if (agents !== undefined && !/^\s*\d+\s*$/.test(agents))
    throw new StackbenchError(
      'SB_BAD_AGENTS',
      [`"${agents}": with --kube the agents are the cluster's generator pods, so give their count P`],
      ['--agents P (1..64): an Indexed Job of P pods running `stackbench agent`'],
    );
  const plan = kubePlanInput({
    stacks: text('stacks'),
    replicas: text('replicas'),
    agents: agents?.trim(),
    image: text('image'),
  });
  // What each step measures comes from run's own options (--suite, -d, --probes, -c, --slo, --workloads).
  const options = checkOptions(RUN_FIELDS, optionsFromFlags(RUN_FIELDS, values), byFlag) as CheckedRun;
  const { kubeMeasureOptionsOf, runKube } = await import('../../kube/run.js');
  const { result, file } = await runKube({
    context: text('kube')!,
    plan,
    measure: kubeMeasureOptionsOf(options),
    outDir: text('out') ?? `results/kube-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    signal: interrupt.signal,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const faults = result.steps.filter((s) => s.fault);
  process.stdout.write(`${result.steps.length} steps measured on ${result.namespace} → ${file}\n`);
  for (const s of result.steps) process.stdout.write(`${stepLine(s)}\n`);
  for (const s of faults) process.stdout.write(`  ${s.stack} at N = ${s.n}: ${s.fault}\n`);
  return faults.length ? ExitCode.failure : ExitCode.ok;
}
