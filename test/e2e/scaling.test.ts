// The horizontal-scaling study end to end, for real: replicas of a Node.js and a Python stack behind a private
// HAProxy on one server core, each in its own accounting cgroup with no quota, the split cost measured in
// interleaved rounds; chat across replicas through Redis, one replica SIGKILLed mid-run; Ctrl-C or a SIGKILL
// of stackbench in the middle leaves no process behind, and no cgroup once the next run has cleaned up.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../../src/results/types.js';
import { leftovers, processesOf, startCli } from '../helpers/cli.js';

/** The run the SIGKILL test killed: the chat test, the next run, must have removed its cgroups. */
let killedRun: string | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'sb-scaling-'));
  dirs.push(d);
  return d;
};
// The results folders go with the tests: none is left in the temp directory.
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
// One server core shared by two replicas and the balancer (the quick suite's split-cost form); 4 rounds, and
// 4 more while a ratio is wide (the quick suite's 12 are for figures, not for the behaviour tested here).
const study = [
  '--scaling',
  'only',
  '--replicas',
  '2',
  '--server-cpus',
  '1',
  '--generator-cpus',
  '0',
  '--reps',
  '4',
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

/** The run's cgroup a process is in (its path names the run), or undefined. */
function ourCgroup(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .map((l) => l.split(':')[2] ?? '')
      .find((path) => path.includes('/stackbench-'));
  } catch {
    return undefined;
  }
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
  'scaling: the split cost of two stacks at N = 1 and 2 behind HAProxy, no quota, rounds interleaved',
  { timeout: 300_000 },
  async () => {
    const out = tmp();
    const stacks = 'node-http,flask-gunicorn';
    const run = startCli(['run', ...study, '--stacks', stacks, '--workloads', 'json', '--out', out]);
    // While it runs: two node-http replicas, each in its own cgroup of this run, with no quota.
    const groups = new Map<number, string>();
    let balancer = false;
    let limited = false;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (groups.size < 2 || !balancer)) {
      balancer ||= processesOf(run.runId, /haproxy/).length > 0;
      for (const p of processesOf(run.runId, /servers\/node\/dist\/http\.js/)) {
        const g = ourCgroup(p.pid);
        if (g) groups.set(p.pid, g);
        limited ||= (quotaOf(p.pid)?.quotaUs ?? -1) > 0;
      }
      await sleep(50);
    }
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(balancer, 'a private HAProxy ran');
    assert.equal(new Set(groups.values()).size, 2, 'two replicas, each in its own accounting cgroup');
    assert.equal(limited, false, 'no replica under a quota');

    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    assert.equal(res.status, 'complete');
    assert.equal(res.points.length, 0, '--scaling only: no main matrix');
    const cfg = res.config.scaling!.split!;
    assert.match(cfg.text, /N replicas sharing 1 server core with the balancer, no quota/);
    for (const stack of stacks.split(',')) {
      const probes = res.splits!.filter((p) => p.stack === stack && p.workload === 'json');
      // One load of the suite's rounds, and another while a ratio was wider than the goal.
      const rounds = new Set(probes.map((p) => p.round)).size;
      assert.ok(rounds % cfg.rounds === 0 && rounds <= cfg.maxRounds!, `${stack}: ${rounds} rounds`);
      assert.equal(probes.length, rounds * 2, `${stack}: every round measured N = 1 and N = 2`);
      for (const p of probes) {
        assert.ok(p.units > 0 && p.errors === 0, `${stack} x${p.n}: answered without errors`);
        assert.ok(p.replicasUs > 0 && p.balancerUs > 0, `${stack} x${p.n}: replicas and HAProxy apart`);
        assert.equal(p.accounting, 'cgroup');
        assert.ok(p.steal >= 0 && p.steal <= 1);
      }
      // Rounds rotate which replica serves alone, and interleave the N's.
      const alone = probes.filter((p) => p.n === 1).map((p) => p.active[0]);
      assert.deepEqual([...new Set(alone)].sort(), [0, 1], `${stack}: both replicas served alone`);
      const orders = new Set(
        [...Array(rounds).keys()].map((k) =>
          probes
            .filter((p) => p.round === k)
            .map((p) => p.n)
            .join(),
        ),
      );
      assert.ok(orders.size > 1, `${stack}: the N's in more than one order`);
    }
    const curves = res.analysis!.split.filter((c) => c.workload === 'json');
    assert.deepEqual(curves.map((c) => c.stack).sort(), ['flask-gunicorn', 'node-http']);
    for (const c of curves) {
      const two = c.steps.find((s) => s.n === 2)!;
      assert.ok(
        two.ratio.low <= two.ratio.value && two.ratio.value <= two.ratio.high,
        'a ratio in its interval',
      );
    }
    const verdict = res.analysis!.verdicts.find((v) => v.claim === 'horizontal-scaling')!;
    assert.notEqual(verdict.verdict, 'not measured', verdict.summary);
    assert.match(verdict.summary, /CPU per request of 1 replica \/ of N/);
    // The claim's line, by its id or (where the ids leave the headlines too little room) its short name.
    assert.match(r.stdout, /^ {2}\S.* (horizontal-scaling|scaling) /m);
    assert.deepEqual(leftovers(r.runId), []);
    assert.deepEqual(cgroupsOf(r.runId), []);
  },
);

