// The size sweep measures a slow size instead of calling it failed: a server whose requests take 700 ms, whose
// three workers each pay 500 ms more at their first request of a size (a pre-fork server building its table).
// A fixed 600 ms window and a one-connection warm-up read this as "no answer within 0.6 s" (pandas' 1 s sort of
// 1M rows in a quick run of 2026-12-07).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { sweepRate } from '../../src/analysis/crossover.js';
import type { Point } from '../../src/results/types.js';
import { driveStack } from '../../src/runner/drive.js';
import { objectiveOf } from '../../src/runner/objective.js';
import type { Subject } from '../../src/runner/subject.js';
import { measureSize, windowFor } from '../../src/runner/sweep.js';
import { sampleTree } from '../../src/probes/proctree.js';
import { freePort } from '../helpers/subjects.js';

const SERVICE_MS = 700;
const BUILD_MS = 500;

// Each new connection goes to the next of three workers; a worker's first request at a path builds (BUILD_MS).
const SERVER = `
const http = require('node:http');
const built = [new Set(), new Set(), new Set()];
let next = 0;
const server = http.createServer((req, res) => {
  const w = req.socket.worker;
  const cold = !built[w].has(req.url);
  built[w].add(req.url);
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ worker: w, cold }));
  }, ${SERVICE_MS} + (cold ? ${BUILD_MS} : 0));
});
server.on('connection', (s) => { s.worker = next++ % 3; });
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));
`;

describe('the size sweep at a size slower than its first window', { timeout: 60_000 }, () => {
  let child: ChildProcess;
  let subject: Subject;
  before(async () => {
    const port = await freePort();
    child = spawn(process.execPath, ['-e', SERVER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      child.stdout!.once('data', () => res());
      child.once('exit', (c) => rej(new Error(`test server exited (${c})`)));
    });
    subject = {
      id: 'slow-sized',
      runtime: 'node',
      instances: 1,
      workers: 3,
      exited: () => child.exitCode !== null,
      drive: (w, spec) => driveStack(port, w, spec, 0),
      settle: () => Promise.resolve(0),
      sample: () => sampleTree(child.pid!),
    };
  });
  after(() => child?.kill('SIGKILL'));

  it('warms every worker, then measures each run in a window that holds its answers', async () => {
    const points: Point[] = [];
    const notes: string[] = [];
    await measureSize(
      {
        objective: objectiveOf(),
        results: { notes } as never,
        onPoint: async (p) => void points.push(p),
      },
      subject,
      'data',
      '/data/sized?rows=1000000&op=sort',
      { family: 'data', size: 1_000_000, label: 'sort 1000000', op: 'sort', impl: 'pandas' },
      2,
    );
    assert.equal(points.length, 2, 'one point a run: the short attempts are not recorded');
    assert.deepEqual(notes, [], 'no failure said');
    for (const p of points) {
      assert.equal(p.errorRate, 0, `no errors: ${JSON.stringify(p.errors)}`);
      assert.ok(p.requests >= 2, `${p.requests} answers in ${p.durationMs} ms`);
      assert.ok(p.durationMs >= windowFor(SERVICE_MS) - 50, `a window made for 700 ms: ${p.durationMs} ms`);
      // Every worker warmed: no measured answer paid a build.
      assert.ok(p.latency.maxMs < SERVICE_MS + BUILD_MS / 2, `slowest answer ${p.latency.maxMs} ms`);
      // The time a request takes, from its answers: not cut by the window's end.
      const ms = 1000 / sweepRate(p);
      // (Answers / window reads ~800 ms here: three answers in 2.4 s, the fourth cut off.)
      assert.ok(ms > SERVICE_MS - 5 && ms < SERVICE_MS * 1.1, `${ms.toFixed(0)} ms a request`);
    }
  });

  it('sizes the window for MIN_ANSWERS with room, within 600 ms and 8 s', () => {
    assert.equal(windowFor(1), 600);
    assert.equal(windowFor(700), 1800);
    assert.equal(windowFor(1100), 2800);
    assert.equal(windowFor(5000), 8000);
  });
});
