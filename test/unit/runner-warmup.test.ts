// The warm-up against simulated servers (src/engine/mock.ts): it runs until throughput is steady, waits out a JIT
// on Node.js, gives up on a server too slow to judge, and never runs past its bound. Deterministic and instant.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulatedSubject } from '../../src/runner/subject.js';
import { CHUNK_MS, JIT_MIN_REQUESTS, warmUntilSteady } from '../../src/runner/warmup.js';

describe('warmUntilSteady', () => {
  it('stops after three steady chunks on a server that needs no warming (Python: no JIT minimum)', async () => {
    const subject = simulatedSubject({ capacity: 2000, serviceMs: 2 }, 'steady', 'python');
    const seen = await warmUntilSteady(subject, 'json', 64, 4000);
    assert.equal(seen.length, 3);
    assert.ok(seen.every((x) => x === 2000));
  });

  it('waits for a JIT: a plateau at 40 % does not count until the jump and the request minimum', async () => {
    // Runs 0..3 at 40 % (a plateau that looks steady, but under the JIT minimum of requests), then full speed.
    const subject = simulatedSubject(
      { capacity: 4000, serviceMs: 1, warm: (run) => (run < 4 ? 0.4 : 1) },
      'jit',
      'node',
    );
    const seen = await warmUntilSteady(subject, 'json', 64, 10_000);
    const served = seen.reduce((a, rps) => a + (rps * CHUNK_MS) / 1000, 0);
    assert.ok(served >= JIT_MIN_REQUESTS, `served ${served}`);
    assert.equal(seen.at(-1), 4000, 'ends at full speed');
    assert.deepEqual(seen, [1600, 1600, 1600, 1600, 4000, 4000, 4000], 'and only once it is steady there');
  });

  it('gives up early on a server too slow to judge (under 100 answers a chunk)', async () => {
    const subject = simulatedSubject({ capacity: 40, serviceMs: 500 }, 'slow', 'python');
    const seen = await warmUntilSteady(subject, 'cpu', 64, 10_000);
    assert.equal(seen.length, 2);
  });

  it('never runs past its bound, steady or not', async () => {
    // Climbs 10 % a run, forever: never steady.
    const subject = simulatedSubject(
      { capacity: 1000, serviceMs: 1, warm: (run) => 1.1 ** run },
      'climbing',
      'python',
    );
    const seen = await warmUntilSteady(subject, 'json', 64, 2000);
    assert.equal(seen.length, Math.floor(2000 / CHUNK_MS));
  });

  it('chat warms with one second of messages at the headline rate', async () => {
    const subject = simulatedSubject({ capacity: 10_000, serviceMs: 1 }, 'chat', 'node');
    const seen = await warmUntilSteady(subject, 'chat', 64, 4000);
    assert.equal(seen.length, 1);
  });
});
