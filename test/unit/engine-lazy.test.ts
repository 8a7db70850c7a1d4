// The open loop opens connections only when due requests need them: it must not park idle connections on a
// server (a pre-fork sync worker that accepts an idle connection blocks on it), and it must not spin while
// it waits for one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLoad } from '../../src/engine/index.js';

test('open loop at a low rate holds few connections, however many it may use', async () => {
  let connections = 0;
  const srv = createServer((_req, res) => setTimeout(() => res.end('ok'), 20));
  srv.on('connection', () => connections++);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  try {
    const r = await runLoad({
      url: `http://127.0.0.1:${port}/`,
      model: 'open',
      rate: 50,
      connections: 64,
      durationMs: 1000,
    });
    assert.ok(r.requests >= 45, `requests ${r.requests}`);
    // 50 req/s x 20 ms = 1 in flight on average: a handful of connections, not 64.
    assert.ok(connections <= 8, `opened ${connections} connections`);
    assert.ok(r.generator.cpuPercent < 50, `generator CPU ${r.generator.cpuPercent}%`);
  } finally {
    srv.close();
  }
});

test('open loop against a server that closes every connection reconnects on demand without errors', async () => {
  const srv = createServer((_req, res) => {
    res.setHeader('connection', 'close');
    setTimeout(() => res.end('ok'), 5);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  try {
    const r = await runLoad({
      url: `http://127.0.0.1:${port}/`,
      model: 'open',
      rate: 200,
      connections: 32,
      durationMs: 1000,
    });
    assert.equal(
      Object.values(r.errors).reduce((a, b) => a + b, 0),
      0,
      JSON.stringify(r.errors),
    );
    assert.ok(r.requests >= 190, `requests ${r.requests}`);
    assert.ok(r.latency.percentilesMs['99']! < 100, `p99 ${r.latency.percentilesMs['99']} ms`);
  } finally {
    srv.close();
  }
});
