// The options `run` and `compare` share, stated once: the suite and what overrides it, the objective, the cores,
// the results folder and the gates. Each job's own fields are in run.ts and compare.ts.
import { DEFAULT_MAX_ERROR_RATE, DEFAULT_SLO_MS } from '../runner/suites.js';
import type { Field } from './field.js';

export const suite = {
  kind: 'enum',
  values: ['quick', 'full'],
  code: 'SB_UNKNOWN_SUITE',
  default: 'quick',
  flag: { name: 'suite', value: 'NAME' },
  help: 'quick (minutes) or full (longer runs, more levels, finer capacity search)',
} as const satisfies Field;

export const sloP99Ms = {
  kind: 'int',
  min: 1,
  max: 60_000,
  default: DEFAULT_SLO_MS,
  flag: { name: 'slo', value: 'MS' },
  help: 'the p99 objective of the capacity search, in ms',
} as const satisfies Field;

export const maxErrorRate = {
  kind: 'share',
  default: DEFAULT_MAX_ERROR_RATE,
  help: 'the error rate the capacity search allows (0.001: 0.1 %)',
} as const satisfies Field;

export const durationMs = {
  kind: 'duration',
  flag: { name: 'duration', short: 'd', value: 'D' },
  help: 'override the suite: measured time of each closed-loop run and capacity probe (e.g. 2s)',
} as const satisfies Field;

export const repetitions = {
  kind: 'int',
  min: 1,
  max: 100,
  flag: { name: 'reps', value: 'N' },
  help: 'override the suite: runs per headline figure (3 or more for an interval)',
} as const satisfies Field;

/** Closed-loop levels, the headline first; the engine holds at most this many connections per load. */
export const connections = {
  kind: 'ints',
  min: 1,
  max: 10_000,
  flag: { name: 'connections', short: 'c', value: 'a,b' },
  help: 'override the suite: closed-loop connections, headline level first (e.g. 64 or 64,16,256)',
} as const satisfies Field;

export const probes = {
  kind: 'int',
  min: 0,
  max: 20,
  flag: { name: 'probes', value: 'N' },
  help: 'override the suite: open-loop probes of the capacity search (0: no capacity)',
} as const satisfies Field;

export const serverCpus = {
  kind: 'cpus',
  flag: { name: 'server-cpus', value: 'LIST' },
  help: 'the cores the servers get, e.g. 2-7 (default: the upper half)',
} as const satisfies Field;

export const generatorCpus = {
  kind: 'cpus',
  flag: { name: 'generator-cpus', value: 'LIST' },
  help: 'the cores the load generator gets, e.g. 0-1 (default: the rest)',
} as const satisfies Field;

export const outDir = {
  kind: 'text',
  flag: { name: 'out', value: 'DIR' },
  help: 'results folder (default: results/<date-time>)',
} as const satisfies Field;

export const force = {
  kind: 'bool',
  flag: { name: 'force' },
  help: 'replace the results already in the results folder (refused otherwise)',
} as const satisfies Field;

export const thresholds = {
  kind: 'texts',
  flag: { name: 'threshold', value: 'T' },
  help:
    'exit 3 unless T holds for every measured stack and workload, or for "NAME:T" /\n' +
    '"NAME/WORKLOAD:T": p99<50ms, rps>10000, errors<0.1%, capacity>5000 (repeatable)',
} as const satisfies Field;

export const against = {
  kind: 'text',
  flag: { name: 'against', value: 'BASELINE.json' },
  help: "an earlier run's results.json: each headline figure and ratio tested against its interval",
} as const satisfies Field;

export const failOnRegression = {
  kind: 'bool',
  flag: { name: 'fail-on-regression' },
  help: 'with --against: exit 3 when a figure got significantly worse',
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
  outDir,
  force,
  thresholds,
  against,
  failOnRegression,
};
