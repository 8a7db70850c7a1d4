// The config file: JSON, .mjs, .js and .ts configs load with their defaults and relative paths resolved (the .ts
// one through the typescript package, from a private temp folder that is removed after); a file with many
// mistakes gets every one, each with its path, in one SB_BAD_CONFIG (exit 2); discovery order; the published
// JSON Schema is what `npm run schema` writes; the helpers that turn requests into concrete ones; and
// defineConfig's type, checked by the compiler (the @ts-expect-error lines fail the build if they compile).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { checkThresholds, parseRunThreshold, parseThreshold } from '../../src/gates/index.js';
import {
  byWeight,
  checkConfig,
  CONFIG_FILES,
  configJsonSchema,
  defineConfig,
  draw,
  fillRequest,
  findConfig,
  loadConfig,
  readConfig,
  requestsOf,
  targetUrl,
  withPort,
  type ResolvedConfig,
  type StackbenchConfig,
} from '../../src/config/index.js';
import { StackbenchError } from '../../src/errors.js';
import type { LoadResult } from '../../src/engine/types.js';

const root = mkdtempSync(join(tmpdir(), 'sb-config-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
/** A fresh folder with the given files. */
function folder(files: Record<string, string>): string {
  const dir = join(root, `d${++dirs}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs fn, which must reject with SB_BAD_CONFIG; returns the error. */
async function badConfig(fn: () => Promise<unknown> | unknown): Promise<StackbenchError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof StackbenchError, String(e));
    assert.equal(e.code, 'SB_BAD_CONFIG');
    assert.equal(e.exit, 2);
    assert.ok(!e.line().includes('\n'), `one line: ${e.line()}`);
    return e;
  }
  assert.fail('expected SB_BAD_CONFIG');
}

const tempConfigDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('stackbench-config-'));

describe('loading a valid config', () => {
  it('JSON: defaults applied; cwd, bodyFile (read into body) and against resolved against its folder', async () => {
    const dir = folder({
      'cfg/stackbench.config.json': JSON.stringify({
        $schema: '../docs/stackbench.config.schema.json',
        targets: {
          mine: { command: 'node server.js --port {port}', cwd: '../app' },
          here: { command: 'python3 -m http.server {port}' },
          theirs: { url: 'http://127.0.0.1:8080/api' },
        },
        requests: [
          { path: '/users/{id}', weight: 3 },
          {
            name: 'create',
            method: 'POST',
            path: '/users',
            bodyFile: 'bodies/user.json',
            headers: { 'X-A': '1' },
          },
        ],
        values: { id: { range: [1, 10000] }, tag: { list: ['a', 'b', 7] } },
        thresholds: ['p99<50ms', 'capacity>5000'],
        against: 'base/results.json',
        duration: '5s',
      }),
      'cfg/bodies/user.json': '{"name": "u{id}", "tag": "{tag}"}',
      'cfg/base/results.json': '{}',
      'app/server.js': '',
    });
    const loaded = await loadConfig('cfg/stackbench.config.json', dir);
    assert.ok(loaded);
    const { config, file } = loaded;
    assert.equal(file, join(dir, 'cfg/stackbench.config.json'));
    assert.deepEqual(config.targets.mine, {
      command: 'node server.js --port {port}',
      cwd: join(dir, 'app'),
      readyPath: '/',
      runtime: 'other',
    });
    assert.equal((config.targets.here as { cwd: string }).cwd, join(dir, 'cfg'));
    assert.deepEqual(config.targets.theirs, { url: 'http://127.0.0.1:8080/api' });
    assert.deepEqual(config.requests![0], { method: 'GET', path: '/users/{id}', weight: 3 });
    assert.equal(config.requests![1]!.bodyFile, join(dir, 'cfg/bodies/user.json'));
    assert.equal(config.requests![1]!.body, '{"name": "u{id}", "tag": "{tag}"}');
    assert.equal(config.against, join(dir, 'cfg/base/results.json'));
    assert.deepEqual([config.stacks, config.mixes, config.allowRemote], [[], {}, []]);
    assert.equal(config.failOnRegression, false);
  });

  it('.mjs (a named `config` export, a relative import) and CommonJS .js (module.exports)', async () => {
    const mjs = folder({
      'stackbench.config.mjs': [
        "import { ids } from './ids.mjs';",
        "export const config = { stacks: [{ name: 'my-express', runtime: 'node', command: 'node app.js {port}',",
        "  cwd: 'app', workloads: ['json', 'io', 'db'], framework: 'express', serverClass: 'event loop' }],",
        '  values: { id: { range: ids } }, requests: [{ path: "/x/{id}" }] };',
      ].join('\n'),
      'ids.mjs': 'export const ids = [1, 99];',
      'app/app.js': '',
    });
    const a = await loadConfig(undefined, mjs);
    assert.ok(a);
    assert.equal(a.config.stacks[0]!.cwd, join(mjs, 'app'));
    assert.deepEqual(a.config.values.id, { range: [1, 99] });

    const cjs = folder({ 'stackbench.config.js': "module.exports = { suite: 'full', slo: 250 };" });
    const b = await loadConfig(undefined, cjs);
    assert.deepEqual([b?.config.suite, b?.config.slo], ['full', 250]);
  });

  it('.ts: transpiled with typescript, imports pointed back at its folder, temp folder removed', async () => {
    const dir = folder({
      'stackbench.config.ts': [
        "import { defineConfig, type StackbenchConfig } from 'stackbench/config';",
        "import { base } from './base.mjs';",
        "import { dirname } from 'node:path';",
        'interface Knobs { slo: number }',
        'const knobs: Knobs = { slo: 80 };',
        'const here: string = dirname(new URL(import.meta.url).pathname);',
        'export default defineConfig({',
        '  targets: { api: { command: `node ${here}/srv.js {port}` }, ref: { url: base } },',
        '  slo: knobs.slo,',
        "  mixes: { reads: [{ path: '/r' }], writes: [{ method: 'PUT', path: '/w', body: '{}' }] },",
        "  mix: 'reads',",
        '} satisfies StackbenchConfig);',
      ].join('\n'),
      'base.mjs': "export const base = 'http://127.0.0.1:9000';",
    });
    const before = tempConfigDirs();
    const loaded = await loadConfig(undefined, dir);
    assert.ok(loaded);
    assert.equal(loaded.file, join(dir, 'stackbench.config.ts'));
    const { config } = loaded;
    assert.equal(config.slo, 80);
    assert.deepEqual(config.targets.ref, { url: 'http://127.0.0.1:9000' });
    // import.meta.url is the config file's, not the temp copy's.
    assert.equal((config.targets.api as { command: string }).command, `node ${dir}/srv.js {port}`);
    assert.deepEqual(requestsOf(config), [{ method: 'GET', path: '/r', weight: 1 }]);
    assert.deepEqual(tempConfigDirs(), before);
  });

  it('.ts without the typescript package: SB_BAD_CONFIG naming both fixes', async () => {
    const dir = folder({ 'stackbench.config.ts': 'export default {};' });
    const e = await badConfig(() => readConfig(join(dir, 'stackbench.config.ts'), () => undefined));
    assert.match(e.message, /needs the typescript package/);
    assert.match(e.hint, /rename it to stackbench\.config\.mjs/);
    assert.match(e.hint, /npm install --save-dev typescript/);
  });

  it('.ts with a syntax error: its line and column', async () => {
    const dir = folder({ 'stackbench.config.ts': 'export default {\n  slo: 80,,\n};' });
    const e = await badConfig(() => loadConfig(undefined, dir));
    assert.match(e.message, /line 2, column \d+: /);
  });
});

describe('a config with mistakes', () => {
  it('reports every one, each with its path, in one SB_BAD_CONFIG (exit 2)', async () => {
    const dir = folder({
      'stackbench.config.json': JSON.stringify({
        suite: 'quick',
        slo: '100', // wrong type
        conections: 64, // unknown key (a typo)
        targets: {
          api: { command: 'node server.js' }, // no {port}
          old: { url: 'http://127.0.0.1:3000', comand: 'x' }, // unknown key in a target
        },
        requests: [{ path: '/users/{id}' }], // {id} has no value
        stacks: [
          { name: 'fastify', runtime: 'node', command: 'node f.js {port}', workloads: ['json'] }, // clash
          { name: 'mine', runtime: 'node', command: 'node m.js {port}', workloads: ['json', 'grpc'] }, // workload
        ],
        thresholds: ['p99<50ms', 'p99<fast'], // bad threshold
      }),
    });
    const e = await badConfig(() => loadConfig(undefined, dir));
    const file = join(dir, 'stackbench.config.json');
    assert.ok(e.message.startsWith(`bad config ${file}: 8 problems: `), e.message);
    for (const expected of [
      'slo: Invalid input: expected number, received string',
      'unknown key "conections" (did you mean "connections"?)',
      'targets.api.command: must contain {port}',
      'targets.old: unknown key "comand" (did you mean "command"?)',
      'requests[0].path: {id} has no value: add values.id',
      'stacks[0].name: "fastify" is a reference stack\'s name',
      'stacks[1].workloads[1]: Invalid option: expected one of "json"|',
      'thresholds[1]: bad threshold "p99<fast"',
    ]) {
      assert.ok(e.message.includes(expected), `missing "${expected}" in: ${e.message}`);
    }
    assert.match(e.line(), /^error\[SB_BAD_CONFIG\]: .* — fix each one in the file; docs\/CONFIG\.md/);
  });

  it('names the branch of a union the user meant, and says so when it cannot tell', () => {
    const e = (raw: unknown) => {
      try {
        checkConfig(raw, join(root, 'x.json'));
      } catch (err) {
        return (err as Error).message;
      }
      return assert.fail('expected an error');
    };
    assert.match(e({ targets: { a: { url: 5 } } }), /: targets\.a\.url: Invalid input: expected string/);
    assert.match(e({ targets: { a: { url: 'https://x' } } }), /targets\.a\.url: https is not supported/);
    assert.match(
      e({ targets: { a: { url: 'http://x', command: 'y {port}' } } }),
      /targets\.a: a target is either/,
    );
    assert.match(e({ targets: { a: {} } }), /targets\.a: a target is either/);
    assert.match(e({ values: { id: { range: [9, 1] } } }), /values\.id\.range: min must not exceed max/);
    assert.match(e({ values: { id: { range: [1, 2], list: ['a'] } } }), /values\.id: a value is either/);
    assert.match(e({ targets: { 'a b': { url: 'http://x' } } }), /targets\["a b"\]: a name is 1 to 64/);
    assert.match(
      e({ mix: 'heavy', mixes: { light: [{ path: '/' }] } }),
      /mix: no mix named "heavy" \(mixes has light\)/,
    );
    assert.match(
      e({ requests: [{ path: '/', body: 'x', bodyFile: 'y' }] }),
      /requests\[0\]\.bodyFile: give body or bodyFile, not both/,
    );
    assert.match(
      e({
        stacks: [0, 1].map(() => ({ name: 's', runtime: 'node', command: 'x {port}', workloads: ['io'] })),
      }),
      /stacks\[1\]\.name: "s" is already the name of stacks\[0\]/,
    );
    assert.match(
      e({ requests: [{ path: '/', headers: { 'Content-Length': '3' } }] }),
      /set by stackbench from the body/,
    );
    assert.match(e([]), /Invalid input: expected object, received array/);
  });

  it('checks the files it names: a missing folder, body file and baseline; placeholders inside a body file', async () => {
    const dir = folder({
      'stackbench.config.json': JSON.stringify({
        targets: { a: { command: 'x {port}', cwd: 'nowhere' } },
        requests: [
          { path: '/', bodyFile: 'missing.json' },
          { method: 'POST', path: '/', bodyFile: 'b.json' },
        ],
        against: 'old/results.json',
      }),
      'b.json': '{"user": {user}}',
    });
    const e = await badConfig(() => loadConfig(undefined, dir));
    assert.ok(e.message.includes(`targets.a.cwd: no such folder ${join(dir, 'nowhere')}`), e.message);
    assert.ok(e.message.includes(`requests[0].bodyFile: cannot read ${join(dir, 'missing.json')}: ENOENT`));
    assert.ok(e.message.includes('requests[1].bodyFile: {user} has no value'));
    assert.ok(e.message.includes(`against: no such file ${join(dir, 'old/results.json')}`));
  });

  it('a file that is not JSON, exports nothing, throws, or is of an unknown type', async () => {
    const dir = folder({
      'a.json': '{\n  "slo": 100,\n  "suite": "quick",\n}\n',
      'b.mjs': 'export const other = 1;',
      'c.mjs': "throw new Error('boom');",
      'd.yaml': 'slo: 1',
    });
    assert.match(
      (await badConfig(() => loadConfig('a.json', dir))).message,
      /not valid JSON: .*line 4, column 1/,
    );
    const none = await badConfig(() => loadConfig('b.mjs', dir));
    assert.match(none.message, /it exports no config/);
    assert.match(none.hint, /export default defineConfig/);
    assert.match((await badConfig(() => loadConfig('c.mjs', dir))).message, /cannot load it: boom/);
    assert.match(
      (await badConfig(() => loadConfig('d.yaml', dir))).message,
      /"\.yaml" is not a config file type/,
    );
    assert.match((await badConfig(() => loadConfig('nope.json', dir))).message, /nope\.json: no such file/);
    assert.match((await badConfig(() => loadConfig('.', dir))).message, /: it is a folder/);
  });
});

describe('discovery', () => {
  it('stackbench.config.json, .mjs, .js, .ts in that order; none: undefined', async () => {
    assert.deepEqual(CONFIG_FILES, [
      'stackbench.config.json',
      'stackbench.config.mjs',
      'stackbench.config.js',
      'stackbench.config.ts',
    ]);
    const dir = folder({
      'stackbench.config.json': '{"slo": 1}',
      'stackbench.config.mjs': 'export default { slo: 2 };',
      'stackbench.config.js': 'module.exports = { slo: 3 };',
      'stackbench.config.ts': 'export default { slo: 4 as number };',
    });
    for (const [name, slo] of [
      ['stackbench.config.json', 1],
      ['stackbench.config.mjs', 2],
      ['stackbench.config.js', 3],
      ['stackbench.config.ts', 4],
    ] as const) {
      assert.equal(findConfig(dir), join(dir, name));
      assert.equal((await loadConfig(undefined, dir))?.config.slo, slo);
      rmSync(join(dir, name));
    }
    assert.equal(await loadConfig(undefined, dir), undefined);
    mkdirSync(join(dir, 'stackbench.config.json')); // a folder of that name is not a config
    assert.equal(findConfig(dir), undefined);
  });
});

describe('the published JSON Schema', () => {
  it('docs/stackbench.config.schema.json is the schema (npm run schema writes it)', () => {
    const file = fileURLToPath(new URL('../../../docs/stackbench.config.schema.json', import.meta.url));
    const published = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(published, configJsonSchema());
    assert.equal(published.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(published.additionalProperties, false);
  });
});

describe('docs/CONFIG.md', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/CONFIG.md', import.meta.url)), 'utf8');

  it('every example loads (the folders it names made), JSON and TypeScript alike', async () => {
    const blocks = [...doc.matchAll(/```(json|ts)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!] as const);
    assert.equal(blocks.length, 4);
    for (const [lang, text] of blocks) {
      const dir = folder({
        [`stackbench.config.${lang}`]: text,
        'api-express/.keep': '',
        'api-fastapi/.keep': '',
        'my-express/.keep': '',
      });
      const loaded = await loadConfig(undefined, dir);
      assert.ok(loaded && (Object.keys(loaded.config.targets).length || loaded.config.stacks.length), text);
    }
  });

  it('its error example is what stackbench prints for that file', async () => {
    const shown = /^error\[SB_BAD_CONFIG\]: bad config (\S+): .*$/m.exec(doc);
    assert.ok(shown, 'the example error line');
    const dir = folder({
      'stackbench.config.json': JSON.stringify({
        targets: { api: { command: 'node server.js' } },
        conections: 64,
        requests: [{ path: '/users/{id}' }],
      }),
    });
    const e = await badConfig(() => loadConfig(undefined, dir));
    assert.equal(e.line().replace(join(dir, 'stackbench.config.json'), shown[1]!), shown[0]);
  });
});

