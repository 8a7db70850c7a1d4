// The engine's WebSocket side (a ws:// URL to runLoad) against the test chat server: exact fan-out counts, drops, disconnects, refused and
// hanging handshakes, duration and abort bounds.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodeHistogram } from '../../src/engine/histogram.js';
import { runLoad } from '../../src/engine/index.js';
import type { LoadOptions } from '../../src/engine/types.js';
import { loadSummary } from '../../src/report/load-summary.js';
import { startChatServer, type ChatServer } from '../fixtures/ws-chat-server.js';

interface WsRun {
  url: string;
  connections: number;
  connectRate: number;
  messageRate: number;
  durationMs: number;
  warmupMs?: number;
  rooms?: number;
  graceMs?: number;
  includeSender?: boolean;
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: LoadOptions['onProgress'];
}

/** The engine's options from the WebSocket-shaped ones these tests speak in. */
async function runWsLoad(o: WsRun) {
  const r = await runLoad({
    url: o.url,
    model: 'open',
    connections: o.connections,
    rate: o.messageRate,
    durationMs: o.durationMs,
    warmupMs: o.warmupMs,
    timeoutMs: o.connectTimeoutMs,
    signal: o.signal,
    onProgress: o.onProgress,
    ws: { rooms: o.rooms, connectRate: o.connectRate, graceMs: o.graceMs, includeSender: o.includeSender },
  });
  return { ...r, ...r.ws!, result: r };
}

describe('WebSocket load against a chat server', () => {
  let server: ChatServer;
  before(async () => {
    server = await startChatServer();
  });
  after(() => server.close());

  it('counts fan-out exactly: 20 connections, 2 rooms, 50 messages', async () => {
    const r = await runWsLoad({
      url: server.url,
      connections: 20,
      connectRate: 1000,
      messageRate: 50,
      durationMs: 1000,
      rooms: 2,
      graceMs: 1000,
    });
    assert.equal(r.connectionsOpened, 20);
    assert.equal(r.connectionsFailed, 0);
    assert.equal(r.messagesSent, 50);
    // Each message reaches the 10 members of its room, sender included.
    assert.equal(r.expectedDeliveries, 500);
    assert.equal(r.deliveries, 500);
    assert.equal(r.drops, 0);
    assert.equal(r.duplicates, 0);
    assert.equal(r.disconnects, 0);
    assert.equal(r.unexpected, 0);
    assert.deepEqual(r.errors, { connect: 0, reset: 0, timeout: 0, status: 0, malformed: 0 });
    // Every delivery has a latency, and it is a plausible loopback one.
    assert.equal(r.latency.count, 500);
    assert.ok(r.latency.minMs > 0 && r.latency.percentilesMs['50']! < 50, JSON.stringify(r.latency));
    const h = decodeHistogram(r.histogram);
    assert.equal(h.totalCount, 500);
    h.destroy();
    assert.ok(Math.abs(r.generator.achievedRps - 50) < 5, String(r.generator.achievedRps));
    assert.match(loadSummary(r.result), /500 of 500 expected/);
  });

  it('sends only in its slices of the window when gated, and times each slice', async () => {
    // 100 messages/s while on, in slices 1 and 3 of four 150 ms slices: ~15 messages each, none in 0 and 2.
    const r = await runLoad({
      url: server.url,
      model: 'open',
      connections: 4,
      rate: 100,
      durationMs: 600,
      warmupMs: 200,
      timelineMs: 150,
      ws: { rooms: 1, connectRate: 1000, graceMs: 1000, slices: { sliceMs: 150, on: [1, 3] } },
    });
    const t = r.timeline!;
    const sent = r.ws!.messagesSent;
    assert.ok(sent >= 26 && sent <= 32, `~30 messages in two 150 ms slices at 100/s, sent ${sent}`);
    assert.equal(r.ws!.deliveries, sent * 4, 'every member got every message sent');
    // A delivery lands in its send's slice, or a few ms into the next: slices 0 and 2 see at most a tail.
    assert.equal(t.ok[0] ?? 0, 0, 'nothing in the warm-up or the first slice');
    assert.ok(t.ok[1]! > 0 && t.ok[3]! > 0, JSON.stringify(t.ok));
    assert.ok((t.ok[2] ?? 0) <= 8, `at most a tail in slice 2: ${JSON.stringify(t.ok)}`);
    assert.ok(
      typeof t.p99Ms[1] === 'number' && t.p99Ms[1]! > 0 && t.p99Ms[1]! < 100,
      JSON.stringify(t.p99Ms),
    );
    assert.equal(t.p99Ms[0] ?? null, null, 'no p99 for a slice with no delivery');
  });

  it('does not count warmup messages', async () => {
    const r = await runWsLoad({
      url: server.url,
      connections: 4,
      connectRate: 1000,
      messageRate: 100,
      warmupMs: 300,
      durationMs: 500,
    });
    assert.equal(r.messagesSent, 50);
    assert.equal(r.deliveries, 200);
    assert.equal(r.latency.count, 200);
  });

  it('expects no echo when told the server skips the sender', async () => {
    const quiet = await startChatServer({ skipSender: true });
    try {
      const r = await runWsLoad({
        url: quiet.url,
        connections: 6,
        connectRate: 1000,
        messageRate: 20,
        durationMs: 500,
        rooms: 3,
        includeSender: false,
      });
      assert.equal(r.messagesSent, 10);
      assert.equal(r.expectedDeliveries, 10);
      assert.equal(r.deliveries, 10);
      assert.equal(r.drops, 0);
    } finally {
      await quiet.close();
    }
  });
});

