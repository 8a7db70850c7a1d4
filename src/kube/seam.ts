// Where the distributed generator plugs into a cluster run. `run --kube` deploys, scales and cleans up
// (orchestrate.ts); measuring each step — a Coordinator over every agent's forwarded endpoint (the tcp
// transport), the runner's capacity search through it, the agents' histograms merged exactly — is measure.ts's,
// registered here by default. A program that measures a step otherwise registers its own.
import { kubeMeasure as coordinatorMeasure, type KubeMeasureOptions } from './measure.js';
import type { Measure } from './orchestrate.js';

/** Makes the measure of one run (its suite, objective and workloads). */
export type MeasureFactory = (o: KubeMeasureOptions) => Measure<unknown>;

let registered: MeasureFactory = coordinatorMeasure;

export function registerKubeMeasure(factory: MeasureFactory): void {
  registered = factory;
}

export function kubeMeasure(o: KubeMeasureOptions): Measure<unknown> {
  return registered(o);
}
