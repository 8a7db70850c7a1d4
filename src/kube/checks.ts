// What the API schema cannot say about a run's objects, checked on every render (and asserted by the tests):
// selectors that select their own pods, Guaranteed pods on whole cores, a generator Job that neither retries
// nor outlives its deadline, names the API accepts, references that resolve, nothing privileged. A problem here
// is a bug of the renderer, never the user's input: the plan is refused before anything reaches a cluster.
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import { DNS_LABEL, type KubePlan } from './plan.js';
import { MANAGED_BY, RUN } from './names.js';
import type { Manifest } from './render.js';

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: IPodSpec;
}

/** A workload's pod template, or undefined for an object that runs no pods. */
export function templateOf(o: Manifest): PodTemplate | undefined {
  if (o.kind !== 'Deployment' && o.kind !== 'Job') return undefined;
  return (o.spec as { template: PodTemplate }).template;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const subset = (sel: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(sel).every(([k, v]) => labels[k] === v);

function checkMeta(plan: KubePlan, o: Manifest, say: (m: string) => void): void {
  const { name, namespace, labels = {} } = o.metadata;
  if (!DNS_LABEL.test(name) || name.length > 63) say('name is not a DNS-1123 label of at most 63 characters');
  if (o.kind === 'Service' && !/^[a-z]/.test(name)) say('a Service name must start with a letter (DNS-1035)');
  if (o.kind !== 'Namespace' && namespace !== plan.namespace)
    say(`namespace ${namespace}, not ${plan.namespace}`);
  if (labels[MANAGED_BY] !== 'stackbench' || labels[RUN] !== plan.runId) say('lacks the run labels');
  for (const [k, v] of Object.entries(labels))
    if (v.length > 63 || !LABEL_VALUE.test(v)) say(`label ${k}=${v} is not a valid label value`);
}

/** Guaranteed QoS: cpu and memory requested and limited alike; cpu in whole cores. */
function checkResources(c: IContainer, say: (m: string) => void): void {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  for (const r of ['cpu', 'memory']) {
    if (req[r] === undefined || lim[r] === undefined)
      say(`container ${c.name}: ${r} request and limit both needed`);
    else if (String(req[r]) !== String(lim[r]))
      say(`container ${c.name}: ${r} request ${req[r]} differs from its limit ${lim[r]} (not Guaranteed)`);
  }
  if (lim.cpu !== undefined && !/^[1-9]\d*$/.test(String(lim.cpu)))
    say(`container ${c.name}: cpu ${lim.cpu} is not whole cores`);
}

function checkSecurity(spec: IPodSpec, c: IContainer, say: (m: string) => void): void {
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) say("uses the host's namespaces");
  if (spec.enableServiceLinks !== false) say('enableServiceLinks is not false');
  const sc = c.securityContext ?? {};
  if (sc.privileged) say(`container ${c.name} is privileged`);
  if (sc.allowPrivilegeEscalation !== false) say(`container ${c.name} may escalate privileges`);
  if (sc.runAsNonRoot !== true || !(Number(sc.runAsUser) > 0)) say(`container ${c.name} may run as root`);
  if (!sc.capabilities?.drop?.includes('ALL')) say(`container ${c.name} keeps capabilities`);
  if (sc.seccompProfile?.type !== 'RuntimeDefault') say(`container ${c.name} has no RuntimeDefault seccomp`);
}

/** Keys each Secret and ConfigMap holds, by "Kind/name". */
function keysOf(objects: Manifest[]): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const o of objects) {
    if (o.kind !== 'Secret' && o.kind !== 'ConfigMap') continue;
    const data = { ...(o.data as object | undefined), ...(o.stringData as object | undefined) };
    keys.set(`${o.kind}/${o.metadata.name}`, new Set(Object.keys(data)));
  }
  return keys;
}

function checkRefs(spec: IPodSpec, keys: Map<string, Set<string>>, say: (m: string) => void): void {
  const has = (ref: string, key?: string) => {
    const k = keys.get(ref);
    if (!k) say(`${ref} does not exist`);
    else if (key !== undefined && !k.has(key)) say(`${ref} has no key ${key}`);
  };
  for (const c of spec.containers) {
    const defined = new Set<string>();
    for (const e of c.env ?? []) {
      const s = e.valueFrom?.secretKeyRef;
      if (s) has(`Secret/${s.name}`, s.key);
      for (const m of (e.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g))
        if (!defined.has(m[1]!)) say(`container ${c.name}: ${e.name} refers to $(${m[1]}) before it is set`);
      defined.add(e.name);
    }
  }
  for (const v of spec.volumes ?? []) {
    if (v.secret) {
      has(`Secret/${v.secret.secretName}`);
      for (const i of v.secret.items ?? []) has(`Secret/${v.secret.secretName}`, i.key);
    }
    if (v.configMap) has(`ConfigMap/${v.configMap.name}`);
  }
}

function checkJob(plan: KubePlan, o: Manifest, say: (m: string) => void): void {
  const spec = o.spec as Record<string, unknown> & { template: PodTemplate };
  if (spec.completionMode !== 'Indexed') say('is not an Indexed Job');
  if (spec.completions !== plan.agents || spec.parallelism !== plan.agents)
    say(
      `completions ${spec.completions} and parallelism ${spec.parallelism} are not both P = ${plan.agents}`,
    );
  if (spec.backoffLimit !== 0) say(`backoffLimit ${spec.backoffLimit}: a failed generator would be retried`);
  if (!(Number(spec.activeDeadlineSeconds) > 0)) say('has no activeDeadlineSeconds');
  if (spec.template.spec.restartPolicy !== 'Never') say('restarts its pods');
}

function checkWorkload(
  plan: KubePlan,
  o: Manifest,
  keys: Map<string, Set<string>>,
  say: (m: string) => void,
) {
  const t = templateOf(o)!;
  const sel = (o.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels;
  if (o.kind === 'Deployment' && (!sel || !subset(sel, t.metadata?.labels)))
    say("its selector does not match its template's labels");
  if (o.kind === 'Job') checkJob(plan, o, say);
  for (const c of t.spec.containers) {
    checkResources(c, say);
    checkSecurity(t.spec, c, say);
  }
  checkRefs(t.spec, keys, say);
}

/** Every problem, as "Kind/name: what"; empty when the objects are as a run needs them. */
export function problemsOf(plan: KubePlan, objects: Manifest[]): string[] {
  const problems: string[] = [];
  const keys = keysOf(objects);
  const templates = objects.map(templateOf).filter((t): t is PodTemplate => t !== undefined);
  const seen = new Set<string>();
  for (const o of objects) {
    const say = (m: string) => problems.push(`${o.kind}/${o.metadata.name}: ${m}`);
    const id = `${o.kind}/${o.metadata.name}`;
    if (seen.has(id)) say('defined twice');
    seen.add(id);
    checkMeta(plan, o, say);
    if (templateOf(o)) checkWorkload(plan, o, keys, say);
    if (o.kind === 'Service') {
      const sel = (o.spec as { selector?: Record<string, string> }).selector;
      if (!sel || !templates.some((t) => subset(sel, t.metadata?.labels))) say('selects no pod template');
    }
  }
  return problems;
}

export function checkObjects(plan: KubePlan, objects: Manifest[]): void {
  const problems = problemsOf(plan, objects);
  if (problems.length) throw new Error(`rendered objects fail their checks:\n  ${problems.join('\n  ')}`);
}
