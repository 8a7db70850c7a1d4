/**
 * The Node reference servers (servers/node/dist), spawned for real and checked over HTTP against the workload
 * contract (docs/WORKLOADS.md). Expected answers are computed here from servers/shared, independently of the
 * servers' code. Needs `npx tsc -p servers/node/tsconfig.json` first (npm test does it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childPids, exited, freePort, isAlive } from '../helpers/subjects.js';
import { aggregate, dataSized, infer, mlSized, type Group } from '../../src/verify/reference.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DIST = join(ROOT, 'servers/node/dist');
const SHARED = join(ROOT, 'servers/shared');

interface Running {
  child: ChildProcess;
  base: string;
  stderr: () => string;
}

function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', ...extra };
  if (!('STACKBENCH_PG' in extra)) delete env.STACKBENCH_PG;
  if (!('STACKBENCH_DOWNSTREAM' in extra)) delete env.STACKBENCH_DOWNSTREAM;
  return env;
}

/** Spawns a compiled server and waits until its port answers (polling, bounded), not a fixed sleep. */
async function start(file: string, extra: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(DIST, file)], {
    env: serverEnv({ PORT: String(port), ...extra }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${file} exited ${child.exitCode}: ${err}`);
    try {
      await fetch(`${base}/nothing-here`);
      return { child, base, stderr: () => err };
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${file} did not answer within 10 s: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** SIGTERM, then require a clean exit (code 0, nothing on stderr) and no surviving child process. */
async function stop(server: Running): Promise<void> {
  const pid = server.child.pid as number;
  const children = childPids(pid);
  server.child.kill('SIGTERM');
  const code = await exited(server.child, 8000);
  if (code === 'timeout') server.child.kill('SIGKILL');
  assert.equal(code, 0, `exit after SIGTERM (stderr: ${server.stderr()})`);
  assert.equal(server.stderr(), '', 'nothing on stderr');
  const deadline = Date.now() + 3000;
  while (children.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(children.filter(isAlive), [], 'no leftover child process');
}

// ---- expected answers: the verifier's own reference computation (src/verify/reference.ts) ----

const batch = JSON.parse(readFileSync(join(SHARED, 'ml-batch.json'), 'utf8')) as { inputs: number[][] };

async function get(url: string): Promise<{ status: number; body: unknown; headers: Headers; text: string }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown, headers: res.headers, text };
}

async function post(url: string, payload: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: payload,
  });
  return { status: res.status, body: JSON.parse(await res.text()) as unknown };
}

function assertError(r: { status: number; body: unknown }, status: number, what: string): void {
  assert.equal(r.status, status, what);
  const error = (r.body as { error?: unknown }).error;
  assert.ok(typeof error === 'string' && error.length > 0, `${what}: {"error": "..."} body`);
}

// ---- the tests ----

assert.ok(
  existsSync(join(DIST, 'http.js')),
  'servers/node/dist missing: run npx tsc -p servers/node/tsconfig.json',
);

const STACKS: { file: string; server: string; env: Record<string, string> }[] = [
  { file: 'http.js', server: 'node-http', env: {} },
  { file: 'fastify.js', server: 'fastify', env: {} },
  { file: 'express.js', server: 'express', env: {} },
  { file: 'cluster.js', server: 'node-cluster', env: { WORKERS: '2' } },
];

describe('node reference servers', { timeout: 120_000 }, () => {
  let downstream: Running;

  before(async () => {
    downstream = await start('downstream.js');
  });
  after(async () => {
    await stop(downstream);
  });

  it('downstream answers /item with keep-alive and names itself', async () => {
    const r = await get(`${downstream.base}/item`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { id: 7, name: 'downstream', tags: ['a', 'b', 'c'] });
    assert.equal(r.headers.get('server'), 'downstream');
    assert.notEqual(r.headers.get('connection'), 'close');
  });

  for (const stack of STACKS) {
    describe(stack.server, () => {
      let s: Running;
      before(async () => {
        s = await start(stack.file, { ...stack.env, STACKBENCH_DOWNSTREAM: downstream.base });
      });
      after(async () => {
        if (s) await stop(s);
      });

      it('json: body and Server/Date/Content-Length headers', async () => {
        const r = await get(`${s.base}/json`);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { message: 'Hello, World!' });
        assert.equal(r.headers.get('server'), stack.server);
        assert.ok(!Number.isNaN(Date.parse(r.headers.get('date') ?? '')), 'Date header');
        assert.equal(r.headers.get('content-length'), String(Buffer.byteLength(r.text)));
        assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      });

      it('io waits the asked time', async () => {
        const t0 = performance.now();
        const r = await get(`${s.base}/io?ms=60`);
        assert.deepEqual(r.body, { waited_ms: 60 });
        assert.ok(performance.now() - t0 >= 55, 'waited');
        assert.deepEqual((await get(`${s.base}/io?ms=0`)).body, { waited_ms: 0 });
      });

      it('cpu counts primes', async () => {
        assert.deepEqual((await get(`${s.base}/cpu?n=10000`)).body, { n: 10000, primes: 1229 });
        assert.deepEqual((await get(`${s.base}/cpu`)).body, { n: 10000, primes: 1229 });
        assert.deepEqual((await get(`${s.base}/cpu?n=2`)).body, { n: 2, primes: 1 });
      });

      it('data groups match the verifier’s aggregation of sales.csv', async () => {
        const r = await get(`${s.base}/data?rows=50000`);
        assert.equal(r.status, 200);
        const body = r.body as { rows: number; groups: Group[] };
        assert.equal(body.rows, 50000);
        assert.equal(
          body.groups.reduce((a, g) => a + g.orders, 0),
          50000,
        );
        assert.deepEqual(body.groups, aggregate(50000).groups);
        assert.deepEqual((await get(`${s.base}/data?rows=7`)).body, { rows: 7, groups: aggregate(7).groups });
      });

      it('ml on the shared batch: classes and probabilities', async () => {
        const r = await post(`${s.base}/ml`, JSON.stringify(batch));
        assert.equal(r.status, 200);
        const body = r.body as { classes: number[]; probabilities: number[][] };
        const expected = infer(batch.inputs).probabilities;
        assert.equal(body.classes.length, 64);
        assert.equal(body.probabilities.length, 64);
        body.probabilities.forEach((row, i) => {
          const want = expected[i] as number[];
          assert.equal(row.length, 3);
          assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${i} sums to 1`);
          row.forEach((p, k) => assert.ok(Math.abs(p - (want[k] as number)) <= 1e-6, `p[${i}][${k}]`));
          row.forEach((p) =>
            assert.ok(Math.abs(p * 1e6 - Math.round(p * 1e6)) < 1e-6, `${p} has <= 6 decimals`),
          );
          assert.equal(body.classes[i], want.indexOf(Math.max(...want)), `class of row ${i}`);
        });
      });

      it('ml/sized: classes and checksum of the reference forward pass, at two sizes', async () => {
        for (const [batch, width] of [
          [8, 64],
          [32, 256],
        ] as const) {
          const r = await get(`${s.base}/ml/sized?batch=${batch}&width=${width}`);
          assert.equal(r.status, 200);
          const body = r.body as { batch: number; width: number; classes: number[]; checksum: number };
          const want = mlSized(batch, width);
          assert.deepEqual([body.batch, body.width, body.classes], [batch, width, want.classes]);
          assert.ok(Math.abs(body.checksum - want.checksum) <= 1e-6, `checksum ${body.checksum}`);
        }
        const dflt = (await get(`${s.base}/ml/sized`)).body as { batch: number; width: number };
        assert.deepEqual([dflt.batch, dflt.width], [64, 64]);
      });

      it('data/sized: every op and impl equals the reference, within sales.csv and beyond it', async () => {
        for (const impl of ['loops', 'arquero'])
          for (const rows of [10000, 50001, 120000])
            for (const op of ['groupby', 'join', 'sort'] as const) {
              const r = await get(`${s.base}/data/sized?rows=${rows}&op=${op}&impl=${impl}`);
              assert.equal(r.status, 200, `${impl} ${op} ${rows}`);
              assert.deepEqual(r.body, dataSized(rows, op), `${impl} ${op} ${rows}`);
            }
        // Defaults: rows 50,000, op groupby, impl loops; the group-by is /data's.
        const dflt = await get(`${s.base}/data/sized`);
        assert.deepEqual(dflt.body, { rows: 50000, op: 'groupby', groups: aggregate(50000).groups });
      });

      it('info names the runtime and the data implementations', async () => {
        const r = await get(`${s.base}/info`);
        assert.equal(r.status, 200);
        const arquero = JSON.parse(readFileSync(join(ROOT, 'node_modules/arquero/package.json'), 'utf8')) as {
          version: string;
        };
        assert.deepEqual(r.body, {
          node: process.versions.node,
          v8: process.versions.v8,
          arquero: arquero.version,
          data_impls: ['loops', 'arquero'],
        });
      });

      it('sized workloads: bad parameters get 400 with an error', async () => {
        for (const q of [
          'rows=9999',
          'rows=1000001',
          'rows=1e5',
          'op=pivot',
          'impl=pandas',
          'op=sort&op=join',
        ]) {
          assertError(await get(`${s.base}/data/sized?${q}`), 400, `data/sized?${q}`);
        }
        for (const q of ['batch=0', 'batch=1025', 'width=7', 'width=2049', 'width=foo', 'batch=1&batch=2']) {
          assertError(await get(`${s.base}/ml/sized?${q}`), 400, `ml/sized?${q}`);
        }
      });

      it('bad parameters and bodies get 400 with an error', async () => {
        assertError(await get(`${s.base}/io?ms=foo`), 400, 'ms=foo');
        assertError(await get(`${s.base}/io?ms=10001`), 400, 'ms=10001');
        assertError(await get(`${s.base}/cpu?n=-1`), 400, 'n=-1');
        assertError(await get(`${s.base}/cpu?n=999999999`), 400, 'n=999999999');
        assertError(await get(`${s.base}/cpu?n=1.5`), 400, 'n=1.5');
        assertError(await get(`${s.base}/data?rows=0`), 400, 'rows=0');
        assertError(await get(`${s.base}/data?rows=50001`), 400, 'rows=50001');
        assertError(await post(`${s.base}/ml`, '{"inputs": [[1,2'), 400, 'malformed JSON');
        assertError(await post(`${s.base}/ml`, '{"inputs": []}'), 400, 'no rows');
        assertError(await post(`${s.base}/ml`, '{"inputs": [[1,2,3]]}'), 400, 'short row');
        assertError(await post(`${s.base}/ml`, '{"inputs": [[1,2,3,4,5,6,7,1e999]]}'), 400, 'non-finite');
        assertError(await post(`${s.base}/ml`, '{"inputs": [[1,2,3,4,5,6,7,"8"]]}'), 400, 'string');
        const tooMany = JSON.stringify({
          inputs: Array.from({ length: 1025 }, () => [1, 2, 3, 4, 5, 6, 7, 8]),
        });
        assertError(await post(`${s.base}/ml`, tooMany), 400, '1025 rows');
      });

      it('service proxies the downstream; db is 503 without STACKBENCH_PG; unknown path is 404', async () => {
        const svc = await get(`${s.base}/service`);
        assert.equal(svc.status, 200);
        assert.deepEqual(svc.body, { service: { id: 7, name: 'downstream', tags: ['a', 'b', 'c'] } });
        const db = await get(`${s.base}/db`);
        assertError(db, 503, '/db without STACKBENCH_PG');
        assert.equal(db.headers.get('server'), stack.server);
        const missing = await get(`${s.base}/no-such-path`);
        assertError(missing, 404, 'unknown path');
        assert.equal(missing.headers.get('server'), stack.server);
        assert.ok(missing.headers.get('date'), 'Date on 404');
      });
    });
  }

  it('service answers 503 when STACKBENCH_DOWNSTREAM is unset and 502 when it is down', async () => {
    const unset = await start('http.js');
    try {
      assertError(await get(`${unset.base}/service`), 503, 'no downstream');
    } finally {
      await stop(unset);
    }
    const deadPort = await freePort();
    const down = await start('fastify.js', { STACKBENCH_DOWNSTREAM: `http://127.0.0.1:${deadPort}` });
    try {
      assertError(await get(`${down.base}/service`), 502, 'downstream refused');
    } finally {
      await stop(down);
    }
  });

  it('a missing or invalid PORT exits 2 with a message', async () => {
    for (const port of [undefined, 'abc', '70000']) {
      const env = serverEnv({});
      delete env.PORT;
      if (port !== undefined) env.PORT = port;
      const r = spawnSync(process.execPath, [join(DIST, 'express.js')], {
        env,
        encoding: 'utf8',
        timeout: 10_000,
      });
      assert.equal(r.status, 2, `PORT=${port}`);
      assert.match(r.stderr, /PORT/);
    }
  });

  it('cluster workers exit when the primary is killed outright', async () => {
    const s = await start('cluster.js', { WORKERS: '2' });
    const primary = s.child.pid as number;
    let workers = childPids(primary);
    for (let i = 0; workers.length < 2 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 50));
      workers = childPids(primary);
    }
    assert.equal(workers.length, 2, 'two workers forked');
    s.child.kill('SIGKILL');
    await exited(s.child, 5000);
    const deadline = Date.now() + 5000;
    while (workers.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const left = workers.filter(isAlive);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    assert.deepEqual(left, [], 'workers gone with their primary');
  });
});
