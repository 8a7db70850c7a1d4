// The generator on a cluster: an Indexed Job of P pods, each running `stackbench agent --listen 7070` (one shard
// of every probe; the coordinator is the CLI, reaching each pod through a port-forward). The pods stay up across
// probes — a capacity search runs many short ones and a pod takes seconds to start — so the Job only ends when
// the run deletes it, or when its deadline passes if the CLI is gone. No retries: a generator that fails is
// named and its probe void, never silently replaced (backoffLimit 0, restartPolicy Never).
import { Job } from 'kubernetes-models/batch/v1';
import { Service, type IPodAffinityTerm } from 'kubernetes-models/v1';
import { AGENT_PORT, AGENTS, COMPONENT, RUN, labels, selector, serviceHost } from './names.js';
import { MEMORY_MIB, type KubePlan } from './plan.js';
import { targetService } from './render-stack.js';
import { hardened, podBasics } from './security.js';

const HOSTNAME = 'kubernetes.io/hostname';

/** Off the stacks' nodes (required unless the plan shares nodes), and one generator per node where it can. */
function affinity(plan: KubePlan) {
  const stacks: IPodAffinityTerm = {
    topologyKey: HOSTNAME,
    labelSelector: { matchLabels: { [RUN]: plan.runId, [COMPONENT]: 'sut' } },
  };
  const agents: IPodAffinityTerm = {
    topologyKey: HOSTNAME,
    labelSelector: { matchLabels: selector(plan, 'agent', AGENTS) },
  };
  return {
    podAntiAffinity: {
      ...(plan.placement === 'separate' ? { requiredDuringSchedulingIgnoredDuringExecution: [stacks] } : {}),
      preferredDuringSchedulingIgnoredDuringExecution: [
        ...(plan.placement === 'shared' ? [{ weight: 100, podAffinityTerm: stacks }] : []),
        { weight: 50, podAffinityTerm: agents },
      ],
    },
  };
}

/**
 * An agent loads only loopback and the hosts it was started with (--allow-remote), never one a coordinator names:
 * here, each stack's target (its balancer, or its Service under kube-proxy) by its in-cluster name.
 */
export function agentArgs(plan: KubePlan): string[] {
  const targets = plan.stacks.map((s) => serviceHost(plan, targetService(plan, s)));
  return ['agent', '--listen', String(AGENT_PORT), ...targets.flatMap((h) => ['--allow-remote', h])];
}

export function renderAgents(plan: KubePlan): [Service, Job] {
  const cores = String(plan.agentCores);
  const memory = `${MEMORY_MIB.agent}Mi`;
  const meta = { name: AGENTS, namespace: plan.namespace, labels: labels(plan, 'agent', AGENTS) };
  const job = new Job({
    metadata: meta,
    spec: {
      completionMode: 'Indexed',
      completions: plan.agents,
      parallelism: plan.agents,
      backoffLimit: 0,
      activeDeadlineSeconds: plan.deadlineSeconds,
      template: {
        metadata: { labels: labels(plan, 'agent', AGENTS) },
        spec: {
          ...podBasics(),
          restartPolicy: 'Never',
          // Pods are gen-<index>.gen in the namespace's DNS (the Indexed Job's hostname and the headless Service).
          subdomain: AGENTS,
          affinity: affinity(plan),
          containers: [
            {
              name: 'agent',
              image: plan.image,
              args: agentArgs(plan),
              // JOB_COMPLETION_INDEX (set by the Job controller) is the agent's index.
              env: [{ name: 'NODE_ENV', value: 'production' }],
              ports: [{ name: 'agent', containerPort: AGENT_PORT }],
              resources: { requests: { cpu: cores, memory }, limits: { cpu: cores, memory } },
              // No TCP readiness probe: the agent serves one coordinator at a time, and a kubelet's probe
              // connection would be one. Running is ready enough; the coordinator's connect says the rest.
              securityContext: hardened(),
            },
          ],
        },
      },
    },
  });
  const service = new Service({
    metadata: meta,
    spec: {
      clusterIP: 'None',
      selector: selector(plan, 'agent', AGENTS),
      ports: [{ name: 'agent', port: AGENT_PORT, targetPort: AGENT_PORT }],
    },
  });
  return [service, job];
}
