import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * sales.csv held as columns: region and category as codes into sorted name lists (so group order falls out
 * of the codes), units and price as Int32Arrays. Loaded once at start; every request aggregates afresh.
 */
export interface SalesTable {
  rows: number;
  id: Int32Array;
  regions: string[];
  categories: string[];
  region: Uint8Array;
  category: Uint8Array;
  units: Int32Array;
  price: Int32Array;
}

export interface Group {
  region: string;
  category: string;
  orders: number;
  units: number;
  revenue_cents: number;
  max_price_cents: number;
}

const COLUMNS = ['id', 'region', 'category', 'units', 'price_cents'];

function toInt(text: string, line: number): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new Error(`sales.csv line ${line}: not an integer: ${text}`);
  return value;
}

function codes(values: string[]): { names: string[]; index: Map<string, number> } {
  const names = [...new Set(values)].sort();
  if (names.length > 255) throw new Error('sales.csv: too many distinct labels');
  return { names, index: new Map(names.map((name, i) => [name, i])) };
}

export function loadSales(dir: string): SalesTable {
  const lines = readFileSync(join(dir, 'sales.csv'), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const header = (lines[0] ?? '').trim().split(',');
  if (header.join(',') !== COLUMNS.join(','))
    throw new Error(`sales.csv: expected columns ${COLUMNS.join(',')}`);
  const cells = lines.slice(1).map((line, i) => {
    const cols = line.trim().split(',');
    if (cols.length !== COLUMNS.length)
      throw new Error(`sales.csv line ${i + 2}: expected ${COLUMNS.length} fields`);
    return cols;
  });
  const rows = cells.length;
  const regionCodes = codes(cells.map((c) => c[1] as string));
  const categoryCodes = codes(cells.map((c) => c[2] as string));
  const table: SalesTable = {
    rows,
    id: new Int32Array(rows),
    regions: regionCodes.names,
    categories: categoryCodes.names,
    region: new Uint8Array(rows),
    category: new Uint8Array(rows),
    units: new Int32Array(rows),
    price: new Int32Array(rows),
  };
  cells.forEach((c, i) => {
    table.id[i] = toInt(c[0] as string, i + 2);
    table.region[i] = regionCodes.index.get(c[1] as string) as number;
    table.category[i] = categoryCodes.index.get(c[2] as string) as number;
    table.units[i] = toInt(c[3] as string, i + 2);
    table.price[i] = toInt(c[4] as string, i + 2);
  });
  return table;
}

/** Group the first `rows` rows by (region, category); groups sorted by region then category, empty ones left out. */
export function aggregate(table: SalesTable, rows: number): Group[] {
  const nCat = table.categories.length;
  const size = table.regions.length * nCat;
  const orders = new Float64Array(size);
  const units = new Float64Array(size);
  const revenue = new Float64Array(size); // sums reach ~1e11: beyond int32, exact in doubles
  const maxPrice = new Float64Array(size);
  const { region, category, units: u, price } = table;
  for (let i = 0; i < rows; i++) {
    const g = (region[i] as number) * nCat + (category[i] as number);
    const p = price[i] as number;
    const n = u[i] as number;
    const seen = orders[g] as number;
    orders[g] = seen + 1;
    units[g] = (units[g] as number) + n;
    revenue[g] = (revenue[g] as number) + n * p;
    if (seen === 0 || p > (maxPrice[g] as number)) maxPrice[g] = p;
  }
  const groups: Group[] = [];
  for (let g = 0; g < size; g++) {
    if (orders[g] === 0) continue;
    groups.push({
      region: table.regions[Math.floor(g / nCat)] as string,
      category: table.categories[g % nCat] as string,
      orders: orders[g] as number,
      units: units[g] as number,
      revenue_cents: revenue[g] as number,
      max_price_cents: maxPrice[g] as number,
    });
  }
  return groups;
}
