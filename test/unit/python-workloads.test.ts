// The Python reference servers (servers/python) against docs/WORKLOADS.md: each stack is started exactly as the
// lab starts it, answers are checked against values computed here independently (CSV group-by, MLP forward
// pass, prime sieve), and after SIGTERM or a SIGKILLed master no process of the stack may remain.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertPythonStack, freePort, pythonArgv, type PythonStackId } from '../helpers/subjects.js';
import { aggregate, dataSized, infer, mlSized } from '../../src/verify/reference.js';

const root = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/unit -> repo root
const pythonDir = join(root, 'servers', 'python');
const sharedDir = join(root, 'servers', 'shared');
const python = '/usr/bin/python3';
const pgBin = '/usr/lib/postgresql/15/bin';

type StackId = PythonStackId;
const stackIds: StackId[] = [
  'flask-gunicorn',
  'flask-gevent',
  'django-gunicorn',
  'django-asgi',
  'fastapi-uvicorn',
];
// Every stack's tests fail with the install command when a package is missing (assertPythonStack), never skip.
// These serve many requests at once on one worker, so their /db is tested in bursts too.
const oneWorkerMany = new Set<StackId>(['flask-gevent', 'django-asgi']);

// The lab's argv (the stack registry, src/stacks/registry.ts), cwd servers/python.

const missingPython = ((): string | undefined => {
  const check = spawnSync(
    python,
    ['-c', 'import flask, django, fastapi, uvicorn, gunicorn, pandas, numpy, threadpoolctl'],
    {
      encoding: 'utf8',
    },
  );
  return check.status === 0
    ? undefined
    : `python stacks unavailable: ${check.stderr || check.error?.message}`;
})();

// ---------------------------------------------------------------- processes

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  id: StackId;
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<void>;
}

const started: Running[] = [];

