/**
 * Data at size with arquero (impl=arquero): the same answers as the loops, written the way arquero's docs
 * write queries — verbs on a column table, aggregate expressions in rollup, lookup for a dimension table.
 * The arquero tables are built once per process from the typed-array columns (as pandas' frame is built once
 * from the CSV); per request, slice the first N rows and query.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { Group, SalesTable } from './data.js';
import type { Categories } from './sales-1m.js';
import { orderChecksum, TOP_IDS, type DataOp, type JoinGroup, type SizedDataAnswer } from './data-sized.js';

const { op } = aq;

interface Frames {
  sales: ColumnTable;
  categories: ColumnTable;
}

const frames = new WeakMap<SalesTable, Frames>();

function framesOf(t: SalesTable, cats: Categories): Frames {
  let f = frames.get(t);
  if (!f) {
    f = {
      // Labels as strings, numbers as the typed arrays themselves (arquero takes any array-like column).
      sales: aq.table({
        id: t.id,
        region: Array.from(t.region, (c) => t.regions[c] as string),
        category: Array.from(t.category, (c) => t.categories[c] as string),
        units: t.units,
        price_cents: t.price,
      }),
      categories: aq.table({
        category: t.categories,
        margin_pct: Array.from(cats.margin),
        team: Array.from(cats.team, (c) => cats.teams[c] as string),
      }),
    };
    frames.set(t, f);
  }
  return f;
}

function groupby(sales: ColumnTable): Group[] {
  return sales
    .groupby('region', 'category')
    .rollup({
      orders: op.count(),
      units: op.sum('units'),
      revenue_cents: (d: { units: number; price_cents: number }) => op.sum(d.units * d.price_cents),
      max_price_cents: op.max('price_cents'),
    })
    .orderby('region', 'category')
    .objects() as Group[];
}

function join(sales: ColumnTable, categories: ColumnTable): JoinGroup[] {
  const groups = sales
    .lookup(categories, 'category', 'margin_pct', 'team')
    .groupby('region', 'team')
    .rollup({
      orders: op.count(),
      units: op.sum('units'),
      revenue_cents: (d: { units: number; price_cents: number }) => op.sum(d.units * d.price_cents),
      margin: (d: { units: number; price_cents: number; margin_pct: number }) =>
        op.sum(d.units * d.price_cents * d.margin_pct),
    })
    .orderby('region', 'team')
    .objects() as Array<Omit<JoinGroup, 'margin_cents'> & { margin: number }>;
  return groups.map(({ margin, ...g }) => ({ ...g, margin_cents: Math.floor(margin / 100) }));
}

function sort(sales: ColumnTable): { top_ids: number[]; checksum: number } {
  const ids = sales
    .derive({ revenue_cents: (d: { units: number; price_cents: number }) => d.units * d.price_cents })
    .orderby(aq.desc('revenue_cents'), 'id')
    .array('id', Int32Array) as Int32Array;
  return { top_ids: Array.from(ids.subarray(0, TOP_IDS)), checksum: orderChecksum(ids) };
}

export function dataSizedArquero(t: SalesTable, cats: Categories, rows: number, op: DataOp): SizedDataAnswer {
  const f = framesOf(t, cats);
  const sales = f.sales.slice(0, rows);
  if (op === 'groupby') return { rows, op, groups: groupby(sales) };
  if (op === 'join') return { rows, op, groups: join(sales, f.categories) };
  return { rows, op, ...sort(sales) };
}
