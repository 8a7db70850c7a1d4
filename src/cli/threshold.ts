// Thresholds (after k6's): "p99<50ms", "p99.9<=200ms", "rps>=1000", "errors<0.1%". A run that misses one exits
// with 3, so CI can fail on a regression. Bad syntax is bad input (exit 2).
import { StackbenchError } from '../errors.js';
import { errorRate, percentileMs } from '../engine/result.js';
import type { LoadResult } from '../engine/types.js';

export interface Threshold {
  text: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

const FORM = /^\s*(p\d+(?:\.\d+)?|rps|errors)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/;

export function parseThreshold(text: string): Threshold {
  const m = FORM.exec(text);
  const bad = () =>
    new StackbenchError(
      'SB_BAD_FLAG',
      [
        `bad threshold "${text}": expected pNN<TIME (e.g. p99<50ms), rps>=N or errors<N% (one per --threshold)`,
      ],
      ['load'],
    );
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
  return { text: text.trim(), metric, op, value };
}

/** The figure a threshold reads: latency percentiles in ms, rps, error rate in %. */
function figure(t: Threshold, r: LoadResult): number | undefined {
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

export function checkThresholds(ts: Threshold[], r: LoadResult): ThresholdCheck[] {
  return ts.map((t) => {
    const v = figure(t, r);
    const ok =
      v !== undefined &&
      (t.op === '<' ? v < t.value : t.op === '<=' ? v <= t.value : t.op === '>' ? v > t.value : v >= t.value);
    return { threshold: t.text, actual: v ?? null, ok };
  });
}
