// The options of a run (the library's run(), the `run` command, a config file's run settings), stated once.
import { z } from 'zod';
import { DEFAULT_CFS_PERIOD_US } from '../runner/suites.js';
import { DATA_ROWS, ML_BATCH, ML_WIDTH, type MlSize } from '../runner/sweep.js';
import type { UserStackSpec } from '../stacks/user.js';
import {
  flag,
  int,
  ints,
  oneOf,
  plain,
  value,
  type CheckedOf,
  type Fields,
  type OptionsOf,
} from './field.js';
import { COMMON } from './fields.js';

const mlSize = z.object({
  batch: z.number().int().min(ML_BATCH.min).max(ML_BATCH.max),
  width: z.number().int().min(ML_WIDTH.min).max(ML_WIDTH.max),
});

const ML_EXPECTED = `BATCHxWIDTH with batch ${ML_BATCH.min}..${ML_BATCH.max} and width ${ML_WIDTH.min}..${ML_WIDTH.max}`;

export const RUN_FIELDS = {
  ...COMMON,
  stacks: plain('names', {
    flag: flag('stacks', 'a,b'),
    help: "the stacks to measure (default: quick, each server class's leading stack; full, all of them; `stackbench stacks` lists them)",
  }),
  workloads: plain('names', {
    flag: flag('workloads', 'x,y'),
    help: 'the workloads to measure (default: all; docs/WORKLOADS.md)',
  }),
  userStacks: value(z.array(z.custom<UserStackSpec>((v) => typeof v === 'object' && v !== null)), {
    help: "your own stacks (a config file's `stacks`), measured beside the reference ones",
  }),
  scaling: oneOf(['on', 'off', 'only'] as const, {
    default: 'on',
    flag: flag('scaling', 'MODE'),
    help: 'the horizontal-scaling study: on, off, or only (the study alone: replicas behind a\nbalancer, each with its CPU budget)',
  }),
  replicas: ints(1, 64, {
    flag: flag('replicas', 'a,b'),
    help: 'override the suite: replica counts the scaling study sweeps (e.g. 1,2,4)',
  }),
  cfsPeriodMs: int(1, 1000, {
    default: DEFAULT_CFS_PERIOD_US / 1000,
    flag: flag('cfs-period', 'MS'),
    help: "CFS period of the replicas' CPU quotas, in ms (production's is 100)",
  }),
  sweep: oneOf(['on', 'off'] as const, {
    default: 'on',
    flag: flag('sweep', 'MODE'),
    help: 'the ML and data size sweep: on or off',
  }),
  mlSizes: {
    kind: 'parsed',
    many: true,
    schema: mlSize,
    parse: (t) => {
      const m = /^(\d+)x(\d+)$/.exec(t.trim());
      return m ? { batch: Number(m[1]), width: Number(m[2]) } : undefined;
    },
    show: (v) => (typeof v === 'string' ? v : `${(v as MlSize).batch}x${(v as MlSize).width}`),
    expected: ML_EXPECTED,
    flag: flag('ml-sizes', 'BxW,..'),
    help: "override the suite: the ML sweep's sizes, batch x width (e.g. 16x64,256x1024)",
  },
  dataRows: {
    kind: 'parsed',
    many: true,
    schema: z.number().int().min(DATA_ROWS.min).max(DATA_ROWS.max),
    parse: (t) => Number(t.trim().replace(/k$/i, '000').replace(/m$/i, '000000')),
    expected: `rows from ${DATA_ROWS.min} to ${DATA_ROWS.max} (10k, 200k, 1m)`,
    flag: flag('data-rows', 'N,..'),
    help: "override the suite: the data sweep's rows (e.g. 10k,200k,1m)",
  },
  basePort: int(1024, 65000, {
    flag: flag('base-port', 'P'),
    help: 'use ports from P upward instead of free ones the kernel picks',
  }),
} satisfies Fields;

export type RunSettings = OptionsOf<typeof RUN_FIELDS>;
export type CheckedRun = CheckedOf<typeof RUN_FIELDS>;
