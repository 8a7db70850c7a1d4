import { closeDb, createDb, type Db } from './db.js';
import { loadModel, type Model } from './ml.js';
import { loadSales, type SalesTable } from './data.js';
import { serviceUrl } from './service.js';
import { sharedDir } from './shared-dir.js';

/** Everything a server process loads once at start: dataset, model, db pool, downstream URL. */
export interface Context {
  sales: SalesTable;
  model: Model;
  db: Db | null;
  downstream: string | null;
}

export function loadContext(): Context {
  const dir = sharedDir();
  return {
    sales: loadSales(dir),
    model: loadModel(dir),
    db: createDb(process.env.STACKBENCH_PG),
    downstream: serviceUrl(process.env.STACKBENCH_DOWNSTREAM),
  };
}

export async function closeContext(ctx: Context): Promise<void> {
  await closeDb(ctx.db);
}
