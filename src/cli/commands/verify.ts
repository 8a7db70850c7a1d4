// stackbench verify: every stack x workload checked for the same answers and proper HTTP. The work is the
// library's verify() (src/api/verify.ts); this command turns flags into its options and prints.
import { verify } from '../../api/verify.js';
import { ExitCode, StackbenchError } from '../../errors.js';
import { renderVerification } from '../../report/verification.js';
import { interrupt } from '../../machine/process.js';
import { byFlag, checkOptions, RUN_FIELDS } from '../../options/index.js';
import { WORKLOAD_IDS, type WorkloadId } from '../../workloads.js';
import { defineCommand } from '../command.js';
import { flagsOf, optionsFromFlags } from '../flags.js';

/** verify's options are a run's selection and ports. */
const VERIFY_FIELDS = {
  stacks: RUN_FIELDS.stacks,
  workloads: RUN_FIELDS.workloads,
  basePort: RUN_FIELDS.basePort,
};

const flags = {
  ...flagsOf(VERIFY_FIELDS),
  json: { type: 'boolean', help: 'print one JSON document on stdout, nothing else' },
} as const;

export const verifyCommand = defineCommand({
  name: 'verify',
  summary: 'check that every stack answers every workload correctly',
  about:
    'Starts each stack alone on the server cores and checks every workload: status, Content-Type, framing, Server and\n' +
    'Date headers, the same answer as every other stack, and a 400 (not a crash or a hang) for bad parameters.',
  flags,
  footer: 'Exit 0 when every available cell passes, 1 when one fails, 2 on bad input.',
  async run(values) {
    const o = checkOptions(VERIFY_FIELDS, optionsFromFlags(VERIFY_FIELDS, values), byFlag, 'verify') as {
      stacks?: string[];
      workloads?: string[];
      basePort?: number;
    };
    const live = !values.json && process.stderr.isTTY;
    const v = await verify({
      ...o,
      signal: interrupt.signal,
      onEvent: (e) => {
        if (values.json) return;
        if (e.type === 'stack')
          process.stderr.write(`${live ? '\r\x1b[K' : ''}verifying ${e.id}…${live ? '' : '\n'}`);
      },
    });
    if (live) process.stderr.write('\r\x1b[K');
    if (values.json) process.stdout.write(JSON.stringify(v, null, 2) + '\n');
    else
      process.stdout.write(renderVerification(v, (o.workloads ?? [...WORKLOAD_IDS]) as WorkloadId[]) + '\n');
    if (v.interrupted) throw new StackbenchError('SB_INTERRUPTED');
    return v.ok ? ExitCode.ok : ExitCode.failure;
  },
});
