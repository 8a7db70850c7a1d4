import { closeDb, createDb, type Db } from './db.js';
import { loadModel, type Model } from './ml.js';
import { loadSales, type SalesTable } from './data.js';
import { loadCategories, type Categories } from './sales-1m.js';
import { serviceUrl } from './service.js';
import { sharedDir } from './shared-dir.js';

/**
 * Everything a server process loads once at start: dataset, its dimension table, model, db pool, downstream
 * URL. (The sized workloads' larger data and models are made at their first request: sales-1m.ts, ml-sized.ts.)
 */
export interface Context {
  sales: SalesTable;
  categories: Categories;
  model: Model;
  db: Db | null;
  downstream: string | null;
}

export function loadContext(): Context {
  const dir = sharedDir();
  const sales = loadSales(dir);
  return {
    sales,
    categories: loadCategories(dir, sales),
    model: loadModel(dir),
    db: createDb(process.env.STACKBENCH_PG),
    downstream: serviceUrl(process.env.STACKBENCH_DOWNSTREAM),
  };
}

export async function closeContext(ctx: Context): Promise<void> {
  await closeDb(ctx.db);
}
