// verify(): every chosen stack started alone on the server cores and checked on every chosen workload (the same
// answers, proper HTTP), for the `verify` command and for programs that use stackbench as a library.
import { verify as verifyStacks, type Verification, type VerifyEvent } from '../verify/verify.js';
import { resolveSelection, type Selection } from './select.js';

export type { Cell, StackVerification, Verification, VerifyEvent } from '../verify/verify.js';

export interface VerifyOptions extends Selection {
  /** Use ports from this one upward instead of free ones the kernel picks. */
  basePort?: number;
  /** Abort to stop after the check under way; the result says `interrupted`. */
  signal?: AbortSignal;
  /** A stack starting, each cell checked. */
  onEvent?: (e: VerifyEvent) => void;
}

/** Resolves with every cell's status (`ok`: every available cell passed); stacks are stopped before it resolves. */
export async function verify(options: VerifyOptions = {}): Promise<Verification> {
  const { stacks, workloads } = resolveSelection(options);
  return verifyStacks(stacks, workloads, {
    basePort: options.basePort,
    signal: options.signal,
    onEvent: options.onEvent,
  });
}