async function startStack(id: StackId, workers: number, env: Record<string, string> = {}): Promise<Running> {
  const host = '127.0.0.1';
  const port = await freePort();
  const childEnv: Record<string, string | undefined> = { ...process.env, HOST: host, PORT: String(port) };
  delete childEnv.STACKBENCH_PG;
  delete childEnv.STACKBENCH_DOWNSTREAM;
  Object.assign(childEnv, { WORKERS: String(workers), PYTHONDONTWRITEBYTECODE: '1' }, env);
  // detached: the stack gets its own process group (pgid = master pid), so every worker it forks or
  // spawns can be found, and killed if a test fails half-way.
  const child = spawn(python, pythonArgv(id, port, workers), {
    cwd: pythonDir,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running: Running = { id, child, base: `http://${host}:${port}`, output: () => log, exited };
  started.push(running);

  // Ready when /json answers; polled, never a fixed sleep.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${id} exited before it was ready:\n${log}`);
    }
    try {
      const res = await fetch(`${running.base}/json`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return running;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${id} not ready after 30 s:\n${log}`);
    await sleep(100);
  }
}

// Live (non-zombie) processes of a process group, from ps.
function groupMembers(pgid: number): number[] {
  const ps = spawnSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, stat]) => Number(group) === pgid && stat !== undefined && !stat.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

async function waitGroupGone(pgid: number, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let members = groupMembers(pgid);
  while (members.length > 0 && Date.now() < deadline) {
    await sleep(100);
    members = groupMembers(pgid);
  }
  return members;
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

after(() => {
  // Safety net: whatever a failed assertion left running.
  for (const { child } of started) if (child.pid) killGroup(child.pid);
});

// ---------------------------------------------------------------- independent expectations

// A sieve, not the contract's trial division: an independent way to the same count.
function primesUpTo(n: number): number {
  const composite = new Uint8Array(n + 1);
  let count = 0;
  for (let k = 2; k <= n; k++) {
    if (composite[k]) continue;
    count++;
    for (let m = k * k; m <= n; m += k) composite[m] = 1;
  }
  return count;
}

const mlBatch = () => readFileSync(join(sharedDir, 'ml-batch.json'), 'utf8');

interface Blas {
  library: string;
  threads: number | null;
  path: string | null;
  env: Record<string, string | null>;
}

// ---------------------------------------------------------------- a downstream for /service

let downstreamUp = true;
let downstream: Server | undefined;
let downstreamUrl = '';
const item = { id: 7, name: 'downstream', tags: ['a', 'b', 'c'] };

before(async () => {
  downstream = createServer((req, res) => {
    if (req.url === '/item' && downstreamUp) {
      const body = JSON.stringify(item);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } else {
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => downstream?.listen(0, '127.0.0.1', resolve));
  const address = downstream.address();
  downstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

after(async () => {
  downstream?.closeAllConnections();
  await new Promise((resolve) => downstream?.close(resolve));
});

async function get(base: string, path: string, init?: RequestInit) {
  const res = await fetch(base + path, init);
  const text = await res.text();
  return { res, text, body: JSON.parse(text) as unknown };
}

// ---------------------------------------------------------------- the contract, per stack

for (const id of stackIds) {
  describe(`${id} workloads`, { timeout: 120_000 }, () => {
    let stack: Running;
    // A second instance, for the SIGKILL test: started together with the first (a Python start is mostly
    // imports on one core; this machine has two), instead of after the contract tests.
    let doomed: Running;

    before(async () => {
      assertPythonStack(id);
      [stack, doomed] = await Promise.all([
        startStack(id, 2, { STACKBENCH_DOWNSTREAM: downstreamUrl }),
        startStack(id, 2),
      ]);
    });

    after(async () => {
      for (const s of [stack, doomed]) if (s?.child.pid && s.child.exitCode === null) killGroup(s.child.pid);
    });

    it('GET /json: body, Server, Date, Content-Type and an exact Content-Length', async () => {
      const { res, text, body } = await get(stack.base, '/json');
      assert.equal(res.status, 200);
      assert.deepEqual(body, { message: 'Hello, World!' });
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.ok(res.headers.get('server'), 'Server header');
      assert.ok(!Number.isNaN(Date.parse(res.headers.get('date') ?? '')), 'Date header is an HTTP date');
      assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)));
    });

    it('GET /cpu counts primes (default n, explicit n, smallest n)', async () => {
      assert.deepEqual((await get(stack.base, '/cpu')).body, { n: 10000, primes: 1229 });
      assert.deepEqual((await get(stack.base, '/cpu?n=54321')).body, { n: 54321, primes: primesUpTo(54321) });
      assert.deepEqual((await get(stack.base, '/cpu?n=1')).body, { n: 1, primes: 0 });
    });

    it('GET /data groups the CSV exactly (all rows and a prefix)', async () => {
      for (const rows of [50000, 1234]) {
        const { res, body } = await get(stack.base, `/data?rows=${rows}`);
        assert.equal(res.status, 200);
        const expected = aggregate(rows).groups;
        assert.deepEqual(body, { rows, groups: expected });
        assert.equal(
          expected.reduce((s, g) => s + g.orders, 0),
          rows,
        );
      }
      assert.deepEqual((await get(stack.base, '/data')).body, {
        rows: 50000,
        groups: aggregate(50000).groups,
      });
    });

    it('POST /ml infers the fixed batch like the verifier’s reference forward pass', async () => {
      const inputs = (JSON.parse(mlBatch()) as { inputs: number[][] }).inputs;
      const reference = infer(inputs).probabilities;
      const { res, body } = await get(stack.base, '/ml', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: mlBatch(),
      });
      assert.equal(res.status, 200);
      const answer = body as { classes: number[]; probabilities: number[][] };
      assert.equal(answer.classes.length, 64);
      assert.equal(answer.probabilities.length, 64);
      inputs.forEach((_x, r) => {
        const p = reference[r] ?? [];
        const got = answer.probabilities[r] ?? [];
        assert.equal(got.length, 3);
        assert.ok(Math.abs(got.reduce((s, v) => s + v, 0) - 1) < 1e-5, `row ${r} sums to 1`);
        got.forEach((v, k) => assert.ok(Math.abs(v - (p[k] ?? NaN)) <= 1e-6, `row ${r} class ${k}: ${v}`));
        assert.equal(answer.classes[r], p.indexOf(Math.max(...p)));
      });
    });

    it('GET /ml/sized: classes and checksum of the reference forward pass, at two sizes', async () => {
      for (const [batch, width] of [
        [8, 64],
        [32, 256],
      ] as const) {
        const { res, body } = await get(stack.base, `/ml/sized?batch=${batch}&width=${width}`);
        assert.equal(res.status, 200);
        const answer = body as { batch: number; width: number; classes: number[]; checksum: number };
        const want = mlSized(batch, width);
        assert.deepEqual([answer.batch, answer.width, answer.classes], [batch, width, want.classes]);
        assert.ok(Math.abs(answer.checksum - want.checksum) <= 1e-6, `checksum ${answer.checksum}`);
      }
    });

    it('GET /data/sized: every op equals the reference, within sales.csv and beyond it', async () => {
      for (const rows of [10000, 50001, 120000])
        for (const op of ['groupby', 'join', 'sort'] as const) {
          const { res, body } = await get(stack.base, `/data/sized?rows=${rows}&op=${op}&impl=pandas`);
          assert.equal(res.status, 200, `${op} ${rows}`);
          assert.deepEqual(body, dataSized(rows, op), `${op} ${rows}`);
        }
      assert.deepEqual((await get(stack.base, '/data/sized')).body, {
        rows: 50000,
        op: 'groupby',
        groups: aggregate(50000).groups,
      });
    });

    it('GET /info: versions and the BLAS facts', async () => {
      const { res, body } = await get(stack.base, '/info');
      assert.equal(res.status, 200);
      const info = body as {
        python: string;
        numpy: string;
        pandas: string;
        data_impls: string[];
        blas: Blas;
      };
      assert.match(info.python, /^3\.\d+\.\d+$/);
      assert.match(info.numpy, /^\d+\.\d+/);
      assert.match(info.pandas, /^\d+\.\d+/);
      assert.deepEqual(info.data_impls, ['pandas']);
      assert.equal(typeof info.blas.library, 'string');
      assert.ok(info.blas.path === null || info.blas.path.includes('blas'), `path ${info.blas.path}`);
      assert.deepEqual(Object.keys(info.blas.env).sort(), [
        'OMP_NUM_THREADS',
        'OPENBLAS_CORETYPE',
        'OPENBLAS_L2_SIZE',
        'OPENBLAS_NUM_THREADS',
        'STACKBENCH_BLAS_THREADS',
      ]);
      // The machine's OpenBLAS settings reach the server untouched.
      assert.equal(info.blas.env.OPENBLAS_CORETYPE, process.env.OPENBLAS_CORETYPE ?? null);
      assert.equal(info.blas.env.OPENBLAS_L2_SIZE, process.env.OPENBLAS_L2_SIZE ?? null);
    });

    it('GET /io waits the given time', async () => {
      const t0 = performance.now();
      const { body } = await get(stack.base, '/io?ms=60');
      assert.ok(performance.now() - t0 >= 55, 'waited about 60 ms');
      assert.deepEqual(body, { waited_ms: 60 });
    });

    it('GET /service relays the downstream, 502 when it fails', async () => {
      downstreamUp = true;
      assert.deepEqual((await get(stack.base, '/service')).body, { service: item });
      downstreamUp = false;
      try {
        const { res, body } = await get(stack.base, '/service');
        assert.equal(res.status, 502);
        assert.equal(typeof (body as { error?: unknown }).error, 'string');
      } finally {
        downstreamUp = true;
      }
    });

    it('answers 400 with {"error"} for bad parameters and bodies', async () => {
      const bad: [string, RequestInit?][] = [
        ['/io?ms=foo'],
        ['/io?ms=-5'],
        ['/io?ms=10001'],
        ['/io?ms='],
        ['/cpu?n=-1'],
        ['/cpu?n=999999999'],
        ['/cpu?n=0'],
        ['/cpu?n=1.5'],
        ['/data?rows=0'],
        ['/data?rows=50001'],
        ['/data/sized?rows=9999'],
        ['/data/sized?rows=1000001'],
        ['/data/sized?op=pivot'],
        ['/data/sized?impl=loops'],
        ['/data/sized?impl=arquero'],
        ['/ml/sized?batch=0'],
        ['/ml/sized?batch=1025'],
        ['/ml/sized?width=7'],
        ['/ml/sized?width=2049'],
        ['/ml/sized?width=foo'],
        ['/ml', { method: 'POST', body: '{"inputs": [[1,2,3' }],
        ['/ml', { method: 'POST', body: '{"inputs": [[1,2,3]]}' }],
        ['/ml', { method: 'POST', body: '{"inputs": []}' }],
        ['/ml', { method: 'POST', body: '{"inputs": [[1,2,3,4,5,6,7,"8"]]}' }],
        ['/ml', { method: 'POST', body: '{"inputs": [[NaN,2,3,4,5,6,7,8]]}' }],
        [
          '/ml',
          { method: 'POST', body: JSON.stringify({ inputs: Array(1025).fill([1, 2, 3, 4, 5, 6, 7, 8]) }) },
        ],
      ];
      for (const [path, init] of bad) {
        const { res, body } = await get(stack.base, path, init);
        assert.equal(res.status, 400, `${path} ${init?.body ?? ''}`.slice(0, 80));
        assert.equal(typeof (body as { error?: unknown }).error, 'string', path);
      }
    });

    it('answers 503 for /db without STACKBENCH_PG and 404 for an unknown path', async () => {
      const db = await get(stack.base, '/db');
      assert.equal(db.res.status, 503);
      assert.equal(typeof (db.body as { error?: unknown }).error, 'string');
      const missing = await fetch(`${stack.base}/nope`);
      await missing.arrayBuffer();
      assert.equal(missing.status, 404);
    });

    it('leaves no worker behind after its master is SIGKILLed', async () => {
      const pgid = doomed.child.pid ?? 0;
      assert.ok(groupMembers(pgid).length >= 3, 'master and two workers are running');
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      const left = await waitGroupGone(pgid, 5_000);
      killGroup(pgid);
      assert.deepEqual(left, [], `workers survived their master:\n${doomed.output()}`);
    });

    it('stops completely on SIGTERM to the master', async () => {
      const pgid = stack.child.pid ?? 0;
      assert.ok(groupMembers(pgid).length >= 3, 'master and two workers are running');
      stack.child.kill('SIGTERM');
      await stack.exited;
      assert.deepEqual(await waitGroupGone(pgid, 10_000), [], `left running:\n${stack.output()}`);
    });
  });
}

// ---------------------------------------------------------------- BLAS threads

describe('STACKBENCH_BLAS_THREADS', { timeout: 60_000 }, () => {
  before(() => {
    // Fails rather than skips: without these packages the Python stacks cannot start at all.
    assert.equal(
      missingPython,
      undefined,
      `${missingPython} — apt-get install python3-threadpoolctl python3-numpy`,
    );
  });

  it('sets the BLAS thread limit before NumPy loads, and /info reports it', async () => {
    const stack = await startStack('fastapi-uvicorn', 1, { STACKBENCH_BLAS_THREADS: '1' });
    try {
      const blas = ((await get(stack.base, '/info')).body as { blas: Blas }).blas;
      assert.equal(blas.threads, 1);
      assert.equal(blas.env.STACKBENCH_BLAS_THREADS, '1');
      assert.equal(blas.env.OPENBLAS_NUM_THREADS, '1');
      assert.equal(blas.env.OMP_NUM_THREADS, '1');
    } finally {
      stack.child.kill('SIGTERM');
      await stack.exited;
    }
  });

  it('a value that is not a thread count stops the server with a message', async () => {
    await assert.rejects(
      startStack('flask-gunicorn', 1, { STACKBENCH_BLAS_THREADS: 'many' }),
      /STACKBENCH_BLAS_THREADS must be an integer/,
    );
  });
});

// ---------------------------------------------------------------- /db against a private PostgreSQL

interface PrivatePg {
  dir: string;
  port: number;
}

function asPostgres(cmd: string, args: string[]) {
  return spawnSync('runuser', ['-u', 'postgres', '--', join(pgBin, cmd), ...args], {
    encoding: 'utf8',
    cwd: tmpdir(),
    timeout: 30_000,
  });
}

// initdb into a temp dir, trust auth, listening on 127.0.0.1 only, socket in the temp dir. A string (why the
// test is skipped) where that is impossible: not root, no postgres user, no PostgreSQL 15.
async function startPrivatePg(): Promise<PrivatePg | string> {
  if (process.getuid?.() !== 0) return 'needs root to run PostgreSQL as user postgres';
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return 'no postgres user';
  const dir = mkdtempSync(join(tmpdir(), 'stackbench-pg-'));
  chownSync(dir, Number(uid.stdout), Number(gid.stdout));
  const port = await freePort();
  const steps: [string, string[]][] = [
    ['initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']],
    [
      'pg_ctl',
      ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-t', '20', 'start', '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`],
    ], // prettier-ignore
    [
      'psql',
      ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1',
        '-c', 'CREATE TABLE world (id integer PRIMARY KEY, randomnumber integer NOT NULL)',
        '-c', 'INSERT INTO world SELECT i, ((i * 7919) % 10000) + 1 FROM generate_series(1, 10000) AS i'],
    ], // prettier-ignore
  ];
  for (const [cmd, args] of steps) {
    const run = asPostgres(cmd, args);
    if (run.status !== 0) {
      stopPrivatePg({ dir, port });
      return `${cmd} failed: ${run.stderr || run.error?.message}`;
    }
  }
  return { dir, port };
}

