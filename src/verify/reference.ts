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
