/**
 * CPU budgets by cgroup (src/machine/cgroup.ts), on the machine's real cgroups: a busy loop (and the worker it
 * forks) started through argvPrefix in a 25 % budget gets a quarter of a core and is throttled; remove() waits
 * for an empty group and leaves nothing; a dead owner's groups are cleaned and a live owner's kept; and when
 * cgroups cannot be used the reason says why. Needs root and a writable cgroup cpu controller (CI runs as root).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CgroupError,
  cgroupSupport,
  cleanupStaleBudgets,
  createCpuBudget,
  type CpuBudget,
} from '../../src/machine/cgroup.js';
import { ROOT } from '../../src/paths.js';
import { start, type Managed } from '../../src/machine/process.js';

const support = cgroupSupport();
assert.ok(support.ok, support.ok ? '' : `cgroups unavailable: ${support.reason} — ${support.fix}`);
const controller = support.controller;
const CGROUP_JS = join(ROOT, 'dist/src/machine/cgroup.js');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The budget's group folders in every hierarchy it uses (cpu, and cpuacct when mounted apart). */
function groupDirs(path: string): string[] {
  const dirs = [path, dirname(path)];
  if (controller.kind === 'v1' && controller.acctRoot && controller.acctRoot !== controller.cpuRoot) {
    const rel = path.slice(controller.cpuRoot.length);
    dirs.push(join(controller.acctRoot, rel), dirname(join(controller.acctRoot, rel)));
  }
  return dirs;
}

/** Cores used over `ms` by the group, from its own usage counter. */
async function coresUsed(b: CpuBudget, ms: number): Promise<number> {
  const s0 = b.stats();
  const t0 = performance.now();
  await sleep(ms);
  const s1 = b.stats();
  const wallUs = (performance.now() - t0) * 1000;
  assert.ok(s0.usageUs !== null && s1.usageUs !== null, 'usage is counted');
  return (s1.usageUs - s0.usageUs) / wallUs;
}

