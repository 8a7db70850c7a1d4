// measurePoint samples the server over the measured window, and the window is timed from the generator's first
// send. A generator that is slow to start (a worker thread booting on a loaded machine, agents at a barrier)
// must not move the sampling ahead of the traffic: CI once read a 300 ms window's server cost as zero.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { runLoad } from '../../src/engine/index.js';
import { measurePoint } from '../../src/runner/measure.js';
import { objectiveOf } from '../../src/runner/objective.js';
import type { Subject } from '../../src/runner/subject.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('measurePoint', () => {
  it('opens the cost window a warm-up after traffic starts, however late the generator starts', async () => {
    const server = createServer((_q, s) => s.end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const t0 = performance.now();
    let began = 0;
    const sampled: Array<[number, number]> = [];
    const subject: Subject = {
      id: 'node-http',
      runtime: 'node',
      instances: 1,
      exited: () => false,
      settle: async () => 0,
      async drive(_w, spec) {
        await sleep(600); // a generator that needs 600 ms before its first send
        return runLoad({
          url: `http://127.0.0.1:${port}/`,
          model: 'closed',
          connections: 4,
          durationMs: spec.durationMs,
          warmupMs: spec.warmupMs,
          threads: 2,
          onBegin: () => {
            began = performance.now() - t0;
            spec.onBegin?.();
          },
        });
      },
      sample() {
        const from = performance.now() - t0;
        return {
          stop() {
            sampled.push([from, performance.now() - t0]);
            return { cpuSeconds: 0.1, peakMiB: 40, processes: 1 };
          },
        };
      },
    };
    try {
      const p = await measurePoint({
        subject,
        workload: 'json',
        kind: 'closed',
        model: 'closed',
        connections: 4,
        durationMs: 300,
        warmupMs: 100,
        rep: 0,
        objective: objectiveOf(),
      });
      assert.ok(began >= 600, `traffic began at ${began} ms`);
      assert.equal(sampled.length, 1, 'sampled once');
      const [from, to] = sampled[0]!;
      // The window is [began + 100, began + 400]: sampled from its start (not 100 ms after the call) to its end.
      assert.ok(from >= began + 90, `sampling began at ${from} ms, traffic at ${began} ms`);
      assert.ok(to - from >= 150, `sampled ${to - from} ms of a 300 ms window`);
      assert.equal(p.server.cpuSeconds, 0.1);
      assert.ok(p.rps > 0);
    } finally {
      server.close();
    }
  });
});
