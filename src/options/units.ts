// Text to values, for every place a user writes one (flags, the config file): durations, integers, rates and
// lists, each refused in the error catalog's words with the name the user wrote it under.
import { StackbenchError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "500ms", "10s", "2m", "1h" or a bare number of seconds -> milliseconds. At most 1 hour. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new StackbenchError('SB_BAD_DURATION', [text]);
  const ms = Number(m[1]) * UNITS[m[2] ?? 's']!;
  if (!(ms > 0) || ms > 3_600_000) throw new StackbenchError('SB_BAD_DURATION', [text]);
  return Math.round(ms);
}

/** An integer flag within [min, max]. */
export function parseIntFlag(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new StackbenchError('SB_BAD_NUMBER', [flag, text, `an integer from ${min} to ${max}`], [flag]);
  }
  return n;
}

/** A positive number flag (rates may be fractional) within (0, max]. */
export function parseRate(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(n > 0) || n > max) {
    throw new StackbenchError('SB_BAD_NUMBER', [flag, text, `a number above 0 and at most ${max}`], [flag]);
  }
  return n;
}
