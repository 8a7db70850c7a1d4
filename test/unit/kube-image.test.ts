/**
 * The Dockerfile, checked where no image can be built (no Docker engine here): it is Node.js 20 on Debian 12,
 * it installs exactly the Debian packages `stackbench setup` installs (printed by scripts/debian-packages.mjs
 * from setup's own list), every COPY source exists (in the checkout, or made by the build stage), nothing it
 * copies is ignored by .dockerignore, and its entrypoint is the CLI at the path the manifests assume.
 * Building and running the image waits for a machine with a builder (docs/KUBERNETES.md).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.js';
import { DEBIAN_PYTHON } from '../../src/setup/detect.js';
import { IMAGE_ROOT } from '../../src/kube/container.js';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  steps: Instruction[];
}

/** The Dockerfile as stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line)!;
    if (op!.toUpperCase() === 'FROM') {
      const [from, , name] = args!.split(/\s+/);
      stages.push({ from: from!, name, steps: [] });
    } else stages.at(-1)!.steps.push({ op: op!.toUpperCase(), args: args!.replace(/\s+/g, ' ') });
  }
  return stages;
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const build = stages.find((s) => s.name === 'build')!;
const final = stages.at(-1)!;
const copies = (s: Stage) =>
  s.steps
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(' ');
      const from = words.find((w) => w.startsWith('--from='))?.slice(7);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'));

describe('Dockerfile', () => {
  it('is Node.js 20 on Debian 12 (bookworm), built in one stage and run from a slim one', () => {
    assert.equal(stages.length, 2);
    assert.equal(build.from, 'node:20-bookworm');
    assert.equal(final.from, 'node:20-bookworm-slim');
  });

  it("installs setup's Debian packages, from the list the code prints", () => {
    const printed = spawnSync(process.execPath, [join(ROOT, 'scripts/debian-packages.mjs')], {
      encoding: 'utf8',
    });
    assert.equal(printed.status, 0, printed.stderr);
    assert.deepEqual(printed.stdout.trim().split('\n'), DEBIAN_PYTHON);
    assert.ok(DEBIAN_PYTHON.includes('python3-pandas') && DEBIAN_PYTHON.includes('libopenblas0-pthread'));
    const runs = (s: Stage) => s.steps.filter((i) => i.op === 'RUN').map((i) => i.args);
    assert.ok(runs(build).some((r) => r.includes('node scripts/debian-packages.mjs > debian-packages.txt')));
    assert.ok(copies(final).some((c) => c.from === 'build' && c.sources[0] === '/src/debian-packages.txt'));
    assert.ok(runs(final).some((r) => /xargs -a \/tmp\/debian-packages\.txt apt-get install -y/.test(r)));
    // No package named by hand besides util-linux (taskset, setpriv): the list is setup's alone.
    assert.ok(!/python3-/.test(runs(final).join(' ')), 'a python3-* package restated in the Dockerfile');
  });

  it('every COPY source exists: in the checkout (and not ignored), or made by the build stage', () => {
    for (const stage of stages)
      for (const c of copies(stage))
        for (const src of c.sources) {
          if (c.from === undefined) {
            assert.ok(existsSync(join(ROOT, src)), `COPY ${src}: not in the checkout`);
            assert.ok(!ignored.includes(src.replace(/\/$/, '')), `COPY ${src}: excluded by .dockerignore`);
            continue;
          }
          assert.equal(c.from, 'build');
          const rel = src.replace(/^\/src\//, '');
          const top = rel.split('/')[0]!;
          const copiedIn = copies(build).some(
            (b) => b.dest.replace(/^\.\//, '') === top || b.sources.includes(top),
          );
          const made = {
            node_modules: /npm ci/,
            dist: /tsc -p tsconfig\.json/,
            'debian-packages.txt': /> debian-packages\.txt/,
          }[top];
          const runs = build.steps
            .filter((i) => i.op === 'RUN')
            .map((i) => i.args)
            .join(' ');
          assert.ok(
            copiedIn || (made && made.test(runs)),
            `COPY --from=build ${src}: the build stage makes no ${top}`,
          );
        }
    // What the final stage copies from the build covers what the CLI and the servers need at run time.
    const into = copies(final).map((c) => c.dest.replace(/^\.\//, ''));
    for (const need of ['node_modules', 'dist/src', 'servers', 'bin']) assert.ok(into.includes(need), need);
    // package.json: the CLI reads its version from it
    assert.ok(copies(final).some((c) => c.sources[0] === '/src/package.json'));
  });

  it('runs the CLI from the image root the manifests assume, as the unprivileged node user', () => {
    const workdir = final.steps.filter((i) => i.op === 'WORKDIR').at(-1)!.args;
    assert.equal(workdir, IMAGE_ROOT);
    assert.equal(
      final.steps.find((i) => i.op === 'ENTRYPOINT')!.args,
      `["node", "${IMAGE_ROOT}/bin/stackbench.js"]`,
    );
    assert.match(
      readFileSync(join(ROOT, 'bin/stackbench.js'), 'utf8'),
      /import '\.\.\/dist\/src\/cli\/main\.js'/,
    );
    assert.equal(final.steps.find((i) => i.op === 'USER')!.args, 'node');
    for (const never of ['node_modules', 'dist', '.git']) assert.ok(ignored.includes(never), never);
  });
});
