// The layout's own rule (docs/ARCHITECTURE.md): imports between src/'s folders point one way, so no folder
// depends on itself through others. A root file (errors.ts, workloads.ts, ...) counts as its own node.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../../src/paths.js';

const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const node = (p: string) => {
  const parts = relative(SRC, p).split('/');
  return parts[0]!;
};

/** folder -> folder -> one import that makes the edge (for the message). */
function graph(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const target = resolve(dirname(f), m[1]!.replace(/\.js$/, '.ts'));
      const [a, b] = [node(f), node(target)];
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Map());
      edges.get(a)!.set(b, `${relative(SRC, f)} -> ${relative(SRC, target)}`);
    }
  }
  return edges;
}

/** A cycle through `start`, as the imports that make it, or undefined. */
function cycleFrom(edges: Map<string, Map<string, string>>, start: string): string[] | undefined {
  const seen = new Set<string>();
  const walk = (at: string, path: string[]): string[] | undefined => {
    for (const [next, why] of edges.get(at) ?? []) {
      if (next === start) return [...path, why];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = walk(next, [...path, why]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, []);
}

describe('the layout', () => {
  it('has no import cycle between the folders of src/', () => {
    const edges = graph();
    assert.ok(edges.size > 10, 'the graph was read');
    for (const folder of edges.keys()) {
      const cycle = cycleFrom(edges, folder);
      assert.equal(cycle, undefined, `a cycle through ${folder}: ${cycle?.join(', ')}`);
    }
  });
});
