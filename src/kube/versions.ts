// The oldest Kubernetes each field we use needs. kubernetes-models validates against a schema merged from
// several releases, so a field newer than the user's cluster passes validation and fails there; this table says
// which, and `kube plan` prints the oldest version the whole plan needs. Versions are the releases in which the
// feature went GA (Kubernetes release notes and the feature's KEP).
import type { Manifest } from './render.js';

export interface FieldVersion {
  /** What, in the manifest's own terms. */
  field: string;
  /** "1.24" */
  since: string;
  /** Whether an object uses it. */
  uses(o: Manifest): boolean;
}

const spec = (o: Manifest) => (o.spec ?? {}) as Record<string, unknown>;
const podSpec = (o: Manifest) =>
  ((spec(o).template as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as Record<
    string,
    unknown
  >;
const containers = (o: Manifest) => (podSpec(o).containers ?? []) as Array<Record<string, unknown>>;

export const FIELD_VERSIONS: FieldVersion[] = [
  {
    field: 'Job spec.completionMode: Indexed',
    since: '1.24',
    uses: (o) => spec(o).completionMode === 'Indexed',
  },
  {
    field: 'Pod Security admission labels on the Namespace',
    since: '1.25',
    uses: (o) =>
      o.kind === 'Namespace' &&
      Object.keys(o.metadata.labels ?? {}).some((k) => k.startsWith('pod-security.')),
  },
  {
    field: 'seccompProfile in securityContext',
    since: '1.19',
    uses: (o) =>
      containers(o).some((c) => (c.securityContext as { seccompProfile?: unknown })?.seccompProfile),
  },
  {
    field: 'topologySpreadConstraints',
    since: '1.19',
    uses: (o) => podSpec(o).topologySpreadConstraints !== undefined,
  },
  { field: 'enableServiceLinks', since: '1.13', uses: (o) => podSpec(o).enableServiceLinks !== undefined },
  {
    field: 'NetworkPolicy egress rules (networking.k8s.io/v1)',
    since: '1.12',
    uses: (o) => o.kind === 'NetworkPolicy',
  },
  { field: 'apps/v1 Deployment', since: '1.9', uses: (o) => o.kind === 'Deployment' },
];

const num = (v: string) => v.split('.').map(Number) as [number, number];
const newer = (a: string, b: string) => {
  const [am, an] = num(a);
  const [bm, bn] = num(b);
  return am > bm || (am === bm && an > bn);
};

/** The oldest Kubernetes that has every field these objects use, and the field that sets it. */
export function minimumKubernetes(objects: Manifest[]): { version: string; because: string } {
  let best = { version: '1.9', because: 'apps/v1 Deployment' };
  for (const f of FIELD_VERSIONS)
    if (objects.some((o) => f.uses(o)) && newer(f.since, best.version))
      best = { version: f.since, because: f.field };
  return best;
}
