// The verifier's own answers, computed here independently of every server, from the same shared files.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SHARED } from '../paths.js';

export function countPrimes(n: number): number {
  let count = 0;
  for (let k = 2; k <= n; k++) {
    if (k < 4) {
      count++;
      continue;
    }
    if (k % 2 === 0) continue;
    let prime = true;
    for (let d = 3; d * d <= k; d += 2) {
      if (k % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

export interface Group {
  region: string;
  category: string;
  orders: number;
  units: number;
  revenue_cents: number;
  max_price_cents: number;
}

let rows: string[][] | undefined;
export function aggregate(n: number): { rows: number; groups: Group[] } {
  rows ??= readFileSync(resolve(SHARED, 'sales.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const groups = new Map<string, Group>();
  for (const r of rows.slice(0, n)) {
    const [, region, category, units, price] = r as [string, string, string, string, string];
    const key = `${region}\u0000${category}`;
    let g = groups.get(key);
    if (!g)
      groups.set(key, (g = { region, category, orders: 0, units: 0, revenue_cents: 0, max_price_cents: 0 }));
    g.orders++;
    g.units += Number(units);
    g.revenue_cents += Number(units) * Number(price);
    g.max_price_cents = Math.max(g.max_price_cents, Number(price));
  }
  const sorted = [...groups.values()].sort((a, b) =>
    a.region === b.region ? (a.category < b.category ? -1 : 1) : a.region < b.region ? -1 : 1,
  );
  return { rows: n, groups: sorted };
}

interface Model {
  w1: number[][];
  b1: number[];
  w2: number[][];
  b2: number[];
}

export function infer(inputs: number[][]): { classes: number[]; probabilities: number[][] } {
  const m = JSON.parse(readFileSync(resolve(SHARED, 'model.json'), 'utf8')) as Model;
  const classes: number[] = [];
  const probabilities: number[][] = [];
  for (const x of inputs) {
    const h = m.b1.map((b, j) =>
      Math.max(
        0,
        x.reduce((s, xi, i) => s + xi * m.w1[i]![j]!, b),
      ),
    );
    const z = m.b2.map((b, k) => h.reduce((s, hj, j) => s + hj * m.w2[j]![k]!, b));
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / sum);
    classes.push(p.indexOf(Math.max(...p)));
    probabilities.push(p);
  }
  return { classes, probabilities };
}

// ---- the sized workloads (docs/WORKLOADS.md, "Deterministic numbers", "ml at size", "data at size") ----
// Written from the contract's text, not from the servers: the PRNG runs as the stateful mulberry32 it is
// (the servers compute draw n directly), the model as nested arrays, sums of products as BigInt.

/** mulberry32 as a stateful stream: each call advances the state and returns the next unsigned 32-bit draw. */
function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export interface MlSizedReference {
  batch: number;
  width: number;
  classes: number[];
  checksum: number;
  /** Per row, the gap between the two largest logits: where it is tiny, summation order may pick either class. */
  margins: number[];
  /** Per row, the class with the second-largest logit. */
  runnersUp: number[];
}

export function mlSized(batch: number, width: number): MlSizedReference {
  const classes = 10;
  const model = mulberry32(0x4d4c0000 + width);
  const scaled = () => (model() - 2 ** 31) / 2 ** 31 / Math.sqrt(width);
  const matrix = (rows: number, cols: number) =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, scaled));
  const w1 = matrix(width, width);
  const b1 = Array.from({ length: width }, scaled);
  const w2 = matrix(width, classes);
  const b2 = Array.from({ length: classes }, scaled);
  const input = mulberry32(0x494e0000 + width);
  const out: MlSizedReference = { batch, width, classes: [], checksum: 0, margins: [], runnersUp: [] };
  let checksum = 0;
  for (let r = 0; r < batch; r++) {
    const x = Array.from({ length: width }, () => (input() - 2 ** 31) / 2 ** 31);
    const h = b1.map((b, j) =>
      Math.max(
        0,
        x.reduce((s, xi, i) => s + xi * w1[i]![j]!, b),
      ),
    );
    const z = b2.map((b, k) => h.reduce((s, hj, j) => s + hj * w2[j]![k]!, b));
    const order = z.map((v, k) => k).sort((a, b) => z[b]! - z[a]! || a - b);
    const max = z[order[0]!]!;
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    checksum += e.reduce((s, v, k) => s + (k * v) / sum, 0);
    out.classes.push(order[0]!);
    out.runnersUp.push(order[1]!);
    out.margins.push(max - z[order[1]!]!);
  }
  out.checksum = checksum;
  return out;
}

interface SaleRow {
  id: number;
  region: string;
  category: string;
  units: number;
  price: number;
}

let saleRows: SaleRow[] = [];
/** The first n rows of the sized sales table: sales.csv, then rows drawn from the extension stream. */
function salesRows(n: number): SaleRow[] {
  if (saleRows.length === 0) {
    saleRows = readFileSync(resolve(SHARED, 'sales.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [id, region, category, units, price] = line.split(',') as [
          string,
          string,
          string,
          string,
          string,
        ];
        return { id: Number(id), region, category, units: Number(units), price: Number(price) };
      });
  }
  if (saleRows.length < n) {
    const next = mulberry32(0x5a1e5000);
    const int = (lo: number, hi: number) => lo + Math.floor((next() / 2 ** 32) * (hi - lo + 1));
    const regions = ['central', 'east', 'north', 'south', 'west'];
    const categories = ['books', 'games', 'music', 'tools'];
    const rows = saleRows.slice(0, 50000);
    for (let id = 50001; id <= n; id++) {
      const region = regions[int(0, 4)]!;
      const category = categories[int(0, 3)]!;
      rows.push({ id, region, category, units: int(1, 20), price: int(99, 99999) });
    }
    saleRows = rows;
  }
  return saleRows.slice(0, n);
}

export interface JoinGroup {
  region: string;
  team: string;
  orders: number;
  units: number;
  revenue_cents: number;
  margin_cents: number;
}

export type DataSizedReference =
  | { rows: number; op: 'groupby'; groups: Group[] }
  | { rows: number; op: 'join'; groups: JoinGroup[] }
  | { rows: number; op: 'sort'; top_ids: number[]; checksum: number };

const byKeys =
  <T>(keys: Array<(g: T) => string>) =>
  (a: T, b: T) => {
    for (const key of keys) if (key(a) !== key(b)) return key(a) < key(b) ? -1 : 1;
    return 0;
  };

export function dataSized(n: number, op: 'groupby' | 'join' | 'sort'): DataSizedReference {
  const rows = salesRows(n);
  if (op === 'groupby') {
    const groups = new Map<string, Group>();
    for (const r of rows) {
      const key = `${r.region}/${r.category}`;
      const g = groups.get(key) ?? {
        region: r.region,
        category: r.category,
        orders: 0,
        units: 0,
        revenue_cents: 0,
        max_price_cents: 0,
      };
      g.orders++;
      g.units += r.units;
      g.revenue_cents += r.units * r.price;
      g.max_price_cents = Math.max(g.max_price_cents, r.price);
      groups.set(key, g);
    }
    return { rows: n, op, groups: [...groups.values()].sort(byKeys([(g) => g.region, (g) => g.category])) };
  }
  if (op === 'join') {
    const dimension = new Map(
      readFileSync(resolve(SHARED, 'categories.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','))
        .map(([category, margin, team]) => [category!, { margin: BigInt(margin!), team: team! }]),
    );
    const groups = new Map<string, JoinGroup & { margin: bigint }>();
    for (const r of rows) {
      const dim = dimension.get(r.category)!;
      const key = `${r.region}/${dim.team}`;
      const g = groups.get(key) ?? {
        region: r.region,
        team: dim.team,
        orders: 0,
        units: 0,
        revenue_cents: 0,
        margin_cents: 0,
        margin: 0n,
      };
      g.orders++;
      g.units += r.units;
      g.revenue_cents += r.units * r.price;
      g.margin += BigInt(r.units * r.price) * dim.margin;
      groups.set(key, g);
    }
    const sorted = [...groups.values()].sort(byKeys([(g) => g.region, (g) => g.team]));
    return {
      rows: n,
      op,
      groups: sorted.map(({ margin, ...g }) => ({ ...g, margin_cents: Number(margin / 100n) })),
    };
  }
  const ranked = [...rows].sort((a, b) => b.units * b.price - a.units * a.price || a.id - b.id);
  const sum = ranked.reduce((s, r, i) => s + BigInt(i + 1) * BigInt(r.id), 0n);
  return { rows: n, op, top_ids: ranked.slice(0, 100).map((r) => r.id), checksum: Number(sum % 2n ** 31n) };
}
