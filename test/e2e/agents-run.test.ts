// run --agents end to end, for real: the CLI starts local `stackbench agent` processes once for the run, pinned
// to the generator cores, and every point is sent by them and merged exactly (the per-agent parts in
// results.json add up to the point). An agent SIGKILLed mid-run is named, its point flagged generator-lost, the
// run stops and exits 1; Ctrl-C ends it as interrupted; nothing is left running either way. A few seconds of
// load each, on one stack and one workload. compare --agents, whose test asserts a ratio, is agents-compare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/analysis/index.js';
import { affinityOf } from '../../src/machine/cpuset.js';
import type { Results } from '../../src/results/types.js';
import { assertMerged } from '../helpers/merged.js';
import { leftovers, processesOf, startCli } from '../helpers/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = () => mkdtempSync(join(tmpdir(), 'sb-agents-run-'));
const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
const AGENT = /stackbench\.js agent/;

/** The points file as it is written, until `enough` holds (or the run ends). */
async function waitFor(dir: string, done: Promise<unknown>, enough: (r: Results) => boolean): Promise<void> {
  let over = false;
  void done.then(() => (over = true));
  while (!over) {
    if (existsSync(join(dir, 'results.json')) && enough(read(dir))) return;
    await sleep(50);
  }
  assert.fail('the run ended first');
}

test('run --agents 2: every point from both agents, merged exactly; agents pinned, then gone', async () => {
  const out = tmp();
  const args = ['run', '--stacks', 'node-http', '--workloads', 'json', '--reps', '2', '-d', '300ms'];
  const run = startCli([...args, '--scaling', 'off', '--agents', '2', '--out', out]);
  // While it runs: two agent processes of this run, on the generator cores.
  const pinned = new Map<number, number[] | undefined>();
  let over = false;
  void run.done.then(() => (over = true));
  // Read again after both are seen: an agent is started through taskset, and a look taken before taskset pins
  // itself and execs the agent sees the parent's cores.
  let sinceBoth = 0;
  while (!over && sinceBoth < 6) {
    for (const p of processesOf(run.runId, AGENT)) pinned.set(p.pid, affinityOf(p.pid));
    if (pinned.size >= 2) sinceBoth++;
    await sleep(50);
  }
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  const res = read(out);
  assert.equal(res.status, 'complete');
  assert.equal(pinned.size, 2, 'two agent processes');
  for (const cores of pinned.values()) assert.deepEqual(cores, res.machine.generatorCpus);
  assert.deepEqual(
    res.config.agents?.map((a) => [a.index, a.agent, a.cpus]),
    [
      [0, 'local', res.machine.generatorCpus],
      [1, 'local', res.machine.generatorCpus],
    ],
  );
  const closed = res.points.filter((p) => p.kind === 'closed');
  assert.equal(closed.length, 2);
  assertMerged(res.points, 2);
  assert.deepEqual(leftovers(r.runId), []);
});

test('an agent SIGKILLed mid-run: named, its point flagged and unused, the run stops, exit 1', async () => {
  const out = tmp();
  const args = ['run', '--stacks', 'node-http', '--workloads', 'io', '--reps', '3', '-d', '2s'];
  const run = startCli([...args, '--probes', '2', '--scaling', 'off', '--agents', '2', '--out', out]);
  // A second into the second headline run, kill one agent.
  await waitFor(out, run.done, (r) => r.points.length >= 1);
  await sleep(1000);
  const agents = processesOf(run.runId, AGENT);
  assert.equal(agents.length, 2, 'two agents running');
  process.kill(agents.at(-1)!.pid, 'SIGKILL');
  const r = await run.done;
  assert.equal(r.code, 1, r.stderr);
  const failure =
    /failure: the generator failed: agent (\d) \(local\) was lost at [\d.]+ s of the load: .*SIGKILL/.exec(
      r.stdout.replace(/\n\s+/g, ' '),
    );
  assert.ok(failure, r.stdout);
  const k = Number(failure[1]);
  const res = read(out);
  assert.equal(res.status, 'failed');
  const lost = res.points.filter((p) => p.flags.includes('generator-lost'));
  assert.equal(lost.length, 1, 'the point under way');
  assert.match(lost[0]!.agents![k]!.lost ?? '', /its process was killed \(SIGKILL\)/);
  assert.equal(lost[0]!.agents![1 - k]!.lost, undefined, 'the other agent finished');
  // Nothing after it: no capacity search began, and the lost point feeds no figure.
  assert.equal(res.points.at(-1), lost[0]);
  assert.deepEqual(res.capacities, []);
  const figures = analyze(res).workloads.find((w) => w.workload === 'io')!.stacks[0]!;
  assert.equal(figures.runs.length, res.points.length - 1, 'the lost point is not among the runs');
  assert.ok(existsSync(join(out, 'report.html')), 'the reports are written');
  assert.deepEqual(processesOf(r.runId, AGENT), []);
  assert.deepEqual(leftovers(r.runId), []);
});

test('Ctrl-C during a run with agents: interrupted, exit 1, no agent left', async () => {
  const out = tmp();
  const args = ['run', '--stacks', 'node-http', '--workloads', 'json', '--reps', '3', '-d', '1s'];
  const run = startCli([...args, '--scaling', 'off', '--agents', '2', '--out', out]);
  await waitFor(out, run.done, (r) => r.points.length >= 1);
  await sleep(300);
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /SB_INTERRUPTED/);
  const res = read(out);
  assert.equal(res.status, 'interrupted');
  assert.deepEqual(res.failures, []);
  assert.deepEqual(processesOf(r.runId, AGENT), []);
  assert.deepEqual(leftovers(r.runId), []);
});
