// The grammar of gates (after k6's thresholds): "p99<50ms", "p99.9<=200ms", "rps>=1000", "errors<0.1%", and
// "capacity>5000" (the highest rate held under the SLO, which only `run` and `compare` search for); a gate of a
// run may be scoped to a stack or a workload: "api:p99<50ms", "fastify/json:rps>20000". Bad syntax is bad input.
import { StackbenchError } from '../errors.js';

export interface Threshold {
  text: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

/** A threshold of a run, for every measured stack and workload or for the ones its scope names. */
export interface Gate extends Threshold {
  /** Only this stack (a target's name in compare) and, optionally, only this workload. */
  stack?: string;
  workload?: string;
}

const FORM = /^\s*(p\d+(?:\.\d+)?|rps|errors|capacity)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/;

/** A threshold of `load`: latency, rps or errors (capacity needs a search, which `load` does not run). */
export function parseThreshold(text: string): Threshold {
  return parse(text, false);
}

/** A threshold of `run` and `compare`, which search for capacity: "capacity>5000" too (req/s under the SLO). */
export function parseRunThreshold(text: string): Threshold {
  return parse(text, true);
}

/** "p99<50ms", "api:p99<50ms", "fastify/json:rps>20000"; `cmd` names the command for the hint. */
export function parseGate(text: string, cmd = 'run'): Gate {
  const colon = text.indexOf(':');
  const scope = colon > 0 ? text.slice(0, colon).trim() : '';
  const [stack, workload, extra] = scope ? scope.split('/') : [];
  if (extra !== undefined || (scope && !stack))
    throw new StackbenchError(
      'SB_BAD_FLAG',
      [`bad threshold scope "${scope}": expected NAME or NAME/WORKLOAD`],
      [cmd],
    );
  const t = parseRunThreshold(colon > 0 ? text.slice(colon + 1) : text);
  return { ...t, text: text.trim(), ...(stack ? { stack } : {}), ...(workload ? { workload } : {}) };
}

function parse(text: string, capacity: boolean): Threshold {
  const m = FORM.exec(text);
  const forms = capacity
    ? 'pNN<TIME (e.g. p99<50ms), rps>=N, errors<N% or capacity>=N'
    : 'pNN<TIME (e.g. p99<50ms), rps>=N or errors<N% (one per --threshold)';
  const bad = (why = `expected ${forms}`) =>
    new StackbenchError('SB_BAD_FLAG', [`bad threshold "${text}": ${why}`], ['load']);
  if (!m) throw bad();
  const [, metric, op, num, unit] = m as unknown as [
    string,
    string,
    Threshold['op'],
    string,
    string | undefined,
  ];
  let value = Number(num);
  if (metric.startsWith('p')) {
    if (unit === '%' || Number(metric.slice(1)) >= 100) throw bad();
    if (unit === 's') value *= 1000;
  } else if (metric === 'errors') {
    if (unit !== '%') throw bad();
  } else if (unit) throw bad();
  else if (metric === 'capacity' && !capacity) {
    throw bad(
      'capacity (req/s under the SLO) is found by the open-loop search of `run` and `compare`, not by `load`',
    );
  }
  return { text: text.trim(), metric, op, value };
}

/** Whether `actual op value` holds. */
export function holds(t: Pick<Threshold, 'op' | 'value'>, actual: number): boolean {
  return t.op === '<'
    ? actual < t.value
    : t.op === '<='
      ? actual <= t.value
      : t.op === '>'
        ? actual > t.value
        : actual >= t.value;
}
