/**
 * The workloads as framework-free functions from raw inputs to a Reply. Each stack routes requests its own
 * idiomatic way and sends the Reply with its own API; /json stays inline in each stack (the hot path).
 */
import { countPrimes } from './cpu.js';
import { aggregate } from './data.js';
import { wait } from './io.js';
import { parseInputs, predict } from './ml.js';
import { intParam } from './params.js';
import { fail, ok, type Reply } from './reply.js';
import type { Context } from './context.js';

export { dbReply } from './db.js';
export { serviceReply } from './service.js';
export type { Reply } from './reply.js';

export async function ioReply(rawMs: unknown): Promise<Reply> {
  const ms = intParam(rawMs, 'ms', 0, 10000, 20);
  if (typeof ms === 'string') return fail(400, ms);
  await wait(ms);
  return ok({ waited_ms: ms });
}

export function cpuReply(rawN: unknown): Reply {
  const n = intParam(rawN, 'n', 1, 200000, 10000);
  if (typeof n === 'string') return fail(400, n);
  return ok({ n, primes: countPrimes(n) });
}

export function dataReply(ctx: Context, rawRows: unknown): Reply {
  const rows = intParam(rawRows, 'rows', 1, Math.min(50000, ctx.sales.rows), 50000);
  if (typeof rows === 'string') return fail(400, rows);
  return ok({ rows, groups: aggregate(ctx.sales, rows) });
}

export function mlReply(ctx: Context, body: unknown): Reply {
  const batch = parseInputs(body, ctx.model.inputs);
  if (typeof batch === 'string') return fail(400, batch);
  return ok(predict(ctx.model, batch));
}

export const NOT_FOUND: Reply = fail(404, 'not found');
