/**
 * Data at size (GET /data/sized?rows=N&op=groupby|join|sort&impl=loops|arquero): the answers, and the plain-loop
 * implementation over the typed-array columns. data-arquero.ts answers the same with arquero's verbs.
 */
import { aggregate, type Group, type SalesTable } from './data.js';
import { intParam } from './params.js';
import type { Categories } from './sales-1m.js';
import { SIZED_MAX_ROWS } from './sales-1m.js';

export const DATA_OPS = ['groupby', 'join', 'sort'] as const;
export type DataOp = (typeof DATA_OPS)[number];
export const DATA_IMPLS = ['loops', 'arquero'] as const;
export type DataImpl = (typeof DATA_IMPLS)[number];
export const SIZED_MIN_ROWS = 10_000;
/** How many ids of the sorted order the answer lists; the checksum covers them all. */
export const TOP_IDS = 100;
/** The order checksum is taken modulo 2^31. */
export const CHECKSUM_MOD = 2 ** 31;

export interface JoinGroup {
  region: string;
  team: string;
  orders: number;
  units: number;
  revenue_cents: number;
  margin_cents: number;
}

export type SizedDataAnswer =
  | { rows: number; op: 'groupby'; groups: Group[] }
  | { rows: number; op: 'join'; groups: JoinGroup[] }
  | { rows: number; op: 'sort'; top_ids: number[]; checksum: number };

export interface DataSizedParams {
  rows: number;
  op: DataOp;
  impl: DataImpl;
}

function choice<T extends string>(raw: unknown, name: string, allowed: readonly T[]): T | string {
  if (raw === undefined || raw === null) return allowed[0] as T;
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) return raw as T;
  return `${name} must be one of ${allowed.join(', ')}`;
}

/** Validates rows, op and impl; returns them, or the message of a 400. */
export function dataSizedParams(
  rawRows: unknown,
  rawOp: unknown,
  rawImpl: unknown,
): DataSizedParams | string {
  const rows = intParam(rawRows, 'rows', SIZED_MIN_ROWS, SIZED_MAX_ROWS, 50_000);
  if (typeof rows === 'string') return rows;
  const op = choice(rawOp, 'op', DATA_OPS);
  if (!(DATA_OPS as readonly string[]).includes(op)) return op;
  const impl = choice(rawImpl, 'impl', DATA_IMPLS);
  if (!(DATA_IMPLS as readonly string[]).includes(impl)) return impl;
  return { rows, op: op as DataOp, impl: impl as DataImpl };
}

/** Per (region, team): the category's team and margin looked up by code, an array index rather than a hash. */
export function joinLoops(t: SalesTable, cats: Categories, rows: number): JoinGroup[] {
  const nTeams = cats.teams.length;
  const size = t.regions.length * nTeams;
  const orders = new Float64Array(size);
  const units = new Float64Array(size);
  const revenue = new Float64Array(size);
  const margin = new Float64Array(size); // sum of revenue * margin_pct: below 2^53 for 1M rows, exact
  const { region, category, units: u, price } = t;
  const { team, margin: pct } = cats;
  for (let i = 0; i < rows; i++) {
    const c = category[i] as number;
    const g = (region[i] as number) * nTeams + (team[c] as number);
    const n = u[i] as number;
    const rev = n * (price[i] as number);
    orders[g] = (orders[g] as number) + 1;
    units[g] = (units[g] as number) + n;
    revenue[g] = (revenue[g] as number) + rev;
    margin[g] = (margin[g] as number) + rev * (pct[c] as number);
  }
  const groups: JoinGroup[] = [];
  for (let g = 0; g < size; g++) {
    if (orders[g] === 0) continue;
    groups.push({
      region: t.regions[Math.floor(g / nTeams)] as string,
      team: cats.teams[g % nTeams] as string,
      orders: orders[g] as number,
      units: units[g] as number,
      revenue_cents: revenue[g] as number,
      margin_cents: Math.floor((margin[g] as number) / 100),
    });
  }
  return groups;
}

/** sum over positions p = 1..n of p * ids[p - 1], modulo 2^31: it changes with any change of the order. */
export function orderChecksum(ids: ArrayLike<number>): number {
  let sum = 0;
  for (let p = 0; p < ids.length; p++) sum = (sum + (p + 1) * (ids[p] as number)) % CHECKSUM_MOD;
  return sum;
}

const ID_SPAN = 2 ** 20; // ids are 1..1,000,000 < 2^20
const REVENUE_SPAN = 2 ** 21; // units * price <= 20 * 99,999 < 2^21

/**
 * Revenue descending, id ascending, with one key per row: (2^21 - revenue) * 2^20 + id, an integer below 2^41,
 * so a Float64Array's own numeric sort (no comparator call per pair) gives the order and the key gives the id back.
 */
export function sortLoops(t: SalesTable, rows: number): { top_ids: number[]; checksum: number } {
  const keys = new Float64Array(rows);
  const { id, units, price } = t;
  for (let i = 0; i < rows; i++) {
    keys[i] = (REVENUE_SPAN - (units[i] as number) * (price[i] as number)) * ID_SPAN + (id[i] as number);
  }
  keys.sort();
  const ids = new Int32Array(rows);
  for (let p = 0; p < rows; p++) ids[p] = (keys[p] as number) % ID_SPAN;
  return { top_ids: Array.from(ids.subarray(0, TOP_IDS)), checksum: orderChecksum(ids) };
}

export function dataSizedLoops(t: SalesTable, cats: Categories, rows: number, op: DataOp): SizedDataAnswer {
  if (op === 'groupby') return { rows, op, groups: aggregate(t, rows) };
  if (op === 'join') return { rows, op, groups: joinLoops(t, cats, rows) };
  return { rows, op, ...sortLoops(t, rows) };
}
