// What a run on Kubernetes is made of, decided once and checked here: which stacks, the replica counts the study
// scales through, how many generator pods, the image, each pod's whole cores, the run id that names the
// namespace, and the passwords the Secret carries (random per plan). render.ts turns it into objects; nothing
// downstream picks a default of its own.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { StackbenchError } from '../errors.js';
import { BUILTIN_IDS, type BuiltinStackId } from '../stacks/registry.js';
import { VERSION } from '../version.js';

/**
 * haproxy: one HAProxy per stack, least connections per request, per-replica counters (the one-host study's
 * balancer). kube-proxy: the stack's ClusterIP Service, which picks a replica once per connection.
 */
export const KUBE_BALANCERS = ['haproxy', 'kube-proxy'] as const;
export type KubeBalancer = (typeof KUBE_BALANCERS)[number];

/** separate: a generator pod never shares a node with a stack's replica (required); shared: only preferred. */
export type Placement = 'separate' | 'shared';

export interface KubePlanInput {
  stacks?: string[];
  replicas?: number[];
  agents?: number;
  image?: string;
  /** Whole cores per replica. */
  cores?: number;
  agentCores?: number;
  balancer?: KubeBalancer;
  balancerCores?: number;
  placement?: Placement;
  runId?: string;
  /** Every Job's activeDeadlineSeconds, and the namespace's time to live: nothing outlives a lost CLI by more. */
  deadlineSeconds?: number;
  /** Start every stack's Deployment (and balancer) at 0 replicas: `run --kube` scales each in its turn. */
  idle?: boolean;
  clusterDomain?: string;
  /** Fixed passwords (tests); random otherwise. */
  secrets?: KubeSecrets;
  now?: Date;
}

export interface KubeSecrets {
  pgAdmin: string;
  pgApp: string;
  redis: string;
}

/** The images the plan runs besides ours: Debian-based, the major versions the one-host lab is tested with. */
export const SERVICE_IMAGES = {
  postgres: 'postgres:15',
  redis: 'redis:7',
  haproxy: 'haproxy:2.6',
} as const;

/** Memory per pod, MiB: requests = limits (Guaranteed QoS needs both resources set equal). */
export const MEMORY_MIB = {
  stack: 1024,
  agent: 1024,
  haproxy: 256,
  postgres: 1024,
  redis: 256,
  downstream: 256,
};

export interface KubePlan {
  runId: string;
  namespace: string;
  stacks: BuiltinStackId[];
  /** Ascending, distinct: the study's N = 1, 2, 4, ... */
  replicas: number[];
  maxReplicas: number;
  agents: number;
  image: string;
  coresEach: number;
  agentCores: number;
  balancer: KubeBalancer;
  balancerCores: number;
  placement: Placement;
  deadlineSeconds: number;
  idle: boolean;
  clusterDomain: string;
  secrets: KubeSecrets;
  createdAt: string;
  expiresAt: string;
  /** Who made it: host and process, so a later run can tell whose namespace it is deleting. */
  owner: string;
}

export const DEFAULT_IMAGE = `stackbench:${VERSION}`;
export const DEFAULT_REPLICAS = [1, 2, 4];
export const DEFAULT_DEADLINE_S = 3 * 3600;
/** A DNS-1123 label (RFC 1123), as Kubernetes checks a namespace's and most objects' names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// An image reference: [registry[:port]/]path[:tag][@digest], lowercase path, as the distribution spec has it.
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

const bad = (why: string, fix?: string) => new StackbenchError('SB_KUBE_BAD_PLAN', [why], fix ? [fix] : []);
const secret = () => randomBytes(24).toString('hex');

function wholeCores(name: string, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw bad(
      `${name} ${n}: whole cores only, 1 to 64`,
      'a pod with whole CPUs and requests = limits is Guaranteed and gets exclusive cores under the static CPU manager; a fraction would be a CFS quota at the kubelet period (docs/KUBERNETES.md)',
    );
  return n;
}

function checkStacks(stacks: string[] | undefined): BuiltinStackId[] {
  const ids = stacks ?? [...BUILTIN_IDS];
  if (!ids.length) throw bad('no stack to deploy');
  for (const id of ids)
    if (!(BUILTIN_IDS as readonly string[]).includes(id))
      throw new StackbenchError(
        'SB_UNKNOWN_STACK',
        [id],
        [`${BUILTIN_IDS.join(', ')} (the image holds the reference stacks only)`],
      );
  return [...new Set(ids)] as BuiltinStackId[];
}

function checkReplicas(replicas: number[] | undefined): number[] {
  const list = [...new Set(replicas ?? DEFAULT_REPLICAS)].sort((a, b) => a - b);
  if (!list.length) throw bad('no replica count to scale through');
  for (const n of list)
    if (!Number.isInteger(n) || n < 1 || n > 64) throw bad(`replica count ${n}: expected 1 to 64`);
  return list;
}

function checkRunId(runId: string): string {
  // The namespace is "sb-" + the run id, and the run id is a label value too: both at most 63 characters.
  if (!DNS_LABEL.test(runId) || runId.length > 60)
    throw bad(
      `run id "${runId}" cannot name a namespace`,
      'use lowercase letters, digits and dashes, at most 60 characters',
    );
  return runId;
}

/** The plan, every value checked; bad input is one SB_KUBE_BAD_PLAN (or SB_UNKNOWN_STACK) naming it. */
export function makePlan(input: KubePlanInput = {}): KubePlan {
  const runId = checkRunId(input.runId ?? randomBytes(4).toString('hex'));
  const image = input.image ?? DEFAULT_IMAGE;
  if (!IMAGE_REF.test(image))
    throw bad(
      `image "${image}" is not an image reference`,
      'e.g. registry.example.com/team/stackbench:0.1.0',
    );
  const agents = input.agents ?? 1;
  if (!Number.isInteger(agents) || agents < 1 || agents > 64)
    throw bad(`agents ${agents}: expected 1 to 64 generator pods`);
  const deadlineSeconds = input.deadlineSeconds ?? DEFAULT_DEADLINE_S;
  if (!Number.isInteger(deadlineSeconds) || deadlineSeconds < 60 || deadlineSeconds > 7 * 86400)
    throw bad(`deadline ${deadlineSeconds} s: expected 60 s to 7 days`);
  const clusterDomain = input.clusterDomain ?? 'cluster.local';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(clusterDomain))
    throw bad(`cluster domain "${clusterDomain}" is not a DNS name`);
  const replicas = checkReplicas(input.replicas);
  const now = input.now ?? new Date();
  return {
    runId,
    namespace: `sb-${runId}`,
    stacks: checkStacks(input.stacks),
    replicas,
    maxReplicas: replicas.at(-1)!,
    agents,
    image,
    coresEach: wholeCores('cores per replica', input.cores ?? 1),
    agentCores: wholeCores('cores per generator pod', input.agentCores ?? 1),
    balancer: input.balancer ?? 'haproxy',
    balancerCores: wholeCores('balancer cores', input.balancerCores ?? 1),
    placement: input.placement ?? 'separate',
    deadlineSeconds,
    idle: input.idle ?? false,
    clusterDomain,
    secrets: input.secrets ?? { pgAdmin: secret(), pgApp: secret(), redis: secret() },
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deadlineSeconds * 1000).toISOString(),
    owner: `${hostname()}/${process.pid}`,
  };
}
