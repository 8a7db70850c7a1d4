// Histograms merged through their encoded form are exact: counts add, percentiles equal one histogram fed
// every value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHistogram, mergeEncoded, newHistogram, summarize } from '../../src/engine/histogram.js';

test('merging encoded shards equals recording everything in one histogram', () => {
  const all = newHistogram();
  const shards = [newHistogram(), newHistogram(), newHistogram()];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 30_000; i++) {
    // Log-spread values, 10 µs .. 10 s
    const v = Math.round(10 * 10 ** (6 * rnd()));
    all.recordValue(v);
    shards[i % 3]!.recordValue(v);
  }
  const merged = mergeEncoded(shards.map(encodeHistogram));
  assert.equal(merged.totalCount, 30_000);
  assert.equal(
    merged.totalCount,
    shards.reduce((n, h) => n + h.totalCount, 0),
  );
  // The encoding keeps bucket counts (max becomes its bucket's top), so compare with `all` encoded too.
  const allRoundTrip = mergeEncoded([encodeHistogram(all)]);
  assert.deepEqual(summarize(merged), summarize(allRoundTrip));
  assert.equal(summarize(merged).percentilesMs['99'], summarize(all).percentilesMs['99']);
  for (const h of [all, allRoundTrip, merged, ...shards]) h.destroy();
});
