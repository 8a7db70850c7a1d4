// The options of compare (the library's compare(), the `compare` command), stated once. What is sent (requests,
// values) is assembled by the command from several flags (--request, -H, --body, --value, a config's mix).
import { z } from 'zod';
import type { TargetSpec } from '../compare/targets.js';
import type { CompareConfig, CompareRequest } from '../results/types.js';
import { flag, plain, value, type CheckedOf, type Fields, type OptionsOf } from './field.js';
import { COMMON } from './fields.js';

const object = <T>() => z.custom<T>((v) => typeof v === 'object' && v !== null);

export const COMPARE_FIELDS = {
  ...COMMON,
  connections: { ...COMMON.connections, default: [64], help: 'closed-loop connections' },
  targets: value(z.array(z.union([z.string(), object<TargetSpec>()])), {
    help: '"api=http://127.0.0.1:3000", "api=node server.js --port {port}", or the same as objects',
  }),
  requests: value(z.array(object<Partial<CompareRequest> & { path: string }>()).min(1), {
    help: 'what to send (default GET /); a mix is weighted by `weight`',
  }),
  values: value(object<NonNullable<CompareConfig['values']>>(), {
    help: 'where each {name} placeholder in a path or body gets its value',
  }),
  allowRemote: plain('texts', {
    flag: flag('allow-remote', 'H'),
    help: 'allow a URL target on the non-loopback host H (repeatable); loopback only otherwise',
  }),
  readyTimeoutMs: plain('duration', {
    default: 30_000,
    flag: flag('ready-timeout', 'D'),
    help: 'how long a target started by command may take to answer',
  }),
} satisfies Fields;

export type CompareSettings = OptionsOf<typeof COMPARE_FIELDS>;
export type CheckedCompare = CheckedOf<typeof COMPARE_FIELDS>;
