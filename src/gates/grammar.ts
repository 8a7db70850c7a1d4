// Thresholds (after k6's): "p99<50ms", "p99.9<=200ms", "rps>=1000", "errors<0.1%", and "capacity>5000" (the
// highest rate held under the SLO, which only `run` and `compare` search for). A run that misses one exits with 3,
// so CI can fail on a regression. Bad syntax is bad input (exit 2).
import { StackbenchError } from '../errors.js';
import { errorRate, percentileMs } from '../engine/result.js';
import type { LoadResult } from '../engine/types.js';

export interface Threshold {
  text: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
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

/** Figures that are not in a LoadResult: capacity comes from a search over many loads. */
export interface ExtraFigures {
  capacity?: number;
}

/** The figure a threshold reads: latency percentiles in ms, rps, error rate in %, capacity in req/s. */
function figure(t: Threshold, r: LoadResult, extra: ExtraFigures): number | undefined {
  if (t.metric === 'capacity') return extra.capacity;
  if (t.metric === 'rps') return r.rps;
  if (t.metric === 'errors') return 100 * errorRate(r);
  // Any percentile, not only the summary's: read it from the run's histogram.
  return percentileMs(r, Number(t.metric.slice(1)));
}

export interface ThresholdCheck {
  threshold: string;
  actual: number | null;
  ok: boolean;
}

export function checkThresholds(ts: Threshold[], r: LoadResult, extra: ExtraFigures = {}): ThresholdCheck[] {
  return ts.map((t) => {
    const v = figure(t, r, extra);
    const ok =
      v !== undefined &&
      (t.op === '<' ? v < t.value : t.op === '<=' ? v <= t.value : t.op === '>' ? v > t.value : v >= t.value);
    return { threshold: t.text, actual: v ?? null, ok };
  });
}