describe('thresholds in a config', () => {
  const result = { rps: 900 } as unknown as LoadResult;
  it('capacity>N: accepted for run and compare, refused by load with the reason, checked against a figure', () => {
    assert.deepEqual(parseRunThreshold('capacity > 5000'), {
      text: 'capacity > 5000',
      metric: 'capacity',
      op: '>',
      value: 5000,
    });
    assert.throws(() => parseThreshold('capacity>5000'), /not by `load`/);
    assert.throws(() => parseRunThreshold('capacity>5000ms'), /bad threshold "capacity>5000ms"/);
    assert.deepEqual(parseThreshold('rps>=800'), { text: 'rps>=800', metric: 'rps', op: '>=', value: 800 });
    const ts = [parseRunThreshold('capacity>5000'), parseRunThreshold('rps>=800')];
    assert.deepEqual(
      checkThresholds(ts, result, { capacity: 6000 }).map((c) => c.ok),
      [true, true],
    );
    assert.deepEqual(checkThresholds(ts, result, { capacity: 4000 })[0], {
      threshold: 'capacity>5000',
      actual: 4000,
      ok: false,
    });
    assert.equal(checkThresholds(ts, result)[0]!.ok, false); // no capacity measured: not held
  });
});

describe('from a config to requests', () => {
  /** A seeded generator (mulberry32), so the draws are the same every run. */
  const seeded = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };

  it('fills placeholders: the same value in path and body, percent-encoded in the path only', () => {
    const values = { id: { range: [5, 5] as [number, number] }, q: { list: ['a b/c'] } };
    const r = fillRequest(
      { method: 'POST', path: '/u/{id}?q={q}', body: '{"id": {id}, "q": "{q}"}', weight: 1 },
      values,
      seeded(1),
    );
    assert.deepEqual(r, {
      name: 'POST /u/{id}?q={q}',
      method: 'POST',
      path: '/u/5?q=a%20b%2Fc',
      headers: {},
      body: '{"id": 5, "q": "a b/c"}',
    });
  });

  it('draws every integer of a range, and no other; picks entries by weight', () => {
    const random = seeded(7);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(draw({ range: [-2, 3] }, random));
    assert.deepEqual([...seen].sort(), ['-1', '-2', '0', '1', '2', '3']);
    assert.equal(
      draw({ range: [1, 10] }, () => 0.9999999999),
      '10',
    );
    const pick = byWeight(
      [
        { name: 'a', weight: 3 },
        { name: 'b', weight: 1 },
      ],
      random,
    );
    let a = 0;
    for (let i = 0; i < 4000; i++) if (pick().name === 'a') a++;
    assert.ok(a > 2800 && a < 3200, `a picked ${a} of 4000 times, expected about 3000`);
  });

  it('requestsOf, targetUrl, withPort', () => {
    const config = { mixes: { m: [{ method: 'GET' as const, path: '/m', weight: 1 }] } };
    assert.deepEqual(requestsOf(config), [{ method: 'GET', path: '/', weight: 1 }]);
    assert.deepEqual(requestsOf(config, 'm'), config.mixes.m);
    assert.equal(requestsOf(config, 'nope'), undefined);
    assert.equal(requestsOf(config, 'toString'), undefined);
    assert.equal(targetUrl('http://127.0.0.1:8080/api/', '/users/1'), 'http://127.0.0.1:8080/api/users/1');
    assert.equal(withPort('serve --port {port} --metrics {port}', 4000), 'serve --port 4000 --metrics 4000');
  });
});