describe('WebSocket load counts faults', () => {
  it('counts drops when the server drops every 10th message, and waits no longer than the grace', async () => {
    const lossy = await startChatServer({ dropEvery: 10 });
    try {
      const t0 = performance.now();
      const r = await runWsLoad({
        url: lossy.url,
        connections: 20,
        connectRate: 1000,
        messageRate: 50,
        durationMs: 1000,
        rooms: 2,
        graceMs: 300,
      });
      const wall = performance.now() - t0;
      assert.equal(r.messagesSent, 50);
      assert.equal(r.expectedDeliveries, 500);
      // 5 of 50 messages never relayed, each owed to 10 members.
      assert.equal(r.drops, 50);
      assert.equal(r.deliveries, 450);
      assert.ok(wall >= 1000 && wall < 1000 + 300 + 1500, `took ${wall} ms`);
    } finally {
      await lossy.close();
    }
  });

  it('counts disconnects when the server closes connections', async () => {
    const closing = await startChatServer({ closeAfterMs: 300 });
    try {
      const r = await runWsLoad({
        url: closing.url,
        connections: 10,
        connectRate: 1000,
        messageRate: 40,
        durationMs: 800,
        graceMs: 200,
      });
      assert.equal(r.connectionsOpened, 10);
      assert.equal(r.disconnects, 10);
      // Nothing is left to send on once every connection is gone.
      assert.ok(r.messagesSent < 32, String(r.messagesSent));
      assert.ok(r.generator.unsent > 0);
      // The server closed the connections: not the generator's fault, and said so.
      assert.equal(r.generator.saturated, false);
      assert.match(r.generator.note ?? '', /found no open connection/);
      assert.equal(r.errors.reset, 10);
    } finally {
      await closing.close();
    }
  });

  it('counts refused handshakes as connect failures', async () => {
    const picky = await startChatServer({ rejectEvery: 4 });
    try {
      const r = await runWsLoad({
        url: picky.url,
        connections: 12,
        connectRate: 1000,
        messageRate: 10,
        durationMs: 300,
      });
      assert.equal(r.connectionsFailed, 3);
      assert.equal(r.connectionsOpened, 9);
      assert.equal(r.disconnects, 0);
      assert.equal(r.errors.status, 3, 'a refused upgrade is a status error');
    } finally {
      await picky.close();
    }
  });

  it('never hangs on a server that accepts TCP but never answers the handshake', async () => {
    const sockets = new Set<import('node:net').Socket>();
    // The engine gives up on the handshake and resets the connection: the reset is expected here, and an
    // 'error' on a socket nobody listens to would be an uncaught exception in the middle of the suite.
    const mute: Server = createServer((s) => {
      s.on('error', () => {});
      sockets.add(s);
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const port = (mute.address() as import('node:net').AddressInfo).port;
    try {
      const t0 = performance.now();
      const r = await runWsLoad({
        url: `ws://127.0.0.1:${port}/chat`,
        connections: 5,
        connectRate: 1000,
        messageRate: 10,
        durationMs: 300,
        connectTimeoutMs: 400,
      });
      const wall = performance.now() - t0;
      assert.equal(r.connectionsOpened, 0);
      assert.equal(r.connectionsFailed, 5);
      assert.equal(r.messagesSent, 0);
      assert.equal(r.errors.timeout, 5, 'a handshake with no answer is a timeout');
      assert.equal(r.generator.saturated, false, 'the server failed, not the generator');
      assert.ok(wall < 3000, `took ${wall} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => mute.close(() => r()));
    }
  });

  it('stops early on abort and reports progress', async () => {
    const server = await startChatServer();
    try {
      const ac = new AbortController();
      const phases = new Set<string>();
      setTimeout(() => ac.abort(), 1200);
      const t0 = performance.now();
      const r = await runWsLoad({
        url: server.url,
        connections: 4,
        connectRate: 1000,
        messageRate: 100,
        durationMs: 10_000,
        signal: ac.signal,
        onProgress: (p) => phases.add(p.phase),
      });
      const wall = performance.now() - t0;
      assert.ok(wall < 3000, `took ${wall} ms`);
      assert.ok(phases.has('measure'));
      assert.ok(r.messagesSent > 50 && r.messagesSent < 200, String(r.messagesSent));
    } finally {
      await server.close();
    }
  });
});
