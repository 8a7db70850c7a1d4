// verify for real: every stack started, every workload checked; Ctrl-C in the middle leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { leftovers, runCli, startCli } from '../helpers/cli.js';
import { BUILTIN_IDS, STACKS, type BuiltinStackId } from '../../src/stacks/registry.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('verify: all 9 stacks pass all 9 workloads but what their model cannot do (81 cells), and no process of the run is left', async () => {
  const r = await runCli(['verify', '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(0, 2000));
  const v = JSON.parse(r.stdout) as {
    stacks: Array<{
      id: string;
      versions: Record<string, string>;
      cells: Record<string, { status: string; reason?: string }>;
    }>;
  };
  assert.equal(v.stacks.length, 9);
  const cells = v.stacks.flatMap((s) =>
    Object.entries(s.cells).map(([w, c]) => ({ cell: `${s.id}/${w}`, ...c })),
  );
  assert.equal(cells.length, 81);
  // "Not supported" is a finding with its reason, allowed only where the stack's model says so: WebSocket on
  // sync WSGI; chat across several gevent workers without a broker (STACKBENCH_REDIS); streams on Django < 4.2
  // under ASGI; chat on django-asgi without Channels.
  const mayBeUnsupported: Record<string, RegExp> = {
    'flask-gunicorn/chat': /runs WSGI/,
    'django-gunicorn/chat': /runs WSGI/,
    'flask-gevent/chat': /needs a broker: set STACKBENCH_REDIS/,
    'django-asgi/stream': /Django >= 4\.2/,
    'django-asgi/chat': /pip install channels|needs a broker/,
  };
  for (const c of cells) {
    if (c.status === 'pass') continue;
    assert.equal(c.status, 'unsupported', `${c.cell}: ${c.status} ${c.reason ?? ''}`);
    assert.match(c.reason ?? '', mayBeUnsupported[c.cell] ?? /^$/, c.cell);
  }
  for (const wsgi of ['flask-gunicorn/chat', 'django-gunicorn/chat'])
    assert.equal(cells.find((c) => c.cell === wsgi)?.status, 'unsupported', wsgi);
  for (const s of v.stacks) assert.ok(s.versions.framework && s.versions.server, `${s.id} has versions`);
  assert.deepEqual(leftovers(r.runId), []);
});

test('verify: Ctrl-C in the middle stops every child and removes the private database', async () => {
  const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('stackbench-pg-')));
  // json and db only: db makes the lab start its private PostgreSQL, and node-http's checks are over quickly.
  const run = startCli([
    'verify',
    '--stacks',
    'node-http,flask-gunicorn,fastapi-uvicorn',
    '--workloads',
    'json,db',
  ]);
  // Wait until the lab and a Python stack are up (its processes carry our run id), then interrupt.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !leftovers(run.runId).some((p) => /-m (gunicorn|uvicorn)/.test(p)))
    await sleep(50);
  assert.ok(
    leftovers(run.runId).some((p) => /bin\/postgres -D/.test(p)),
    'the private PostgreSQL was running',
  );
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /interrupted/);
  assert.deepEqual(leftovers(r.runId), []);
  const after = readdirSync(tmpdir()).filter((n) => n.startsWith('stackbench-pg-') && !before.has(n));
  assert.deepEqual(after, [], 'no private database folder left');
});

test('verify: a SIGKILL of stackbench itself still takes its servers down (parent-death signal)', async () => {
  const run = startCli(['verify', '--stacks', 'django-gunicorn', '--workloads', 'json,cpu']);
  const deadline = Date.now() + 30_000;
  // Seen once is enough: a second scan raced a worker's fork (its command line briefly unreadable) and failed.
  let seen = false;
  while (Date.now() < deadline && !seen) {
    seen = leftovers(run.runId).some((p) => /-m gunicorn/.test(p));
    if (!seen) await sleep(50);
  }
  assert.ok(seen, 'gunicorn was running');
  run.child.kill('SIGKILL');
  await run.done;
  const gone = Date.now() + 15_000;
  while (Date.now() < gone && leftovers(run.runId).length) await sleep(100);
  assert.deepEqual(leftovers(run.runId), []);
});

test('verify: bad input is one line and exit 2, nothing left running', async () => {
  const srv = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const port = (srv.address() as { port: number }).port;
  // Five separate invocations that share nothing: run at once, as each CLI start is seconds of module loading.
  const [unknown, workload, noPython, noPg, busy] = await Promise.all([
    runCli(['verify', '--stacks', 'rails']),
    runCli(['verify', '--workloads', 'json,graphql']),
    runCli(['verify', '--stacks', 'flask-gunicorn'], { STACKBENCH_PYTHON: '/nonexistent/python3' }),
    runCli(['verify', '--stacks', 'node-http', '--workloads', 'db'], { STACKBENCH_PG_BIN: '/nonexistent' }),
    runCli(['verify', '--stacks', 'node-http', '--workloads', 'json', '--base-port', String(port)]),
  ]);
  srv.close();
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown stack "rails".*choose from: node-http/);
  assert.equal(unknown.stderr.trim().split('\n').length, 1);

  assert.equal(workload.code, 2);
  assert.match(workload.stderr, /unknown workload "graphql"/);

  assert.equal(noPython.code, 2);
  assert.match(noPython.stderr, /SB_PYTHON_MISSING.*stackbench setup --yes/);

  assert.equal(noPg.code, 2);
  assert.match(noPg.stderr, /SB_POSTGRES_MISSING.*setup/);

  assert.equal(busy.code, 2);
  assert.match(busy.stderr, new RegExp(`port ${port} .* in use`));
  for (const r of [unknown, workload, noPython, noPg, busy]) assert.deepEqual(leftovers(r.runId), []);
});

test('verify: without Python the Node stacks are still verified and the Python ones say how to fix it', async () => {
  // cpu: a check of a few requests (json waits up to a second for the Date header to change); which workload does
  // not matter, as a Python stack is unavailable before any is checked.
  const r = await runCli(['verify', '--workloads', 'cpu', '--json'], {
    STACKBENCH_PYTHON: '/nonexistent/python3',
  });
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as {
    stacks: Array<{ id: string; cells: Record<string, { status: string; fix?: string }> }>;
  };
  assert.deepEqual(
    v.stacks.map((s) => s.id),
    [...BUILTIN_IDS],
  );
  for (const s of v.stacks) {
    const cell = s.cells.cpu!;
    // Every Python stack (flask-gevent and django-asgi name no server in their ids).
    if (STACKS[s.id as BuiltinStackId]?.runtime === 'python') {
      assert.equal(cell.status, 'unavailable');
      assert.match(cell.fix ?? '', /setup/);
    } else assert.equal(cell.status, 'pass');
  }
  assert.ok(!existsSync('/nonexistent'));
});
