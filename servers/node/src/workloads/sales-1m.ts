/**
 * The sales table at size: rows 1..50,000 are sales.csv, rows 50,001..1,000,000 come from the shared PRNG
 * (docs/WORKLOADS.md, "data at size"), and categories.csv is the dimension table of the join. The extension is
 * generated in this process the first time a request needs more than sales.csv holds (about 30 ms here), then
 * kept: no 25 MB file on disk, no cost for the servers' start or memory unless the sized workload is used.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawInt } from './prng.js';
import type { SalesTable } from './data.js';

export const SIZED_MAX_ROWS = 1_000_000;
/** Seed of the extension's stream; its draws 4k+1..4k+4 are row 50,001+k's region, category, units, price. */
export const EXTENSION_SEED = 0x5a1e5000;
/** The generator's label lists (sorted, so a drawn index is also the label's code in the loaded table). */
export const REGIONS = ['central', 'east', 'north', 'south', 'west'];
export const CATEGORIES = ['books', 'games', 'music', 'tools'];

export function extendSales(base: SalesTable, rows = SIZED_MAX_ROWS): SalesTable {
  if (base.regions.join() !== REGIONS.join() || base.categories.join() !== CATEGORIES.join()) {
    throw new Error('sales.csv labels differ from the generator of rows beyond it');
  }
  const from = base.rows;
  const table: SalesTable = {
    rows,
    regions: base.regions,
    categories: base.categories,
    id: new Int32Array(rows),
    region: new Uint8Array(rows),
    category: new Uint8Array(rows),
    units: new Int32Array(rows),
    price: new Int32Array(rows),
  };
  table.id.set(base.id);
  table.region.set(base.region);
  table.category.set(base.category);
  table.units.set(base.units);
  table.price.set(base.price);
  for (let r = from; r < rows; r++) {
    const n = (r - from) * 4;
    table.id[r] = r + 1;
    table.region[r] = drawInt(EXTENSION_SEED, n + 1, 0, REGIONS.length - 1);
    table.category[r] = drawInt(EXTENSION_SEED, n + 2, 0, CATEGORIES.length - 1);
    table.units[r] = drawInt(EXTENSION_SEED, n + 3, 1, 20);
    table.price[r] = drawInt(EXTENSION_SEED, n + 4, 99, 99999);
  }
  return table;
}

const extended = new WeakMap<SalesTable, SalesTable>();

/** A table holding at least `rows` rows: sales.csv itself when it is enough, else the 1M table (made once). */
export function salesWith(base: SalesTable, rows: number): SalesTable {
  if (rows <= base.rows) return base;
  let big = extended.get(base);
  if (!big) {
    big = extendSales(base);
    extended.set(base, big);
  }
  return big;
}

/** categories.csv by category code of the sales table: its margin and its team's code (teams sorted). */
export interface Categories {
  teams: string[];
  team: Uint8Array;
  margin: Int32Array;
}

export function loadCategories(dir: string, sales: SalesTable): Categories {
  const lines = readFileSync(join(dir, 'categories.csv'), 'utf8').trim().split('\n');
  if ((lines[0] ?? '').trim() !== 'category,margin_pct,team') {
    throw new Error('categories.csv: expected columns category,margin_pct,team');
  }
  const rows = lines.slice(1).map((line) => line.trim().split(','));
  const teams = [...new Set(rows.map((r) => r[2] ?? ''))].sort();
  const out: Categories = {
    teams,
    team: new Uint8Array(sales.categories.length),
    margin: new Int32Array(sales.categories.length),
  };
  sales.categories.forEach((name, code) => {
    const row = rows.find((r) => r[0] === name);
    if (!row || !/^[0-9]+$/.test(row[1] ?? ''))
      throw new Error(`categories.csv: no integer margin for ${name}`);
    out.margin[code] = Number(row[1]);
    out.team[code] = teams.indexOf(row[2] as string);
  });
  return out;
}
