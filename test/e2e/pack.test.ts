// The npm package as a user gets it: `npm pack`, then `npm install <tarball>` into an empty folder (dependencies
// from the registry, or npm's cache), then from that folder the CLI through npx (--version, stacks, load, a Node
// stack verified from node_modules), the library through `import { load } from 'stackbench'`, and its types
// through TypeScript. npm that cannot install is a failure that says why, never a skip.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { okServer, type TestServer } from '../fixtures/http-servers.js';
import { leftovers, ROOT } from '../helpers/cli.js';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * npm's own variables from a parent `npm test` (the package being tested, its lifecycle, a prefix) must not leak
 * into the user's install; what configures the registry, its proxy and the cache is kept.
 */
const KEEP =
  /^npm_config_(cache|registry|userconfig|globalconfig|proxy|https_proxy|noproxy|cafile|strict_ssl)$/i;
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || KEEP.test(k)),
) as Record<string, string>;

/** Run a command (no shell), killing its process group after `ms`. */
function sh(
  cmd: string,
  args: string[],
  cwd: string,
  ms: number,
  extra: Record<string, string> = {},
): Promise<Ran> {
  return new Promise((res) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${ms} ms)`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, ms);
    child.on('error', (e) => (stderr += `\n${e.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('the npm package', { timeout: 120_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'sb-pack-'));
  const app = join(work, 'app');
  let files: string[] = [];
  let server: TestServer;

  before(async () => {
    if (spawnSync('npm', ['--version'], { env }).status !== 0)
      assert.fail(
        'npm is not installed: it comes with Node.js (apt-get install nodejs npm, or https://nodejs.org)',
      );
    server = await okServer();
    // The build the tests run from is the one packed (prepack would rebuild the folder these tests run from).
    const packed = await sh(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
      ROOT,
      60_000,
    );
    assert.equal(packed.code, 0, `npm pack failed:\n${packed.stderr}`);
    const info = (
      JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
    )[0]!;
    files = info.files.map((f) => f.path);
    mkdirSync(app);
    const install = await sh(
      'npm',
      [
        'install',
        join(work, info.filename),
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
      ],
      app,
      60_000,
    );
    if (install.code !== 0)
      assert.fail(
        `npm could not install the package and its dependencies (registry ${env.npm_config_registry ?? 'https://registry.npmjs.org/'} ` +
          `unreachable and not in npm's cache?) — fix the network or run \`npm cache add\` for them first:\n${install.stderr}`,
      );
  });

  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds what a user needs, and nothing of the repository besides', () => {
    for (const f of [
      'package.json',
      'README.md',
      'bin/stackbench.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/main.js',
      'servers/node/dist/http.js',
      'servers/node/dist/fastify.js',
      'servers/python/requirements.txt',
      'servers/python/stackbench_py/flask_app.py',
      'servers/shared/sales.csv',
      'docs/LIBRARY.md',
      'docs/stackbench.config.schema.json',
      'dist/src/config/index.d.ts',
    ])
      assert.ok(files.includes(f), `${f} is in the package`);
    const stray = files.filter((f) =>
      /^(test|src|bench|scripts|dist\/test|dist\/bench|servers\/node\/src)\/|\.map$|__pycache__|\.pyc$|^\.|\/\./.test(
        f,
      ),
    );
    assert.deepEqual(stray, []);
  });

  it('runs its CLI through npx: --version, stacks, load', async () => {
    const v = await sh('npx', ['--no', '--', 'stackbench', '--version'], app, 20_000);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), `stackbench ${version}`);

    const s = await sh('npx', ['--no', '--', 'stackbench', 'stacks', '--json'], app, 30_000);
    assert.equal(s.code, 0, s.stderr);
    const stacks = (
      JSON.parse(s.stdout) as {
        stacks: Array<{ id: string; runtime: string; available: boolean; versions: Record<string, string> }>;
      }
    ).stacks;
    const node = stacks.filter((x) => x.runtime === 'node');
    assert.deepEqual(
      node.map((x) => x.id),
      ['node-http', 'fastify', 'express', 'node-cluster'],
    );
    for (const x of node)
      assert.ok(x.available, `${x.id} is available from node_modules: ${JSON.stringify(x)}`);
    // The framework's version is read from the user's node_modules, where npm put it.
    assert.match(stacks.find((x) => x.id === 'fastify')!.versions.framework ?? '', /^fastify \d+\.\d+\.\d+/);

    const l = await sh(
      'npx',
      ['--no', '--', 'stackbench', 'load', server.url, '-d', '500ms', '-c', '4', '--json'],
      app,
      30_000,
    );
    assert.equal(l.code, 0, l.stderr);
    const r = JSON.parse(l.stdout) as { requests: number; rps: number; durationMs: number };
    assert.ok(r.requests > 0 && r.rps > 0, l.stdout);
    assert.ok(r.durationMs >= 500 && r.durationMs < 1500, `measured for -d 500ms: ${r.durationMs} ms`);
  });

  it('starts a Node stack from node_modules and verifies it', async () => {
    const runId = `test-pack-${process.pid}`;
    const v = await sh(
      'npx',
      ['--no', '--', 'stackbench', 'verify', '--stacks', 'node-http', '--workloads', 'json', '--json'],
      app,
      60_000,
      { STACKBENCH_RUN_ID: runId },
    );
    assert.equal(v.code, 0, v.stderr + v.stdout);
    const out = JSON.parse(v.stdout) as {
      ok: boolean;
      stacks: Array<{ cells: Record<string, { status: string }> }>;
    };
    assert.equal(out.ok, true);
    assert.equal(out.stacks[0]!.cells.json!.status, 'pass');
    assert.deepEqual(leftovers(runId), []);
  });

  it("is a library: `import { load } from 'stackbench'` runs a load, and its types check", async () => {
    writeFileSync(
      join(app, 'try.mjs'),
      `import { load } from 'stackbench';
import { defineConfig } from 'stackbench/config';
const r = await load({ url: process.argv[2], durationMs: 300, connections: 2 });
const config = defineConfig({ targets: { api: { url: process.argv[2] } } });
console.log(JSON.stringify({ requests: r.requests, rps: r.rps, p99: r.latency.percentilesMs['99'], config }));
`,
    );
    const r = await sh(process.execPath, ['try.mjs', server.url], app, 20_000);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { requests: number; rps: number; p99: number; config: unknown };
    assert.ok(got.requests > 0 && got.rps > 0 && got.p99 > 0, r.stdout);
    assert.deepEqual(
      got.config,
      { targets: { api: { url: server.url } } },
      "'stackbench/config' is importable",
    );

    // The types come with it, through the exports map: a typed use compiles, a wrong one does not.
    const tsc = resolve(ROOT, 'node_modules/typescript/bin/tsc');
    const flags = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--skipLibCheck',
    ];
    writeFileSync(
      join(app, 'typed.mts'),
      `import { load, run, defineConfig, type LoadResult, type Results, type StackbenchConfig } from 'stackbench';
import { defineConfig as fromConfig } from 'stackbench/config';
const c: StackbenchConfig = fromConfig(defineConfig({ targets: { api: { url: 'http://127.0.0.1:1/' } } }));
const r: LoadResult = await load({ url: 'http://127.0.0.1:1/', durationMs: 300 });
const done: Promise<{ results: Results }> = run({ stacks: ['node-http'], workloads: ['json'], scaling: 'off' });
export { r, done, c };
`,
    );
    const ok = await sh(process.execPath, [tsc, ...flags, 'typed.mts'], app, 30_000);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    writeFileSync(join(app, 'wrong.mts'), `import { load } from 'stackbench';\nawait load({ url: 42 });\n`);
    const bad = await sh(process.execPath, [tsc, ...flags, 'wrong.mts'], app, 30_000);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stdout, /wrong\.mts.*number.*string/);
  });
});
