// A plan in, Kubernetes objects out: pure (no cluster, no file), every object built as a kubernetes-models class
// and validated against the API's OpenAPI schema, then checked for what a schema cannot say (checks.ts).
// Grouped by role, in the order they are created: the namespace first, the generator last.
import type { Model } from '@kubernetes-models/base';
import { checkObjects } from './checks.js';
import type { KubePlan } from './plan.js';
import { renderAgents } from './render-agents.js';
import { renderNamespace, renderNetworkPolicy, renderSecret, renderServices } from './render-services.js';
import { renderStack } from './render-stack.js';

export const ROLES = ['namespace', 'secrets', 'services', 'stacks', 'agents'] as const;
export type Role = (typeof ROLES)[number];

/** An object as the API takes it (JSON), with the fields every one has. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface Rendered {
  role: Role;
  objects: Manifest[];
}

/** Validate against the schema (throws with the path of the first problem) and give the API's JSON. */
function manifest(model: Model<unknown>): Manifest {
  model.validate();
  return model.toJSON() as Manifest;
}

export function render(plan: KubePlan): Rendered[] {
  const groups: Record<Role, Model<unknown>[]> = {
    namespace: [renderNamespace(plan), renderNetworkPolicy(plan)],
    secrets: [renderSecret(plan)],
    services: renderServices(plan),
    stacks: plan.stacks.flatMap((s) => renderStack(plan, s)),
    agents: renderAgents(plan),
  };
  const rendered = ROLES.map((role) => ({ role, objects: groups[role].map(manifest) }));
  checkObjects(
    plan,
    rendered.flatMap((r) => r.objects),
  );
  return rendered;
}

/** Every object of a plan, in creation order. */
export const allObjects = (rendered: Rendered[]) => rendered.flatMap((r) => r.objects);
