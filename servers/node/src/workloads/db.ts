import pg from 'pg';
import { fail, ok, type Reply } from './reply.js';

const QUERY = 'SELECT id, randomnumber FROM world WHERE id = $1';
const TABLE_ROWS = 10000;

export interface Db {
  pool: pg.Pool;
}

/** One pool per process (max 10, as the contract says); null when the lab gave no database. */
export function createDb(url: string | undefined): Db | null {
  if (!url) return null;
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its connection must not crash the server; the next query fails with a 502 instead.
  pool.on('error', () => {});
  return { pool };
}

export async function dbReply(db: Db | null): Promise<Reply> {
  if (!db) return fail(503, 'database not configured: STACKBENCH_PG is unset');
  const id = 1 + Math.floor(Math.random() * TABLE_ROWS);
  try {
    const result = await db.pool.query<{ id: number; randomnumber: number }>(QUERY, [id]);
    const row = result.rows[0];
    if (!row) return fail(502, `database: no row with id ${id}`);
    return ok({ id: row.id, randomNumber: row.randomnumber });
  } catch (err) {
    return fail(502, `database: ${(err as Error).message}`);
  }
}

export async function closeDb(db: Db | null): Promise<void> {
  if (db) await db.pool.end();
}
