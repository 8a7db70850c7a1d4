// The engine's message format, room naming and delivery ledger.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeliveryLedger } from '../../src/engine/ws/ledger.js';
import { decodeMessage, encodeMessage, nowUs } from '../../src/engine/ws/message.js';
import { roomNames, roomUrl } from '../../src/engine/ws/rooms.js';

describe('ws message', () => {
  it('pads to the asked size and decodes back', () => {
    const text = encodeMessage({ room: 'r1', seq: 42, t: 123456789 }, 256);
    assert.equal(Buffer.byteLength(text), 256);
    assert.deepEqual(decodeMessage(text), { room: 'r1', seq: 42, t: 123456789 });
  });
  it('never truncates when the size is too small', () => {
    const text = encodeMessage({ room: 'r1', seq: 1, t: 2 }, 10);
    assert.deepEqual(decodeMessage(text), { room: 'r1', seq: 1, t: 2 });
  });
  it('rejects what is not ours', () => {
    for (const t of ['hello', '[]', 'null', '{"seq":"1","t":2,"room":"a"}', '{"seq":-1,"t":2,"room":"a"}']) {
      assert.equal(decodeMessage(t), undefined, t);
    }
  });
  it('has a monotonic microsecond clock', () => {
    const a = nowUs();
    const b = nowUs();
    assert.ok(b >= a && Number.isSafeInteger(a));
  });
});

describe('ws rooms', () => {
  it('names rooms from the URL', () => {
    assert.deepEqual(roomNames('ws://127.0.0.1:1/chat', 1), ['room0']);
    assert.deepEqual(roomNames('ws://127.0.0.1:1/chat?room=lobby', 1), ['lobby']);
    assert.deepEqual(roomNames('ws://127.0.0.1:1/chat?room=g', 3), ['g0', 'g1', 'g2']);
    assert.equal(roomUrl('ws://127.0.0.1:1/chat?room=g&x=1', 'g2'), 'ws://127.0.0.1:1/chat?room=g2&x=1');
  });
});

describe('DeliveryLedger', () => {
  it('tells deliveries, drops and duplicates apart', () => {
    const l = new DeliveryLedger();
    for (let i = 0; i < 3000; i++) l.add(2);
    assert.equal(l.expected, 6000);
    assert.ok(l.deliver(0) && l.deliver(0));
    assert.equal(l.deliver(0), false);
    assert.equal(l.deliver(5000), false);
    assert.ok(l.deliver(2999));
    assert.equal(l.delivered, 3);
    assert.equal(l.duplicates, 1);
    assert.equal(l.drops, 5997);
    assert.equal(l.complete, false);
  });
});
