// Generator health in words: our CPU or our lateness is "saturated"; a slow server is a note, not our fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessHealth } from '../../src/engine/health.js';

const pacing = { intended: 0, sent: 0, lateSends: 0, queuedSends: 0, unsent: 0 };
const base = { cores: 1, threads: 1, connections: 100, achievedRps: 50_000, pacing };

test('closed loop: a generator at 97% of its core makes the figure a lower bound', () => {
  const h = assessHealth({ ...base, model: 'closed', cpuPercent: 97 });
  assert.equal(h.saturated, true);
  assert.equal(h.reason, 'generator CPU 97% of 1 core: the figure is a lower bound for the server');
  assert.equal(assessHealth({ ...base, model: 'closed', cpuPercent: 60 }).saturated, false);
  // Two worker threads on two cores: 150% is not saturation.
  assert.equal(
    assessHealth({ ...base, model: 'closed', cores: 2, threads: 2, cpuPercent: 150 }).saturated,
    false,
  );
});

test('open loop: short of the rate because we sent late with free connections -> saturated', () => {
  const p = { intended: 10_000, sent: 7000, lateSends: 3000, queuedSends: 100, unsent: 3000 };
  const h = assessHealth({
    ...base,
    model: 'open',
    cpuPercent: 70,
    intendedRps: 10_000,
    achievedRps: 7000,
    pacing: p,
  });
  assert.equal(h.saturated, true);
  assert.match(h.reason, /could not send on time: achieved 7000 of 10000 req\/s/);
});

test('open loop: short of the rate because requests waited for busy connections -> the server was slow', () => {
  const p = { intended: 10_000, sent: 6000, lateSends: 5000, queuedSends: 4900, unsent: 4000 };
  const h = assessHealth({
    ...base,
    model: 'open',
    cpuPercent: 40,
    intendedRps: 10_000,
    achievedRps: 6000,
    pacing: p,
  });
  assert.equal(h.saturated, false);
  assert.equal(h.reason, '');
  assert.match(h.note ?? '', /the server was slow: .*4900 requests waited for one of 100 busy connections/);
});