/** Sessions PostgreSQL has begun (those of this call included): a pool that closes its connections adds many. */
function sessions(pg: PrivatePg): number {
  const q = "SELECT sessions FROM pg_stat_database WHERE datname = 'postgres'";
  const run = asPostgres('psql', [
    '-tA',
    '-h',
    '127.0.0.1',
    '-p',
    String(pg.port),
    '-U',
    'postgres',
    '-c',
    q,
  ]);
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout.trim());
}

function stopPrivatePg(pg: PrivatePg): void {
  asPostgres('pg_ctl', ['-D', join(pg.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  rmSync(pg.dir, { recursive: true, force: true });
}

describe('/db on a private PostgreSQL', { timeout: 120_000 }, () => {
  let pg: PrivatePg | undefined;
  let why = '';

  // One stack each, all started at once before the tests (mostly imports, two cores), stopped after each test.
  const stacks = new Map<StackId, Promise<Running>>();

  before(async () => {
    const result = await startPrivatePg();
    if (typeof result === 'string') why = result;
    else pg = result;
    if (!pg) return;
    const url = `postgresql://postgres@127.0.0.1:${pg.port}/postgres`;
    // A stack whose packages are missing fails its test with the install command (assertPythonStack).
    for (const id of stackIds)
      stacks.set(
        id,
        Promise.resolve().then(() => {
          assertPythonStack(id);
          return startStack(id, 1, { STACKBENCH_PG: url });
        }),
      );
    // Each test awaits its own; a start that failed fails that test, not this hook.
    await Promise.allSettled(stacks.values());
  });

  after(async () => {
    // A graceful stop can take seconds (gunicorn waits for its workers): all at once, not one after another.
    await Promise.all(
      [...stacks.values()].map(async (p) => {
        const stack = await p.catch(() => undefined);
        if (!stack) return;
        stack.child.kill('SIGTERM');
        await stack.exited;
        await waitGroupGone(stack.child.pid ?? 0, 10_000);
      }),
    );
    if (pg) stopPrivatePg(pg);
  });

  for (const id of stackIds) {
    it(`${id}: a random world row, consistent with the table's formula`, async () => {
      // Fails rather than skips: the lab needs PostgreSQL 15 and root, as `stackbench setup` installs it.
      assert.ok(pg, `no private PostgreSQL (${why}): run as root after apt-get install postgresql`);
      const stack = await stacks.get(id)!;
      try {
        const ids = new Set<number>();
        for (let i = 0; i < 20; i++) {
          const { res, body } = await get(stack.base, '/db');
          assert.equal(res.status, 200);
          const row = body as { id: number; randomNumber: number };
          assert.ok(Number.isInteger(row.id) && row.id >= 1 && row.id <= 10000, `id ${row.id}`);
          assert.equal(row.randomNumber, ((row.id * 7919) % 10000) + 1);
          ids.add(row.id);
        }
        assert.ok(ids.size > 1, 'rows are random');
        if (oneWorkerMany.has(id)) {
          // Many requests at once on one worker: they wait for the pool's connections (10 on flask-gevent,
          // one thread-sensitive connection on django-asgi with Django 3.2) instead of failing.
          const opened = sessions(pg);
          for (let round = 0; round < 2; round++) {
            const burst = await Promise.all(Array.from({ length: 40 }, () => get(stack.base, '/db')));
            for (const { res, body } of burst) {
              assert.equal(res.status, 200, JSON.stringify(body));
              const row = body as { id: number; randomNumber: number };
              assert.equal(row.randomNumber, ((row.id * 7919) % 10000) + 1);
            }
          }
          // The pool keeps its connections: psycopg2's closed every one given back beyond `minconn` (1), so
          // flask-gevent opened a PostgreSQL connection for nearly every query of a burst (~50 req/s at 64).
          if (id === 'flask-gevent') {
            const more = sessions(pg) - opened;
            assert.ok(more <= 12, `${more} PostgreSQL sessions opened for 80 queries (pool of 10)`);
          }
        }
      } finally {
        stack.child.kill('SIGTERM'); // its exit is awaited in after(), with the others'
      }
    });
  }
});

describe('/db with an unreachable database', { timeout: 60_000 }, () => {
  const ids = ['fastapi-uvicorn', 'flask-gevent', 'django-asgi'] as const;
  // All started at once before the tests (mostly imports, two cores); each test awaits its own.
  const stacks = new Map<StackId, Promise<Running>>();

  before(async () => {
    for (const id of ids) {
      const closedPort = await freePort(); // nothing listens there
      stacks.set(
        id,
        Promise.resolve().then(() => {
          assertPythonStack(id);
          return startStack(id, 1, {
            STACKBENCH_PG: `postgresql://postgres@127.0.0.1:${closedPort}/postgres`,
          });
        }),
      );
    }
    await Promise.allSettled(stacks.values());
  });

  after(async () => {
    // A graceful stop can take seconds: all at once, not one after another.
    await Promise.all(
      [...stacks.values()].map(async (p) => {
        const stack = await p.catch(() => undefined);
        if (!stack) return;
        stack.child.kill('SIGTERM');
        await stack.exited;
      }),
    );
  });

  for (const id of ids) {
    it(`${id} starts anyway and answers 502`, async () => {
      const stack = await stacks.get(id)!;
      try {
        for (let i = 0; i < 2; i++) {
          // twice: a failed first connection must not leave a broken pool behind
          const { res, body } = await get(stack.base, '/db');
          assert.equal(res.status, 502);
          assert.equal(typeof (body as { error?: unknown }).error, 'string');
        }
      } finally {
        stack.child.kill('SIGTERM'); // its exit is awaited in after(), with the others'
      }
    });
  }
});

// ---------------------------------------------------------------- waits that do not hold a worker

for (const id of ['flask-gevent', 'django-asgi'] as const) {
  describe(`${id} overlaps waits on one worker`, { timeout: 60_000 }, () => {
    let stack: Running;

    before(async () => {
      assertPythonStack(id);
      stack = await startStack(id, 1, { STACKBENCH_DOWNSTREAM: downstreamUrl });
    });

    after(async () => {
      if (stack?.child.pid && stack.child.exitCode === null) killGroup(stack.child.pid);
    });

    it('answers 50 concurrent /io?ms=200 in far less than 50 x 200 ms', async () => {
      const t0 = performance.now();
      const all = await Promise.all(Array.from({ length: 50 }, () => get(stack.base, '/io?ms=200')));
      const took = performance.now() - t0;
      for (const { res, body } of all) {
        assert.equal(res.status, 200);
        assert.deepEqual(body, { waited_ms: 200 });
      }
      // One request at a time would take 10 s; overlapping waits take ~200 ms plus the machine's noise.
      assert.ok(took >= 195 && took < 2500, `50 waits took ${took.toFixed(0)} ms`);
    });

    it('answers 30 concurrent /service calls', async () => {
      downstreamUp = true;
      const all = await Promise.all(Array.from({ length: 30 }, () => get(stack.base, '/service')));
      for (const { res, body } of all) {
        assert.equal(res.status, 200);
        assert.deepEqual(body, { service: item });
      }
    });

    it('keeps answering /json while a long /io waits', async () => {
      const long = get(stack.base, '/io?ms=1500');
      const t0 = performance.now();
      const quick = await get(stack.base, '/json');
      assert.equal(quick.res.status, 200);
      assert.ok(performance.now() - t0 < 1000, 'the worker was not held by the waiting request');
      assert.deepEqual((await long).body, { waited_ms: 1500 });
    });

    it('logs nothing per request', () => {
      assert.doesNotMatch(stack.output(), /GET \/|HTTP\/1\.1" 200|Traceback/);
    });
  });
}
