// Where the distributed generator plugs into a cluster run. `run --kube` deploys, scales and cleans up
// (orchestrate.ts); measuring each step — connecting to every agent's forwarded endpoint (its tcp transport),
// running the capacity search's probes through the runner, merging the agents' histograms exactly — is the
// coordinator's, which registers itself here. Until it does, `run --kube` refuses before touching a cluster.
import type { Measure } from './orchestrate.js';

let registered: Measure<unknown> | undefined;

export function registerKubeMeasure(measure: Measure<unknown>): void {
  registered = measure;
}

export function kubeMeasure(): Measure<unknown> | undefined {
  return registered;
}
