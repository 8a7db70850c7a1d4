/**
 * The workloads as framework-free functions from raw inputs to a Reply. Each stack routes requests its own
 * idiomatic way and sends the Reply with its own API; /json stays inline in each stack (the hot path).
 */
import { countPrimes } from './cpu.js';
import { aggregate } from './data.js';
import { wait } from './io.js';
import { dataSizedArquero } from './data-arquero.js';
import { dataSizedLoops, dataSizedParams, DATA_IMPLS } from './data-sized.js';
import { parseInputs, predict } from './ml.js';
import { forward, mlSizedParams, modelFor } from './ml-sized.js';
import { salesWith } from './sales-1m.js';
import { intParam } from './params.js';
import { fail, ok, type Reply } from './reply.js';
import type { Context } from './context.js';
import { ARQUERO_VERSION } from './versions.js';

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

export function mlSizedReply(rawBatch: unknown, rawWidth: unknown): Reply {
  const params = mlSizedParams(rawBatch, rawWidth);
  if (typeof params === 'string') return fail(400, params);
  return ok(forward(modelFor(params.width), params.batch));
}

export function dataSizedReply(ctx: Context, rawRows: unknown, rawOp: unknown, rawImpl: unknown): Reply {
  const params = dataSizedParams(rawRows, rawOp, rawImpl);
  if (typeof params === 'string') return fail(400, params);
  const { rows, op, impl } = params;
  const table = salesWith(ctx.sales, rows);
  const run = impl === 'arquero' ? dataSizedArquero : dataSizedLoops;
  return ok(run(table, ctx.categories, rows, op));
}

/** What computes the answers here: the runtime, and the library behind impl=arquero. */
export function infoReply(): Reply {
  return ok({
    node: process.versions.node,
    v8: process.versions.v8,
    arquero: ARQUERO_VERSION,
    data_impls: [...DATA_IMPLS],
  });
}

export const NOT_FOUND: Reply = fail(404, 'not found');
