// The horizontal-scaling study end to end, for real: replicas of a Node.js and a Python stack behind a private
// HAProxy, each under a CPU quota set in a cgroup as an orchestrator would; one replica SIGKILLed mid-run; chat
// across replicas through Redis; Ctrl-C in the middle leaves no process and no cgroup behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../../src/results/types.js';
import { leftovers, processesOf, runCli, startCli } from '../helpers/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = () => mkdtempSync(join(tmpdir(), 'sb-scaling-'));
// One server core for two replicas: each gets a quarter core by quota, the balancer the other half.
const study = [
  '--scaling',
  'only',
  '--replicas',
  '2',
  '--probes',
  '4',
  '--server-cpus',
  '1',
  '--generator-cpus',
  '0',
];

/** The CPU quota of a process's cgroup, from /proc: v1 (cpu.cfs_quota_us) or v2 (cpu.max). */
function quotaOf(pid: number): { quotaUs: number; periodUs: number } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  } catch {
    return undefined;
  }
  for (const line of lines) {
    const [, controllers, path] = line.split(':') as [string, string, string];
    if (controllers.split(',').includes('cpu')) {
      for (const mount of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct']) {
        const q = join(mount, path, 'cpu.cfs_quota_us');
        if (existsSync(q))
          return {
            quotaUs: Number(readFileSync(q, 'utf8')),
            periodUs: Number(readFileSync(join(mount, path, 'cpu.cfs_period_us'), 'utf8')),
          };
      }
    }
    if (controllers === '' && path !== '/') {
      const max = join('/sys/fs/cgroup', path, 'cpu.max');
      if (existsSync(max)) {
        const [q, p] = readFileSync(max, 'utf8').trim().split(' ');
        if (q !== 'max') return { quotaUs: Number(q), periodUs: Number(p) };
      }
    }
  }
  return undefined;
}

/** cgroups this run created that still exist. */
function cgroupsOf(runId: string): string[] {
  const out = execFileSync(
    'find',
    ['/sys/fs/cgroup', '-maxdepth', '6', '-type', 'd', '-name', `stackbench-${runId}*`],
    {
      encoding: 'utf8',
    },
  );
  return out.split('\n').filter(Boolean);
}

test(
  'scaling: replicas behind HAProxy under CPU quotas, capacity at N = 1 and 2, one replica killed',
  { timeout: 300_000 },
  async () => {
    const out = tmp();
    const run = startCli([
      'run',
      ...study,
      '--stacks',
      'node-http,flask-gunicorn',
      '--workloads',
      'json',
      '--out',
      out,
    ]);
    // While it runs: two node-http replicas, each in its own cgroup with a quarter core of quota.
    const quotas = new Map<number, { quotaUs: number; periodUs: number }>();
    let balancer = false;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && quotas.size < 2) {
      balancer ||= processesOf(run.runId, /haproxy/).length > 0;
      for (const p of processesOf(run.runId, /servers\/node\/dist\/http\.js/)) {
        const q = quotaOf(p.pid);
        if (q && q.quotaUs > 0) quotas.set(p.pid, q);
      }
      await sleep(50);
    }
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(balancer, 'a private HAProxy ran');
    assert.equal(quotas.size, 2, 'two replicas under a quota');
    for (const q of quotas.values()) assert.deepEqual(q, { quotaUs: 5_000, periodUs: 20_000 });

    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    assert.equal(res.status, 'complete');
    // --scaling only: no main matrix, every point belongs to the study.
    assert.deepEqual([...new Set(res.points.map((p) => p.kind))], ['scaling']);
    assert.equal(res.config.scaling?.budget, 'quota');
    assert.equal(res.config.scaling?.coresEach, 0.25);
    for (const stack of ['node-http', 'flask-gunicorn']) {
      const caps = res.capacities.filter((c) => c.stack === stack && c.workload === 'json' && c.deployment);
      assert.deepEqual(
        caps.map((c) => c.deployment!.n),
        [1, 2],
        `${stack}: a capacity at N = 1 and N = 2`,
      );
      for (const c of caps) {
        assert.ok(c.rps > 0 && c.probes.length >= 2, `${stack} x${c.deployment!.n} searched`);
        assert.match(
          c.deployment!.budget.text,
          /0\.25 core, CPU quota \(20 ms period\), 1 physical core; the balancer outside the quotas/,
        );
      }
      const two = caps.find((c) => c.deployment!.n === 2)!;
      const shares = two.deployment!.balancer?.shares;
      assert.ok(shares && shares.length === 2, `${stack}: both replicas' shares`);
      for (const s of shares)
        assert.ok(s > 0.3 && s < 0.7, `${stack}: round robin spreads the load (${shares})`);
      assert.ok(two.deployment!.balancer!.cpuUsPerRequest > 0, 'the balancer CPU is measured');

      const fault = res.faults?.find((f) => f.stack === stack && f.workload === 'json');
      assert.ok(fault, `${stack}: a fault run`);
      assert.equal(fault.n, 2);
      // The surviving replica kept serving after the kill.
      const after = fault.timeline.ok.slice(Math.ceil(fault.killedAtMs / fault.timeline.sliceMs) + 5);
      assert.ok(after.reduce((a, b) => a + b, 0) > 0, `${stack}: requests served after the kill`);
      assert.ok(fault.recoveryMs !== null, `${stack}: errors stopped (${JSON.stringify(fault.errorKinds)})`);
    }
    const curves = res.analysis!.scaling.filter((c) => c.workload === 'json');
    assert.deepEqual(curves.map((c) => c.stack).sort(), ['flask-gunicorn', 'node-http']);
    for (const c of curves) {
      const e2 = c.efficiency.find((e) => e.n === 2)!;
      assert.ok(
        e2.low <= e2.value && e2.value <= (e2.high ?? Infinity),
        'E(2) within its interval (open above: null)',
      );
    }
    const verdict = res.analysis!.verdicts.find((v) => v.claim === 'horizontal-scaling')!;
    assert.notEqual(verdict.verdict, 'not measured', verdict.summary);
    assert.match(r.stdout, /horizontal-scaling/);
    assert.deepEqual(leftovers(r.runId), []);
    assert.deepEqual(cgroupsOf(r.runId), []);
  },
);