describe('defineConfig', () => {
  it('returns its argument; its type accepts what the schema accepts and refuses the rest (compile time)', () => {
    const c = defineConfig({
      targets: { api: { command: 'node s.js {port}' }, ref: { url: 'http://127.0.0.1:1' } },
      requests: [{ path: '/users/{id}' }],
      values: { id: { range: [1, 10] } },
      stacks: [{ name: 'mine', runtime: 'python', command: 'x {port}', workloads: ['json', 'ml'] }],
    });
    const typed: StackbenchConfig = c;
    assert.equal(typed, c);
    // @ts-expect-error: a misspelt key
    defineConfig({ sute: 'quick' });
    // @ts-expect-error: suite is quick or full
    defineConfig({ suite: 'medium' });
    // @ts-expect-error: a workload the lab does not have
    defineConfig({ stacks: [{ name: 's', runtime: 'node', command: 'x {port}', workloads: ['grpc'] }] });
    // @ts-expect-error: a stack needs a runtime
    defineConfig({ stacks: [{ name: 's', command: 'x {port}', workloads: ['json'] }] });
    // @ts-expect-error: a range is two integers
    defineConfig({ values: { id: { range: [1] } } });
    // @ts-expect-error: slo is a number of ms
    defineConfig({ slo: '100ms' });
    // Once loaded, defaults are filled in: a request's weight is a number, never undefined.
    type Weight = NonNullable<ResolvedConfig['requests']>[number]['weight'];
    // @ts-expect-error: not optional after loading
    const none: Weight = undefined;
    assert.equal(none, undefined);
  });
});
