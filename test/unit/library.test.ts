// stackbench as a library: importing it changes nothing in the host (no signal handler, no exit hook, no program
// run), the children it starts are still stopped when the host exits (normally, or killed by a signal it does not
// handle), a host's own signal handler is left to decide, and load() drives a real server with the CLI's defaults.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { load, planRun, StackbenchError, VERSION } from '../../src/index.js';
import { okServer, type TestServer } from '../fixtures/http-servers.js';

const DIST_SRC = resolve(fileURLToPath(import.meta.url), '../../../src');
const lib = pathToFileURL(join(DIST_SRC, 'index.js')).href;
const processModule = pathToFileURL(join(DIST_SRC, 'machine/process.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'sb-lib-'));

interface HostResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a host program (ES module text) in its own Node process; `onLine` sees each stdout line as it comes (to
 * signal the host at the right moment). Killed after 20 s whatever happens.
 */
function host(
  code: string,
  onLine: (line: string, pid: number) => void = () => {},
  env: Record<string, string> = {},
): Promise<HostResult> {
  const file = join(dir, `host-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, code);
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c;
    pending += c;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, nl), child.pid!);
      pending = pending.slice(nl + 1);
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((res) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    }),
  );
}

/** Whether a pid is a live process (a zombie is not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs = 3000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return !alive(pid);
}

const strays: number[] = [];
after(() => {
  for (const pid of strays) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A host that starts, through the library's process plumbing, a shell whose background `sleep` is a grandchild:
 * setpriv's parent-death signal reaches the shell only, so the sleep survives the host unless the group is killed.
 */
const startGrandchild = (before = '') => `
import { start } from ${JSON.stringify(processModule)};
${before}
const m = start({ name: 'sh', cmd: 'sh', args: ['-c', 'sleep 30 & echo $!; wait'] });
m.child.stdout.on('data', (c) => process.stdout.write('grandchild ' + c));
setInterval(() => {}, 1000);
`;

describe('importing the library', () => {
  it('installs no handler and runs no program', async () => {
    // getconf, setpriv and taskset were once run at import: fakes first on PATH would leave a mark if they ran.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const mark = join(bin, 'ran');
    for (const tool of ['getconf', 'setpriv', 'taskset', 'python3', 'haproxy', 'pg_ctl']) {
      writeFileSync(join(bin, tool), `#!/bin/sh\necho ${tool} >> ${mark}\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    const r = await host(
      `
const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection'];
const count = () => Object.fromEntries(events.map((e) => [e, process.listenerCount(e)]));
const before = count();
const lib = await import(${JSON.stringify(lib)});
console.log(JSON.stringify({ before, after: count(), exports: Object.keys(lib).length }));
`,
      undefined,
      { PATH: `${bin}:${process.env.PATH}` },
    );
    assert.equal(r.code, 0, r.stderr);
    const { before, after: afterImport, exports } = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(afterImport, before);
    assert.ok((exports as number) > 10, 'the library exports its API');
    assert.ok(
      !existsSync(mark),
      `no program ran at import: ${existsSync(mark) ? readFileSync(mark, 'utf8') : ''}`,
    );
  });
});

describe('children of a host that exits', () => {
  it('are killed when a host without handlers gets SIGTERM, and the host dies by it as it would have', async () => {
    let grandchild = 0;
    const r = await host(startGrandchild(), (line, pid) => {
      const m = /^grandchild (\d+)/.exec(line);
      if (!m) return;
      grandchild = Number(m[1]);
      strays.push(grandchild);
      process.kill(pid, 'SIGTERM');
    });
    assert.ok(grandchild > 0, r.stderr);
    assert.equal(r.signal, 'SIGTERM', 'the default action: killed by the signal');
    assert.ok(await gone(grandchild), 'the grandchild went with it');
  });

  it("leave a host's own handler to decide, and are killed when that host exits", async () => {
    let grandchild = 0;
    const r = await host(
      startGrandchild(
        `process.on('SIGTERM', () => { console.log('handled'); setTimeout(() => process.exit(7), 200); });`,
      ),
      (line, pid) => {
        const m = /^grandchild (\d+)/.exec(line);
        if (m) {
          grandchild = Number(m[1]);
          strays.push(grandchild);
          process.kill(pid, 'SIGTERM');
        }
        // The host's handler ran and the library did not kill anything meanwhile.
        if (line === 'handled') assert.ok(alive(grandchild), 'still alive while the host decides');
      },
    );
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stdout, /^handled$/m);
    assert.ok(await gone(grandchild), 'killed by the exit hook');
  });
});

describe('load()', () => {
  let server: TestServer;
  after(() => server?.close());

  it("drives a real server with the command's defaults where options are left out", async () => {
    server = await okServer();
    const r = await load({ url: server.url, durationMs: 300, connections: 4 });
    assert.equal(r.model, 'closed');
    assert.equal(r.connections, 4);
    assert.ok(r.requests > 0 && r.rps > 0, JSON.stringify(r.errors));
    assert.equal(r.latency.count, r.requests);
    const open = await load({ url: server.url, durationMs: 300, rate: 200, connections: 2 });
    assert.equal(open.model, 'open', 'a rate makes it an open loop');
    assert.equal(open.generator.intendedRps, 200);
  });

  it('refuses a target that is not loopback, as the CLI does', async () => {
    await assert.rejects(load({ url: 'http://192.0.2.1/', durationMs: 100 }), /SB_REMOTE|loopback/);
  });

  it('has the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(resolve(DIST_SRC, '../../package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(VERSION, pkg.version);
  });
});

describe('planRun()', () => {
  const code = (c: string) => (e: unknown) => e instanceof StackbenchError && e.code === c && e.exit === 2;

  it('resolves the options as the run command would, starting nothing', () => {
    const plan = planRun({
      stacks: ['node-http'],
      workloads: ['json', 'ml'],
      durationMs: 300,
      repetitions: 1,
      probes: 0,
      scaling: 'off',
      outDir: 'some/where',
    });
    assert.deepEqual(plan.stacks, ['node-http']);
    assert.equal(plan.suite.durationMs, 300);
    assert.equal(plan.suite.probeMs, 300, 'a duration sets the probes too, as -d does');
    assert.equal(plan.suite.repetitions, 1);
    assert.equal(plan.scaling, undefined);
    assert.deepEqual(plan.sweep?.families, ['ml'], 'the sweep on the families selected');
    assert.equal(plan.outDir, resolve('some/where'));
    assert.equal(plan.objective.sloP99Ms, 100);
    assert.equal(plan.main, true);
  });

  it('refuses what the CLI refuses, with the same error codes', () => {
    assert.throws(() => planRun({ stacks: ['nope'] }), code('SB_UNKNOWN_STACK'));
    assert.throws(() => planRun({ workloads: ['nope'] }), code('SB_UNKNOWN_WORKLOAD'));
    assert.throws(() => planRun({ suite: 'huge' as 'quick' }), code('SB_UNKNOWN_SUITE'));
    assert.throws(() => planRun({ repetitions: 0 }), code('SB_BAD_NUMBER'));
    assert.throws(() => planRun({ sloP99Ms: -5 }), code('SB_BAD_NUMBER'));
    assert.throws(() => planRun({ connections: [] }), code('SB_BAD_NUMBER'));
    assert.throws(() => planRun({ dataRows: [5] }), code('SB_BAD_NUMBER'));
    assert.throws(() => planRun({ scaling: 'maybe' as 'on' }), code('SB_BAD_FLAG'));
  });
});
