// `stackbench load`: bad input is one line and exit 2; --json is exactly one JSON document on stdout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { okServer } from '../fixtures/http-servers.js';

// dist/test/unit -> repository root
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = `${ROOT}bin/stackbench.js`;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => p.kill('SIGKILL'), 15_000);
    p.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

const bad: Array<[string[], RegExp]> = [
  [['load'], /missing URL/],
  [['load', 'not a url'], /SB_BAD_URL/],
  [['load', 'https://127.0.0.1/'], /TLS is not supported/],
  [['load', 'http://127.0.0.1:9/', '-d', '5 parsecs'], /SB_BAD_DURATION/],
  [['load', 'http://127.0.0.1:9/', '--rate', '-3'], /SB_BAD_NUMBER|SB_BAD_FLAG/],
  [['load', 'http://127.0.0.1:9/', '--rate', 'fast'], /SB_BAD_NUMBER/],
  [['load', 'http://127.0.0.1:9/', '-c', '0'], /SB_BAD_NUMBER/],
  [['load', 'http://192.0.2.7/'], /SB_REMOTE_TARGET.*--allow-remote 192\.0\.2\.7/],
  [['load', 'http://[::ffff:10.1.2.3]/'], /SB_REMOTE_TARGET/],
  [['load', 'http://host.invalid/'], /SB_BAD_URL.*cannot resolve host\.invalid/],
  [['load', 'http://127.0.0.1:9/', '-H', 'no-colon'], /bad header/],
  [['load', 'http://127.0.0.1:9/', '--bogus'], /SB_BAD_FLAG/],
];

for (const [args, pattern] of bad) {
  test(`bad input ${JSON.stringify(args.slice(1))}: exit 2, one line`, async () => {
    const r = await cli(args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, pattern);
    assert.match(lines[0]!, / — /, 'the line names the fix');
  });
}

test('--json prints exactly one JSON document, the LoadResult', async () => {
  const srv = await okServer();
  try {
    const r = await cli(['load', srv.url, '-c', '4', '-d', '500ms', '--threads', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.trimEnd().split('\n').length, 1);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const k of ['url', 'model', 'requests', 'rps', 'latency', 'errors', 'histogram', 'generator']) {
      assert.ok(k in doc, `missing ${k}`);
    }
    assert.equal(doc.model, 'closed');
    assert.ok((doc.requests as number) > 0);
  } finally {
    await srv.close();
  }
});

test('the human summary names throughput, latency, errors and generator health', async () => {
  const srv = await okServer();
  try {
    const r = await cli(['load', srv.url, '-c', '2', '-d', '300ms', '--rate', '100', '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    for (const word of ['throughput', 'latency ms', 'p99', 'errors', 'generator', 'open loop at 100 req/s']) {
      assert.ok(r.stdout.includes(word), `summary lacks "${word}":\n${r.stdout}`);
    }
    assert.equal(r.stderr, '', 'no progress when stderr is not a terminal');
  } finally {
    await srv.close();
  }
});

test('--threshold: exit 3 when one fails, 0 when all hold, 2 on bad syntax', async () => {
  const srv = await okServer();
  try {
    const base = ['load', srv.url, '-c', '4', '-d', '500ms', '--threads', '1'];
    const pass = await cli([
      ...base,
      '--threshold',
      'p99<2s',
      '--threshold',
      'p95<=2000ms',
      '--threshold',
      'errors<1%',
    ]);
    assert.equal(pass.code, 0, pass.stderr);
    assert.match(pass.stdout, /threshold\s+ok\s+p99<2s/);
    const fail = await cli([...base, '--threshold', 'rps>=100000000', '--json']);
    assert.equal(fail.code, 3);
    const doc = JSON.parse(fail.stdout) as { thresholds: Array<{ ok: boolean }> };
    assert.equal(doc.thresholds[0]!.ok, false);
    const bad = await cli([...base, '--threshold', 'p99<fast']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad threshold "p99<fast"/);
  } finally {
    await srv.close();
  }
});
