// `stackbench load --ws`: the WebSocket engine from the command line, against a real chat server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadResult, WsCounts } from '../../src/engine/types.js';
import { runCli } from '../helpers/cli.js';
import { startChatServer } from '../fixtures/ws-chat-server.js';

test('load --ws --json: fan-out deliveries counted, one JSON document', async () => {
  const srv = await startChatServer();
  try {
    const r = await runCli([
      'load',
      `ws://127.0.0.1:${srv.port}/chat`,
      '--ws',
      '-c',
      '20',
      '--rooms',
      '2',
      '--rate',
      '50',
      '-d',
      '1s',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const { ws: res, ...common } = JSON.parse(r.stdout) as LoadResult & { ws: WsCounts };
    assert.equal(common.requests, res.deliveries, 'one result shape: a delivery is the counted unit');
    assert.equal(res.connectionsOpened, 20);
    assert.ok(res.messagesSent >= 45 && res.messagesSent <= 55, `sent ${res.messagesSent}`);
    // every message reaches the 10 members of its room
    assert.equal(res.deliveries, res.messagesSent * 10);
    assert.equal(res.drops, 0);
  } finally {
    await srv.close();
  }
});

test('load --ws refuses an http:// URL with exit 2', async () => {
  const r = await runCli(['load', 'http://127.0.0.1:9/chat', '--ws', '-d', '1s']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ws:\/\//);
});
