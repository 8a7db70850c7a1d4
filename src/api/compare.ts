// compare(): the user's own services side by side, as a function — for the `compare` command and for programs
// that use stackbench as a library. Targets are NAME=TARGET strings or objects; what to send is one request or
// a weighted mix with values; the results, the gates and the reports are written to outDir. Its options are
// checked against the same fields the command's flags come from (src/options/compare.ts).
import { resolve } from 'node:path';
import { compareTargets } from '../compare/compare.js';
import { checkTargets, isUrlTarget, parseTargetArg, type TargetSpec } from '../compare/targets.js';
import type { AgentSpec } from '../dist/index.js';
import { isLoopbackAddress, parseTarget } from '../engine/target.js';
import { planCpus } from '../machine/cpuset.js';
import {
  byKey,
  checkOptions,
  COMPARE_FIELDS,
  type CheckedCompare,
  type CompareSettings,
  type Naming,
} from '../options/index.js';
import { prepareOutDir } from '../results/store.js';
import type { CompareRequest, SuiteName } from '../results/types.js';
import { agentSpecsOf, assertAgentsReach, withGenerator } from '../runner/generator.js';
import { objectiveOf } from '../runner/objective.js';
import { suiteByName, type Suite } from '../runner/suites.js';
import { finishJob, gatesOf, stamp, type JobCallbacks, type JobOutput } from './job.js';

export type { TargetSpec } from '../compare/targets.js';

export interface CompareOptions extends CompareSettings, JobCallbacks {}

/** What compare() resolves with. */
export type CompareOutput = JobOutput;

/** compare's own suites: runs long enough to compare services, not the lab's minute-long matrix. */
export function compareSuite(name: SuiteName = 'quick'): Suite {
  const base = suiteByName(name);
  return name === 'quick'
    ? { ...base, durationMs: 2000, repetitions: 5, probeMs: 2000, precision: 0.1, warmupMs: 5000 }
    : { ...base, connections: [base.connections[0]!] };
}

function suiteOf(o: CheckedCompare): Suite {
  const suite = compareSuite(o.suite);
  if (o.durationMs !== undefined) suite.durationMs = suite.probeMs = o.durationMs;
  if (o.repetitions !== undefined) suite.repetitions = o.repetitions;
  if (o.probes !== undefined) suite.probes = o.probes;
  suite.connections = o.connections;
  return suite;
}

function requestsOf(o: CheckedCompare): CompareRequest[] {
  return (o.requests ?? [{ path: '/' }]).map((r) => {
    const method = r.method ?? (r.body !== undefined ? 'POST' : 'GET');
    return {
      name: r.name ?? `${method} ${r.path}`,
      method,
      path: r.path,
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.body !== undefined ? { body: r.body } : {}),
      weight: r.weight ?? 1,
    };
  });
}

/** A target on this host's loopback: started by command (on 127.0.0.1), or a URL to a loopback address. */
function onLoopback(t: TargetSpec): boolean {
  if (!isUrlTarget(t)) return true;
  const host = parseTarget(t.url).host;
  return host === 'localhost' || isLoopbackAddress(host);
}

/** The agents, each able to reach every target: a loopback target needs agents that share this host's loopback. */
function compareAgents(o: CheckedCompare, targets: TargetSpec[]): AgentSpec[] | undefined {
  if (o.agents === undefined) return undefined;
  const specs = agentSpecsOf(o.agents);
  checkTargets(targets, o.allowRemote ?? []);
  for (const t of targets.filter(onLoopback))
    assertAgentsReach(
      specs,
      `target ${t.name} (${isUrlTarget(t) ? t.url : 'started here, on 127.0.0.1'})`,
      'give local agents (--agents N), or a URL of the service the agents can reach (http://ADDR:PORT with --allow-remote ADDR)',
    );
  return specs;
}

export async function compare(options: CompareOptions, naming: Naming = byKey): Promise<CompareOutput> {
  const { signal, onEvent, ...settings } = options;
  const o = checkOptions(COMPARE_FIELDS, settings, naming, 'compare') as CheckedCompare;
  const targets = (o.targets ?? []).map((t) =>
    typeof t === 'string' ? parseTargetArg(t) : (t as TargetSpec),
  );
  const suite = suiteOf(o);
  const gates = gatesOf(o, 'compare');
  const cpus = planCpus({ server: o.serverCpus, generator: o.generatorCpus });
  const agents = compareAgents(o, targets);
  const outDir = resolve(o.outDir ?? `results/compare-${stamp()}`);
  prepareOutDir(outDir, { replace: o.force === true });
  const generator = { agents, allowRemote: o.allowRemote ?? [], cpus: cpus.generator, signal };
  const results = await withGenerator(generator, (g, stop) =>
    compareTargets({
      targets,
      send: { requests: requestsOf(o), ...(o.values ? { values: o.values } : {}) },
      suite,
      objective: objectiveOf(o.sloP99Ms, o.maxErrorRate),
      capacity: suite.probes > 0,
      allowRemote: o.allowRemote ?? [],
      readyTimeoutMs: o.readyTimeoutMs,
      cpus,
      outDir,
      generator: g,
      signal: stop,
      onEvent,
    }),
  );
  return finishJob(results, gates, outDir);
}
