// The thresholds of `load`: read off one LoadResult.
import { errorRate, percentileMs } from '../engine/result.js';
import type { LoadResult } from '../engine/types.js';
import { holds, type Threshold } from './grammar.js';

export interface ThresholdCheck {
  threshold: string;
  actual: number | null;
  ok: boolean;
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

export function checkThresholds(ts: Threshold[], r: LoadResult, extra: ExtraFigures = {}): ThresholdCheck[] {
  return ts.map((t) => {
    const v = figure(t, r, extra);
    return { threshold: t.text, actual: v ?? null, ok: v !== undefined && holds(t, v) };
  });
}