test('scaling: Ctrl-C mid-study leaves no process and no cgroup', { timeout: 120_000 }, async () => {
  const out = tmp();
  const run = startCli(['run', ...study, '--stacks', 'node-http', '--workloads', 'json', '--out', out]);
  const deadline = Date.now() + 60_000;
  let seen = false;
  while (Date.now() < deadline && !seen) {
    seen = processesOf(run.runId, /servers\/node\/dist\/http\.js/).some((p) => ourCgroup(p.pid));
    await sleep(50);
  }
  assert.ok(seen, 'a replica in its cgroup');
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /interrupted/);
  assert.deepEqual(leftovers(r.runId), []);
  assert.deepEqual(cgroupsOf(r.runId), []);
});

test(
  'scaling: a SIGKILL of stackbench takes the replicas and the balancer down',
  { timeout: 120_000 },
  async () => {
    const out = tmp();
    const run = startCli(['run', ...study, '--stacks', 'node-http', '--workloads', 'json', '--out', out]);
    const deadline = Date.now() + 60_000;
    let seen = false;
    while (Date.now() < deadline && !seen) {
      seen =
        processesOf(run.runId, /haproxy/).length > 0 &&
        processesOf(run.runId, /servers\/node\/dist\/http\.js/).some((p) => ourCgroup(p.pid));
      await sleep(50);
    }
    assert.ok(seen, 'HAProxy and a replica in its cgroup');
    run.child.kill('SIGKILL');
    const r = await run.done;
    const gone = Date.now() + 15_000;
    while (Date.now() < gone && leftovers(r.runId).length) await sleep(100);
    assert.deepEqual(leftovers(r.runId), [], 'the parent-death signal took every process down');
    // A killed run cannot remove its cgroups: the next run that needs them removes those of dead owners (the
    // chat test below, which checks they are gone).
    killedRun = r.runId;
  },
);

test(
  "scaling: chat across two replicas through Redis, one replica killed; a killed run's cgroups removed",
  { timeout: 240_000 },
  async () => {
    const out = tmp();
    const run = startCli(['run', ...study, '--stacks', 'node-http', '--workloads', 'chat', '--out', out]);
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    assert.deepEqual(res.failures, [], 'every member got every message once, across replicas');
    const two = res.splits!.filter((p) => p.workload === 'chat' && p.n === 2);
    assert.ok(two.length > 0, 'chat split cost at N = 2');
    // Redis's CPU is counted apart, from its 10 ms ticks: a 300 ms probe may see none of them, so >= 0.
    for (const p of two)
      assert.ok(p.units > 0 && p.redisUs !== undefined && p.redisUs >= 0, "Redis's CPU apart");
    const fault = res.faults?.find((f) => f.workload === 'chat');
    assert.ok(fault, 'a chat fault run');
    assert.equal(fault.n, 2);
    assert.ok((fault.reconnects ?? 0) > 0, 'members on the killed replica joined again');
    const after = fault.timeline.ok.slice(Math.ceil(fault.killedAtMs / fault.timeline.sliceMs) + 5);
    assert.ok(after.reduce((a, b) => a + b, 0) > 0, 'deliveries after the kill');
    assert.deepEqual(leftovers(r.runId), []);
    assert.deepEqual(cgroupsOf(r.runId), []);
    assert.ok(killedRun, 'the SIGKILL test ran first');
    assert.deepEqual(cgroupsOf(killedRun), [], "the killed run's cgroups, removed by this run");
  },
);
