// The options of a run (the library's run(), the `run` command, a config file's run settings), stated once.
import { z } from 'zod';
import { DEFAULT_CFS_PERIOD_US } from '../runner/suites.js';
import { DATA_ROWS, ML_BATCH, ML_WIDTH, type MlSize } from '../runner/sweep.js';
import type { UserStackSpec } from '../stacks/user.js';
import type { CheckedOf, Fields, OptionsOf } from './field.js';
import { COMMON } from './fields.js';

const mlSize = z.object({
  batch: z.number().int().min(ML_BATCH.min).max(ML_BATCH.max),
  width: z.number().int().min(ML_WIDTH.min).max(ML_WIDTH.max),
});

export const RUN_FIELDS = {
  ...COMMON,
  stacks: {
    kind: 'names',
    flag: { name: 'stacks', value: 'a,b' },
    help: 'the stacks to measure (default: all; `stackbench stacks` lists them)',
  },
  workloads: {
    kind: 'names',
    flag: { name: 'workloads', value: 'x,y' },
    help: 'the workloads to measure (default: all; docs/WORKLOADS.md)',
  },
  userStacks: {
    kind: 'value',
    schema: z.array(z.custom<UserStackSpec>((v) => typeof v === 'object' && v !== null)),
    help: "your own stacks (a config file's `stacks`), measured beside the reference ones",
  },
  scaling: {
    kind: 'enum',
    values: ['on', 'off', 'only'],
    default: 'on',
    flag: { name: 'scaling', value: 'MODE' },
    help: 'the horizontal-scaling study: on, off, or only (the study alone: replicas behind a\nbalancer, each with its CPU budget)',
  },
  replicas: {
    kind: 'ints',
    min: 1,
    max: 64,
    flag: { name: 'replicas', value: 'a,b' },
    help: 'override the suite: replica counts the scaling study sweeps (e.g. 1,2,4)',
  },
  cfsPeriodMs: {
    kind: 'int',
    min: 1,
    max: 1000,
    default: DEFAULT_CFS_PERIOD_US / 1000,
    flag: { name: 'cfs-period', value: 'MS' },
    help: "CFS period of the replicas' CPU quotas, in ms (production's is 100)",
  },
  sweep: {
    kind: 'enum',
    values: ['on', 'off'],
    default: 'on',
    flag: { name: 'sweep', value: 'MODE' },
    help: 'the ML and data size sweep: on or off',
  },
  mlSizes: {
    kind: 'parsed',
    many: true,
    schema: mlSize,
    parse: (t) => {
      const m = /^(\d+)x(\d+)$/.exec(t.trim());
      return m ? { batch: Number(m[1]), width: Number(m[2]) } : undefined;
    },
    show: (v) => (typeof v === 'string' ? v : `${(v as MlSize).batch}x${(v as MlSize).width}`),
    expected: `BATCHxWIDTH with batch ${ML_BATCH.min}..${ML_BATCH.max} and width ${ML_WIDTH.min}..${ML_WIDTH.max}`,
    flag: { name: 'ml-sizes', value: 'BxW,..' },
    help: "override the suite: the ML sweep's sizes, batch x width (e.g. 16x64,256x1024)",
  },
  dataRows: {
    kind: 'parsed',
    many: true,
    schema: z.number().int().min(DATA_ROWS.min).max(DATA_ROWS.max),
    parse: (t) => Number(t.trim().replace(/k$/i, '000').replace(/m$/i, '000000')),
    expected: `rows from ${DATA_ROWS.min} to ${DATA_ROWS.max} (10k, 200k, 1m)`,
    flag: { name: 'data-rows', value: 'N,..' },
    help: "override the suite: the data sweep's rows (e.g. 10k,200k,1m)",
  },
  basePort: {
    kind: 'int',
    min: 1024,
    max: 65000,
    flag: { name: 'base-port', value: 'P' },
    help: 'use ports from P upward instead of free ones the kernel picks',
  },
} satisfies Fields;

export type RunSettings = OptionsOf<typeof RUN_FIELDS>;
export type CheckedRun = CheckedOf<typeof RUN_FIELDS>;