/** A node child that creates a budget (in its own run) and stays alive; resolves with the group's path. */
function budgetOwner(name: string): Promise<{ child: ChildProcess; path: string }> {
  const script = `const m = await import(${JSON.stringify(CGROUP_JS)});
const b = m.createCpuBudget({ name: ${JSON.stringify(name)}, cores: 0.5 });
console.log(b.path);
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`owner did not report its group: ${err}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve({ child, path: out.trim() });
      }
    });
    child.on('exit', (code) => reject(new Error(`owner exited ${code}: ${err}`)));
  });
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('CPU budgets by cgroup', { timeout: 60_000 }, () => {
  const procs: Managed[] = [];
  const budgets: CpuBudget[] = [];
  const owners: ChildProcess[] = [];
  after(async () => {
    for (const p of procs) await p.stop(1000);
    for (const o of owners) await killAndWait(o);
    for (const b of budgets) await b.remove().catch(() => {});
    cleanupStaleBudgets();
  });

  it('holds a busy loop and the worker it forks to a quarter of a core, and shows the throttling', async () => {
    const b = createCpuBudget({ name: 'busy', cores: 0.25, periodUs: 20_000 });
    budgets.push(b);
    assert.equal(b.kind, controller.kind);
    assert.equal(b.quotaUs, 5000);
    assert.equal(b.periodUs, 20_000);
    // A shell that forks a second busy process: both must be inside, and share the one quota.
    const busy = `${JSON.stringify(process.execPath)} -e 'for(;;){}'`;
    const [cmd, ...args] = b.argvPrefix(['sh', '-c', `${busy} & ${busy} & wait`]);
    const p = start({ name: 'busy-pair', cmd: cmd!, args });
    procs.push(p);
    let pids: number[] = [];
    for (let i = 0; i < 100 && pids.length < 3; i++, await sleep(20)) pids = b.pids();
    assert.equal(pids.length, 3, `the shell and both busy workers are in the group: ${pids.join(', ')}`);
    assert.ok(pids.includes(p.pid), 'the started process itself is inside');
    const t0 = b.stats();
    const cores = await coresUsed(b, 1000);
    assert.ok(cores > 0.18 && cores < 0.31, `used ${cores.toFixed(3)} cores with a budget of 0.25`);
    const t1 = b.stats();
    assert.ok(
      t1.nrPeriods - t0.nrPeriods >= 30,
      `periods: ${t1.nrPeriods - t0.nrPeriods} over ~1 s of 20 ms`,
    );
    assert.ok(t1.nrThrottled > t0.nrThrottled, 'throttled periods are counted');
    assert.ok(
      t1.throttledUs - t0.throttledUs > 500_000,
      `throttled ${(t1.throttledUs - t0.throttledUs) / 1000} ms`,
    );
  });

  it('changes the limit of a live group', () => {
    const b = budgets[0]!;
    b.setQuota(0.5, 10_000);
    assert.equal(b.quotaUs, 5000);
    assert.equal(b.periodUs, 10_000);
    const read = (f: string) => readFileSync(join(b.path, f), 'utf8').trim();
    if (b.kind === 'v1') {
      assert.equal(read('cpu.cfs_quota_us'), '5000');
      assert.equal(read('cpu.cfs_period_us'), '10000');
      b.setQuota('max');
      assert.equal(read('cpu.cfs_quota_us'), '-1');
    } else {
      assert.equal(read('cpu.max'), '5000 10000');
      b.setQuota('max');
      assert.equal(read('cpu.max'), 'max 10000');
    }
    assert.equal(b.quotaUs, null);
    assert.throws(() => b.setQuota(0.05, 10_000), /below the kernel's 1 ms minimum/);
  });

  it('remove() refuses while processes are inside, waits for them, then leaves nothing', async () => {
    const b = budgets[0]!;
    const p = procs[0]!;
    const early = await b.remove({ timeoutMs: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(early instanceof CgroupError, 'remove() with processes inside fails');
    assert.match(early.message, new RegExp(`still holds pids .*${p.pid}`));
    // Stop and remove at the same time: remove() waits until the group is empty.
    await Promise.all([p.stop(2000), b.remove({ timeoutMs: 5000 })]);
    for (const d of groupDirs(b.path)) assert.equal(existsSync(d), false, `${d} removed`);
    budgets.shift();
  });

  it("cleans a dead owner's groups and keeps a live owner's", async () => {
    const dead = await budgetOwner('stale');
    owners.push(dead.child);
    const live = await budgetOwner('live');
    owners.push(live.child);
    const mine = createCpuBudget({ name: 'mine', cores: 0.5 });
    budgets.push(mine);
    for (const p of [dead.path, live.path, mine.path]) assert.ok(existsSync(p), `${p} created`);
    await killAndWait(dead.child); // SIGKILL: its exit handler cannot remove anything

    const result = cleanupStaleBudgets();
    for (const d of groupDirs(dead.path)) {
      assert.equal(existsSync(d), false, `${d} of the dead owner removed`);
      assert.ok(result.removed.includes(d), `${d} reported removed`);
    }
    for (const d of [...groupDirs(live.path), ...groupDirs(mine.path)]) assert.ok(existsSync(d), `${d} kept`);
    const keptLive = result.kept.find((k) => k.path === dirname(live.path));
    assert.match(keptLive?.why ?? '', new RegExp(`owner pid ${live.child.pid} is alive`));

    await killAndWait(live.child);
    cleanupStaleBudgets();
    for (const d of groupDirs(live.path))
      assert.equal(existsSync(d), false, `${d} removed once its owner died`);
    await mine.remove();
    budgets.pop();
  });

  it('says why when cgroups cannot be used', () => {
    const noCpu = '22 1 0:20 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n';
    const r1 = cgroupSupport({ mountinfo: noCpu });
    assert.equal(r1.ok, false);
    assert.match(
      r1.ok ? '' : r1.reason,
      /no cgroup cpu controller: no cgroup hierarchy with the cpu controller/,
    );
    assert.throws(
      () => createCpuBudget({ name: 'x', cores: 0.5 }, r1),
      (e: unknown) =>
        e instanceof CgroupError && /no cgroup cpu controller/.test(e.message) && /mount one/.test(e.fix),
    );

    const readOnly = '23 1 0:21 / /sys/fs/cgroup/cpu ro,relatime - cgroup cgroup rw,cpu\n';
    const r2 = cgroupSupport({ mountinfo: readOnly });
    assert.match(
      r2.ok ? '' : r2.reason,
      /cgroup v1 cpu hierarchy at \/sys\/fs\/cgroup\/cpu is mounted read-only/,
    );

    // A cgroup v2 hierarchy (a folder standing in for it): found by "cpu" in its cgroup.controllers.
    const fake = mkdtempSync(join(tmpdir(), 'stackbench-cg2-'));
    try {
      const v2 = `30 1 0:26 / ${fake} rw,nosuid - cgroup2 cgroup2 rw\n`;
      writeFileSync(join(fake, 'cgroup.controllers'), 'memory pids\n');
      const r3 = cgroupSupport({ mountinfo: v2 });
      assert.match(r3.ok ? '' : r3.reason, /unified hierarchy at .* does not offer the cpu controller/);
      writeFileSync(join(fake, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
      const r4 = cgroupSupport({ mountinfo: v2 });
      assert.deepEqual(r4.ok && r4.controller, { kind: 'v2', cpuRoot: fake, acctRoot: fake });
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });

  it('says why when not permitted (an unprivileged user)', () => {
    const script = `const m = await import(${JSON.stringify(CGROUP_JS)});
try { m.createCpuBudget({ name: 'x', cores: 0.5 }); console.log('created'); }
catch (e) { console.log(JSON.stringify({ name: e.name, reason: e.reason, fix: e.fix })); }`;
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    assert.equal(r.status, 0, `setpriv (util-linux) runs node as nobody: ${r.stderr}`);
    const got = JSON.parse(r.stdout) as { name: string; reason: string; fix: string };
    assert.equal(got.name, 'CgroupError');
    assert.match(got.reason, /not permitted to create cgroups under \S+ \(uid 65534: EACCES\)/);
    assert.match(got.fix, /root/);
  });
});
