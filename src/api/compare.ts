// compare(): the user's own services side by side, as a function — for the `compare` command and for programs
// that use stackbench as a library. Targets are NAME=TARGET strings or objects; what to send is one request or
// a weighted mix with values; the results and the reports are written to outDir as they are measured.
import { resolve } from 'node:path';
import { analyze } from '../analysis/index.js';
import { compareTargets } from '../compare/compare.js';
import { parseTargetArg, type TargetSpec } from '../compare/targets.js';
import { writeReports, type ReportFiles } from '../report/index.js';
import { prepareOutDir } from '../results/store.js';
import type { CompareConfig, CompareRequest, Results, SuiteName } from '../results/types.js';
import type { RunEvent } from '../runner/runner.js';
import { DEFAULT_MAX_ERROR_RATE, DEFAULT_SLO_MS, suiteByName, type Suite } from '../runner/suites.js';

export type { TargetSpec } from '../compare/targets.js';

export interface CompareOptions {
  /** "api=http://127.0.0.1:3000", "api=node server.js --port {port}", or the same as objects. */
  targets: Array<string | TargetSpec>;
  /** What to send (default GET /); a mix is weighted by `weight`. */
  requests?: Array<Partial<CompareRequest> & { path: string }>;
  /** Where each {name} placeholder in a path or body gets its value. */
  values?: CompareConfig['values'];
  /** quick (default: 5 runs x 2 s, capacity to 10 %) or full (5 runs x 5 s, capacity to 5 %). */
  suite?: SuiteName;
  durationMs?: number;
  repetitions?: number;
  /** Closed-loop connections (default 64). */
  connections?: number;
  /** Open-loop probes of the capacity search (0: no capacity). */
  probes?: number;
  sloP99Ms?: number;
  maxErrorRate?: number;
  allowRemote?: string[];
  readyTimeoutMs?: number;
  serverCpus?: number[];
  generatorCpus?: number[];
  /** Results folder; default results/compare-<date-time>. */
  outDir?: string;
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

export interface CompareOutput {
  results: Results;
  outDir: string;
  files: ReportFiles;
}

/** compare's own suites: runs long enough to compare services, not the lab's minute-long matrix. */
export function compareSuite(name: SuiteName = 'quick'): Suite {
  const base = suiteByName(name);
  return name === 'quick'
    ? { ...base, durationMs: 2000, repetitions: 5, probeMs: 2000, precision: 0.1, warmupMs: 5000 }
    : { ...base, connections: [base.connections[0]!] };
}

const stamp = () => new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');

export async function compare(options: CompareOptions): Promise<CompareOutput> {
  const targets = options.targets.map((t) => (typeof t === 'string' ? parseTargetArg(t) : t));
  const suite = compareSuite(options.suite);
  if (options.durationMs !== undefined) suite.durationMs = suite.probeMs = options.durationMs;
  if (options.repetitions !== undefined) suite.repetitions = options.repetitions;
  if (options.connections !== undefined) suite.connections = [options.connections];
  if (options.probes !== undefined) suite.probes = options.probes;
  const requests: CompareRequest[] = (options.requests ?? [{ path: '/' }]).map((r) => {
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
  const outDir = resolve(options.outDir ?? `results/compare-${stamp()}`);
  prepareOutDir(outDir, { replace: options.force === true });
  const results = await compareTargets({
    targets,
    send: { requests, ...(options.values ? { values: options.values } : {}) },
    suite,
    sloP99Ms: options.sloP99Ms ?? DEFAULT_SLO_MS,
    maxErrorRate: options.maxErrorRate ?? DEFAULT_MAX_ERROR_RATE,
    capacity: suite.probes > 0,
    allowRemote: options.allowRemote ?? [],
    ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    cpus: { server: options.serverCpus, generator: options.generatorCpus },
    outDir,
    signal: options.signal,
    onEvent: options.onEvent,
  });
  results.analysis = analyze(results);
  const files = writeReports(results, outDir);
  return { results, outDir, files };
}
