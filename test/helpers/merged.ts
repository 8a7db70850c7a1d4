// What a point sent by agents must hold: its agents' parts add up to it exactly.
import assert from 'node:assert/strict';
import type { Point } from '../../src/results/types.js';

const sum = (p: Point, f: (a: NonNullable<Point['agents']>[number]) => number) =>
  (p.agents ?? []).reduce((s, a) => s + f(a), 0);

/** Every point sent by `count` agents (or fewer, for fewer connections), its parts adding up to it. */
export function assertMerged(points: Point[], count: number): void {
  assert.ok(points.length > 0, 'points measured');
  for (const p of points) {
    const where = `${p.stack}/${p.kind} #${p.rep}`;
    assert.equal(p.agents?.length, Math.min(count, p.connections), `${where}: its agents`);
    assert.equal(
      sum(p, (a) => a.count),
      p.latency.count,
      `${where}: merged count = the agents' sum`,
    );
    assert.equal(
      sum(p, (a) => a.connections),
      p.connections,
      `${where}: connections split`,
    );
    assert.ok(
      p.agents!.every((a) => a.count > 0),
      `${where}: every agent was answered`,
    );
  }
}
