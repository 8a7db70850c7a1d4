#!/usr/bin/env node
// Generates servers/shared/{sales.csv,model.json,ml-batch.json}: the fixed dataset, model weights and ML batch that
// every stack loads, so answers can be compared byte for byte. Deterministic (seeded PRNG): re-running changes
// nothing. (categories.csv is written by hand. The sized workloads' rows past 50,000 and their models are drawn
// in the servers from the same mulberry32 with other seeds: docs/WORKLOADS.md, "Deterministic numbers".)
import { writeFileSync } from 'node:fs';

let seed = 0x5eed1234;
function rand() {
  // mulberry32: small, well-known, deterministic
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const round6 = (x) => Math.round(x * 1e6) / 1e6;

const regions = ['central', 'east', 'north', 'south', 'west'];
const categories = ['books', 'games', 'music', 'tools'];
const rows = ['id,region,category,units,price_cents'];
for (let id = 1; id <= 50000; id++) {
  rows.push([id, regions[int(0, 4)], categories[int(0, 3)], int(1, 20), int(99, 99999)].join(','));
}
writeFileSync('servers/shared/sales.csv', rows.join('\n') + '\n');

const matrix = (r, c) =>
  Array.from({ length: r }, () => Array.from({ length: c }, () => round6(rand() * 2 - 1)));
const model = {
  description:
    'MLP 8 -> 16 (ReLU) -> 3 (softmax). w1[i][j]: input i to hidden j; w2[j][k]: hidden j to class k.',
  w1: matrix(8, 16),
  b1: matrix(1, 16)[0],
  w2: matrix(16, 3),
  b2: matrix(1, 3)[0],
};
writeFileSync('servers/shared/model.json', JSON.stringify(model, null, 1) + '\n');

const batch = { inputs: matrix(64, 8).map((r) => r.map((x) => round6(x * 3))) };
writeFileSync('servers/shared/ml-batch.json', JSON.stringify(batch) + '\n');
console.log('wrote servers/shared/{sales.csv,model.json,ml-batch.json}');
