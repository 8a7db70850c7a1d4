// Figures read off a LoadResult, defined once for every reader (thresholds, the runner's points, reports).
import { decodeHistogram } from './histogram.js';
import type { ErrorKind, LoadResult } from './types.js';

/** A fresh count of every error kind, all zero. */
export function noErrors(): Record<ErrorKind, number> {
  return { connect: 0, reset: 0, timeout: 0, status: 0, malformed: 0 };
}

/** Failed requests / all attempts: every error kind (non-2xx included) over answered plus failed requests. */
export function errorRate(r: LoadResult): number {
  const failed = Object.values(r.errors).reduce((a, b) => a + b, 0);
  const attempts = r.requests + r.errors.connect + r.errors.reset + r.errors.timeout + r.errors.malformed;
  return attempts ? failed / attempts : 0;
}

/** Any latency percentile in ms, read from the run's histogram; undefined without a successful sample. */
export function percentileMs(r: LoadResult, p: number): number | undefined {
  if (!r.latency.count) return undefined;
  const h = decodeHistogram(r.histogram);
  try {
    return h.getValueAtPercentile(p) / 1000;
  } finally {
    h.destroy();
  }
}