test('scaling: chat across two replicas through Redis loses nothing', { timeout: 240_000 }, async () => {
  const out = tmp();
  const run = startCli(['run', ...study, '--stacks', 'node-http', '--workloads', 'chat', '--out', out]);
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  const two = res.capacities.find((c) => c.workload === 'chat' && c.deployment?.n === 2);
  assert.ok(two, 'chat capacity at N = 2');
  assert.deepEqual(two.deployment!.crossReplica, [], 'every member got every message once, across replicas');
  assert.ok(two.rps > 0);
  const fault = res.faults?.find((f) => f.workload === 'chat');
  assert.ok(fault, 'a chat fault run');
  assert.ok((fault.reconnects ?? 0) > 0, 'members on the killed replica joined again');
  assert.deepEqual(leftovers(r.runId), []);
  assert.deepEqual(cgroupsOf(r.runId), []);
});

test('scaling: Ctrl-C mid-study leaves no process and no cgroup', { timeout: 120_000 }, async () => {
  const out = tmp();
  const run = startCli(['run', ...study, '--stacks', 'node-http', '--workloads', 'json', '--out', out]);
  const deadline = Date.now() + 60_000;
  let seen = false;
  while (Date.now() < deadline && !seen) {
    seen = processesOf(run.runId, /servers\/node\/dist\/http\.js/).some((p) => quotaOf(p.pid)?.quotaUs);
    await sleep(50);
  }
  assert.ok(seen, 'a replica under its quota');
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /interrupted/);
  assert.deepEqual(leftovers(r.runId), []);
  assert.deepEqual(cgroupsOf(r.runId), []);
});

test(
  'scaling: a SIGKILL of stackbench takes the replicas and the balancer down; the next run removes its cgroups',
  { timeout: 120_000 },
  async () => {
    const out = tmp();
    const run = startCli(['run', ...study, '--stacks', 'node-http', '--workloads', 'json', '--out', out]);
    const deadline = Date.now() + 60_000;
    let seen = false;
    while (Date.now() < deadline && !seen) {
      seen =
        processesOf(run.runId, /haproxy/).length > 0 &&
        processesOf(run.runId, /servers\/node\/dist\/http\.js/).some((p) => quotaOf(p.pid)?.quotaUs);
      await sleep(50);
    }
    assert.ok(seen, 'HAProxy and a replica under its quota');
    run.child.kill('SIGKILL');
    const r = await run.done;
    const gone = Date.now() + 15_000;
    while (Date.now() < gone && leftovers(r.runId).length) await sleep(100);
    assert.deepEqual(leftovers(r.runId), [], 'the parent-death signal took every process down');
    // A killed run cannot remove its cgroups; the next run that needs budgets removes those of dead owners.
    const next = await runCli([
      'run',
      ...study,
      '--stacks',
      'node-http',
      '--workloads',
      'json',
      '--probes',
      '1',
      '--out',
      tmp(),
    ]);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(cgroupsOf(r.runId), []);
    assert.deepEqual(cgroupsOf(next.runId), []);
  },
);
