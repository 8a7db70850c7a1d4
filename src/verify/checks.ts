// What "passes" means for each workload (after TechEmpower's verifier): status, headers, the answer itself,
// and bad parameters answered with a 400 and a message rather than a crash or a hang.
import { isDeepStrictEqual } from 'node:util';
import { WORLD_ROWS, randomNumberOf } from '../lab/postgres.js';
import { mlBatchBody, type LabWorkloadId } from '../workloads.js';
import { exchange, type Exchange } from './fetch.js';
import { aggregate, countPrimes, dataSized, infer, mlSized } from './reference.js';
import { checkChat, checkStream, type Unsupported } from './realtime.js';

type Problems = string[];

function header(x: Exchange, name: string): string | undefined {
  const v = x.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Status, Content-Type, framing, Server, Date; then the parsed JSON body (or a problem). */
function inspect(x: Exchange, what: string, status = 200): { problems: Problems; json?: unknown } {
  if (x.error) return { problems: [`${what}: ${x.error}`] };
  const problems: Problems = [];
  if (x.status !== status)
    problems.push(`${what}: status ${x.status}, expected ${status} (body: ${x.body.slice(0, 120)})`);
  const type = header(x, 'content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type))
    problems.push(`${what}: Content-Type "${type}", expected application/json`);
  const length = header(x, 'content-length');
  const chunked = /chunked/i.test(header(x, 'transfer-encoding') ?? '');
  if (!chunked && length === undefined) problems.push(`${what}: neither Content-Length nor chunked`);
  if (length !== undefined && Number(length) !== Buffer.byteLength(x.body)) {
    problems.push(`${what}: Content-Length ${length} but body has ${Buffer.byteLength(x.body)} bytes`);
  }
  if (!header(x, 'server')) problems.push(`${what}: no Server header`);
  const date = header(x, 'date');
  if (!date || Number.isNaN(Date.parse(date))) problems.push(`${what}: missing or invalid Date header`);
  let json: unknown;
  try {
    json = JSON.parse(x.body);
  } catch {
    problems.push(`${what}: body is not JSON: ${x.body.slice(0, 80)}`);
  }
  return { problems, json };
}

function expectEqual(problems: Problems, what: string, got: unknown, want: unknown): void {
  if (!isDeepStrictEqual(got, want)) {
    problems.push(
      `${what}: answer ${JSON.stringify(got)?.slice(0, 160)} differs from ${JSON.stringify(want).slice(0, 160)}`,
    );
  }
}

/** Each bad request must get a 400 with {"error": "..."}; afterwards the stack must still answer. */
async function badInputs(
  port: number,
  requests: Array<{ path: string; method?: string; body?: string }>,
): Promise<Problems> {
  const problems: Problems = [];
  for (const r of requests) {
    const x = await exchange(port, r.path, { method: r.method, body: r.body, timeoutMs: 3000 });
    const what = `${r.method ?? 'GET'} ${r.path}${r.body !== undefined ? ` ${r.body.slice(0, 20)}` : ''}`;
    if (x.error) {
      problems.push(`${what}: ${x.error} (expected a 400)`);
      continue;
    }
    const got = inspect(x, what, 400);
    problems.push(...got.problems);
    const err = (got.json as { error?: unknown } | undefined)?.error;
    if (x.status === 400 && typeof err !== 'string') problems.push(`${what}: 400 without an "error" message`);
  }
  const alive = await exchange(port, '/json', { timeoutMs: 3000 });
  if (alive.status !== 200)
    problems.push(`after bad requests the stack no longer answers /json (${alive.error ?? alive.status})`);
  return problems;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET /info: JSON naming what computes the answers, with the data implementations the stack offers. */
export async function checkInfo(port: number): Promise<{ problems: Problems; impls: string[] }> {
  const { problems, json } = inspect(await exchange(port, '/info'), 'GET /info');
  const info = (json ?? {}) as { data_impls?: unknown; blas?: unknown; node?: unknown };
  const impls = Array.isArray(info.data_impls) ? info.data_impls.filter((x) => typeof x === 'string') : [];
  if (impls.length === 0) problems.push('GET /info: no "data_impls" list of strings');
  if (typeof info.node !== 'string' && typeof info.blas !== 'object') {
    problems.push('GET /info: names neither the Node.js version ("node") nor the BLAS ("blas")');
  }
  return { problems, impls: impls as string[] };
}

/** Sizes the verifier asks for: small enough to keep verify quick, the second beyond sales.csv. */
export const DATA_SIZED_ROWS = [10000, 120000];
const DATA_OPS = ['groupby', 'join', 'sort'] as const;

/** GET /data/sized for every op and every implementation /info declares, then without impl; bad values. */
export async function checkDataSized(port: number): Promise<Problems> {
  const { problems, impls } = await checkInfo(port);
  const queries = impls.flatMap((impl) =>
    DATA_SIZED_ROWS.flatMap((rows) =>
      DATA_OPS.map((op) => ({ rows, op, q: `rows=${rows}&op=${op}&impl=${impl}` })),
    ),
  );
  queries.push({ rows: 10000, op: 'groupby', q: 'rows=10000' });
  for (const { rows, op, q } of queries) {
    const path = `/data/sized?${q}`;
    const got = inspect(await exchange(port, path, { timeoutMs: 15000 }), `GET ${path}`);
    problems.push(...got.problems);
    expectEqual(problems, `GET ${path}`, got.json, dataSized(rows, op));
  }
  return [
    ...problems,
    ...(await badInputs(port, [
      { path: '/data/sized?rows=9999' },
      { path: '/data/sized?rows=1000001' },
      { path: '/data/sized?rows=foo' },
      { path: '/data/sized?op=pivot' },
      { path: '/data/sized?impl=nope' },
    ])),
  ];
}

/** Classes must match; a row whose top two logits are within this of each other may take either one. */
const TIE = 1e-9;
/** The checksum's tolerance: both sides round to 6 decimals, and summation orders differ (BLAS blocks). */
const CHECKSUM_TOLERANCE = 2e-6;

/** GET /ml/sized at two sizes against the reference forward pass; bad values. */
export async function checkMlSized(port: number): Promise<Problems> {
  const problems: Problems = [];
  for (const [batch, width] of [
    [8, 64],
    [32, 256],
  ] as const) {
    const path = `/ml/sized?batch=${batch}&width=${width}`;
    const got = inspect(await exchange(port, path, { timeoutMs: 15000 }), `GET ${path}`);
    problems.push(...got.problems);
    const ans = got.json as
      { batch?: unknown; width?: unknown; classes?: unknown; checksum?: unknown } | undefined;
    if (!ans) continue;
    const want = mlSized(batch, width);
    if (ans.batch !== batch || ans.width !== width) problems.push(`GET ${path}: batch/width not echoed`);
    const classes = ans.classes;
    const ok =
      Array.isArray(classes) &&
      classes.length === batch &&
      classes.every((c, r) => c === want.classes[r] || (want.margins[r]! < TIE && c === want.runnersUp[r]));
    if (!ok) expectEqual(problems, `GET ${path} classes`, classes, want.classes);
    if (typeof ans.checksum !== 'number' || !(Math.abs(ans.checksum - want.checksum) <= CHECKSUM_TOLERANCE)) {
      problems.push(`GET ${path}: checksum ${String(ans.checksum)}, reference ${want.checksum.toFixed(6)}`);
    }
  }
  return [
    ...problems,
    ...(await badInputs(port, [
      { path: '/ml/sized?batch=0' },
      { path: '/ml/sized?batch=1025' },
      { path: '/ml/sized?width=7' },
      { path: '/ml/sized?width=2049' },
      { path: '/ml/sized?width=foo' },
    ])),
  ];
}

export const CHECKS: Record<LabWorkloadId, (port: number) => Promise<Problems | Unsupported>> = {
  stream: checkStream,
  chat: checkChat,
  async json(port) {
    const a = await exchange(port, '/json');
    const { problems, json } = inspect(a, 'GET /json');
    expectEqual(problems, 'GET /json', json, { message: 'Hello, World!' });
    // The Date header must be live, not frozen at start-up. Servers refresh it on their own clock (uvicorn
    // once a second), so ask again until it changes, for up to 3 s.
    let changed = false;
    for (const until = Date.now() + 3000; !changed && !a.error && Date.now() < until;) {
      await sleep(250);
      const b = await exchange(port, '/json');
      changed = !b.error && header(b, 'date') !== header(a, 'date');
    }
    if (!changed) problems.push('GET /json: Date header does not change within 3 s');
    return problems;
  },
  async io(port) {
    const x = await exchange(port, '/io?ms=20');
    const { problems, json } = inspect(x, 'GET /io?ms=20');
    expectEqual(problems, 'GET /io?ms=20', json, { waited_ms: 20 });
    if (!x.error && x.ms < 19)
      problems.push(`GET /io?ms=20 answered in ${x.ms.toFixed(1)} ms: it did not wait`);
    return [
      ...problems,
      ...(await badInputs(port, [
        { path: '/io?ms=foo' },
        { path: '/io?ms=-1' },
        { path: '/io?ms=99999999' },
      ])),
    ];
  },
  async service(port) {
    const x = await exchange(port, '/service');
    const { problems, json } = inspect(x, 'GET /service');
    expectEqual(problems, 'GET /service', json, {
      service: { id: 7, name: 'downstream', tags: ['a', 'b', 'c'] },
    });
    return problems;
  },
  async db(port) {
    const problems: Problems = [];
    const ids = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const x = await exchange(port, '/db');
      const got = inspect(x, 'GET /db');
      problems.push(...got.problems);
      const row = got.json as { id?: unknown; randomNumber?: unknown } | undefined;
      if (!row) continue;
      const id = row.id;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > WORLD_ROWS) {
        problems.push(`GET /db: id ${JSON.stringify(id)} is not in 1..${WORLD_ROWS}`);
      } else {
        ids.add(id);
        expectEqual(problems, `GET /db (id ${id})`, row, { id, randomNumber: randomNumberOf(id) });
      }
      if (problems.length) break;
    }
    if (!problems.length && ids.size < 2)
      problems.push('GET /db: 8 requests returned the same row: not random');
    return problems;
  },
  async cpu(port) {
    const x = await exchange(port, '/cpu?n=10000');
    const { problems, json } = inspect(x, 'GET /cpu?n=10000');
    expectEqual(problems, 'GET /cpu?n=10000', json, { n: 10000, primes: countPrimes(10000) });
    const small = inspect(await exchange(port, '/cpu?n=97'), 'GET /cpu?n=97');
    problems.push(...small.problems);
    expectEqual(problems, 'GET /cpu?n=97', small.json, { n: 97, primes: countPrimes(97) });
    return [
      ...problems,
      ...(await badInputs(port, [
        { path: '/cpu?n=-1' },
        { path: '/cpu?n=foo' },
        { path: '/cpu?n=999999999' },
      ])),
    ];
  },
  async data(port) {
    const problems: Problems = [];
    for (const rows of [50000, 1234]) {
      const got = inspect(await exchange(port, `/data?rows=${rows}`), `GET /data?rows=${rows}`);
      problems.push(...got.problems);
      expectEqual(problems, `GET /data?rows=${rows}`, got.json, aggregate(rows));
    }
    return [
      ...problems,
      ...(await badInputs(port, [
        { path: '/data?rows=0' },
        { path: '/data?rows=foo' },
        { path: '/data?rows=99999999' },
      ])),
      // The same data at size (and /info, which says which implementations to ask for).
      ...(await checkDataSized(port)),
    ];
  },
  async ml(port) {
    const body = mlBatchBody();
    const got = inspect(await exchange(port, '/ml', { method: 'POST', body }), 'POST /ml');
    const problems = got.problems;
    const want = infer((JSON.parse(body) as { inputs: number[][] }).inputs);
    const ans = got.json as { classes?: unknown; probabilities?: unknown } | undefined;
    if (ans) {
      expectEqual(problems, 'POST /ml classes', ans.classes, want.classes);
      const probs = ans.probabilities as number[][] | undefined;
      const close =
        Array.isArray(probs) &&
        probs.length === want.probabilities.length &&
        probs.every(
          (row, i) =>
            Array.isArray(row) &&
            row.length === 3 &&
            row.every((p, k) => Math.abs(p - want.probabilities[i]![k]!) <= 1.5e-6),
        );
      if (!close) problems.push('POST /ml: probabilities differ from the reference by more than 1e-6');
    }
    return [
      ...problems,
      ...(await badInputs(port, [
        { path: '/ml', method: 'POST', body: '{"inputs": [[1,2,3' },
        { path: '/ml', method: 'POST', body: '{"inputs": [[1,2,3]]}' },
        { path: '/ml', method: 'POST', body: '{"inputs": []}' },
      ])),
      ...(await checkMlSized(port)),
    ];
  },
};
