// Latency histograms: HdrHistogram (hdr-histogram-js) at microsecond resolution, 3 significant digits.
// Constant memory however long the run; mergeable exactly (worker threads, shards, repetitions) through
// the compressed base64 encoding that crosses thread and process boundaries.
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** 1 µs .. 1 hour: wide enough for any request, auto-resizing beyond. */
export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(s: string): Histogram {
  return hdr.decodeFromCompressedBase64(s, 32, false);
}

/** Merge encoded histograms into one (exact: counts per bucket add). */
export function mergeEncoded(encoded: string[]): Histogram {
  const total = newHistogram();
  for (const e of encoded) {
    const h = decodeHistogram(e);
    total.add(h);
    h.destroy();
  }
  return total;
}

/** Percentiles reported everywhere; values in milliseconds. */
export const PERCENTILES = [50, 75, 90, 99, 99.9, 99.99] as const;

export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  stdevMs: number;
  maxMs: number;
  /** key is the percentile as written: "50", "99.9" */
  percentilesMs: Record<string, number>;
}

export function summarize(h: Histogram): LatencySummary {
  const percentilesMs: Record<string, number> = {};
  for (const p of PERCENTILES) percentilesMs[String(p)] = h.totalCount ? h.getValueAtPercentile(p) / 1000 : 0;
  return {
    count: h.totalCount,
    minMs: h.totalCount ? h.minNonZeroValue / 1000 : 0,
    meanMs: h.totalCount ? h.mean / 1000 : 0,
    stdevMs: h.totalCount ? h.stdDeviation / 1000 : 0,
    maxMs: h.totalCount ? h.maxValue / 1000 : 0,
    percentilesMs,
  };
}

/** Full spectrum (percentile -> ms) for charts: log-spaced ticks up to 99.999. */
export function spectrum(h: Histogram): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (!h.totalCount) return out;
  for (const p of [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100]) {
    out.push([p, h.getValueAtPercentile(p) / 1000]);
  }
  return out;
}
