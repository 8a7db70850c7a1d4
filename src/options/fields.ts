// The options `run` and `compare` share, stated once: the suite and what overrides it, the objective, the cores,
// the results folder and the gates. Each job's own fields are in run.ts and compare.ts.
import { z } from 'zod';
import { parseAgents } from '../dist/index.js';
import { DEFAULT_MAX_ERROR_RATE, DEFAULT_SLO_MS } from '../runner/suites.js';
import { flag, int, ints, oneOf, plain, type Field } from './field.js';

const SUITE_HELP = 'quick (minutes) or full (longer runs, more levels, finer capacity search)';
export const suite = {
  ...oneOf(['quick', 'full'] as const, { default: 'quick', flag: flag('suite', 'NAME'), help: SUITE_HELP }),
  code: 'SB_UNKNOWN_SUITE',
} as const;
export const sloP99Ms = int(1, 60_000, {
  default: DEFAULT_SLO_MS,
  flag: flag('slo', 'MS'),
  help: 'the p99 objective of the capacity search, in ms',
});
export const maxErrorRate = plain('share', {
  default: DEFAULT_MAX_ERROR_RATE,
  help: 'the error rate the capacity search allows (0.001: 0.1 %)',
});
export const durationMs = plain('duration', {
  flag: flag('duration', 'D', 'd'),
  help: 'override the suite: measured time of each closed-loop run and capacity probe, and of each split-cost probe of the scaling study (e.g. 2s)',
});
export const repetitions = int(1, 100, {
  flag: flag('reps', 'N'),
  help: 'override the suite: runs per headline figure, and rounds of the scaling study (3 or more for an interval)',
});
/** Closed-loop levels, the headline first; the engine holds at most this many connections per load. */
export const connections = ints(1, 10_000, {
  flag: flag('connections', 'a,b', 'c'),
  help: 'override the suite: closed-loop connections, headline level first (e.g. 64 or 64,16,256)',
});
export const probes = int(0, 20, {
  flag: flag('probes', 'N'),
  help: 'override the suite: open-loop probes of the capacity search (0: no capacity)',
});
export const serverCpus = plain('cpus', {
  flag: flag('server-cpus', 'LIST'),
  help: 'the cores the servers get, e.g. 2-7 (default: the upper half)',
});
export const generatorCpus = plain('cpus', {
  flag: flag('generator-cpus', 'LIST'),
  help: 'the cores the load generator gets, e.g. 0-1 (default: the rest)',
});
export const outDir = plain('text', {
  flag: flag('out', 'DIR'),
  help: 'results folder (default: results/<date-time>)',
});
export const force = plain('bool', {
  flag: flag('force'),
  help: 'replace the results already in the results folder (refused otherwise)',
});
export const thresholds = plain('texts', {
  flag: flag('threshold', 'T'),
  help:
    'exit 3 unless T holds for every measured stack and workload, or for "NAME:T" /\n' +
    '"NAME/WORKLOAD:T": p99<50ms, rps>10000, errors<0.1%, capacity>5000 (repeatable)',
});
export const against = plain('text', {
  flag: flag('against', 'BASELINE.json'),
  help: "an earlier run's results.json: each headline figure and ratio tested against its interval",
});
export const failOnRegression = plain('bool', {
  flag: flag('fail-on-regression'),
  help: 'with --against: exit 3 when a figure got significantly worse',
});

const agentSpec = z.strictObject({
  kind: z.enum(['local', 'netns', 'ssh', 'tcp']),
  target: z.string(),
  env: z.record(z.string(), z.string()).optional(),
});

/**
 * Where the load comes from: agents (src/dist), as `load --agents` takes them — a count of local ones, a comma
 * list of local, netns:NAME, ssh:HOST, tcp:HOST:PORT, or specs. The flag's text is read by dist's own parser
 * (one grammar, one error); with `run --kube` the same flag is the count of generator pods.
 */
export const agents = {
  kind: 'parsed',
  schema: z.union([z.number().int().min(1).max(64), z.string().min(1), z.array(agentSpec).min(1).max(64)]),
  parse: (text: string) => parseAgents(text),
  expected: 'a count of local agents (1..64) or a comma list of local, netns:NAME, ssh:HOST, tcp:HOST:PORT',
  flag: flag('agents', 'N|LIST'),
  help:
    'send every load from agents (`stackbench agent`), each its share of one schedule,\n' +
    'merged exactly: N local ones, or a comma list of local, netns:NAME, ssh:HOST,\n' +
    'tcp:HOST:PORT; with --kube: P generator pods',
} as const satisfies Field;

/** What both jobs measure with and how they are judged. */
export const COMMON = {
  suite,
  sloP99Ms,
  maxErrorRate,
  durationMs,
  repetitions,
  connections,
  probes,
  serverCpus,
  generatorCpus,
  agents,
  outDir,
  force,
  thresholds,
  against,
  failOnRegression,
};
