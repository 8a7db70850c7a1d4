/**
 * `run --kube` measuring, through the whole path on loopback: runKube against the fake API server (the kube
 * tests' own, test/fixtures/fake-kube-api.ts), whose generator pods are real `stackbench agent --listen` processes
 * on 127.0.0.1 standing in for the pods' port-forwards, loading a real node-http server standing in for the
 * stack's balancer (the one thing replaced: the in-cluster DNS name, which nothing here resolves). Each step is
 * a real capacity search through a Coordinator over the tcp transport, merged from both agents. Server and agents
 * are pinned to disjoint cores; each step loads for about two seconds, on GET /io?ms=20 (waits: light on the generator).
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Forwarder } from '../../src/kube/forward.js';
import { kubeMeasure, type KubeMeasureOptions, type KubeStepResult } from '../../src/kube/measure.js';
import { runKube } from '../../src/kube/run.js';
import { registerKubeMeasure } from '../../src/kube/seam.js';
import { planCpus } from '../../src/machine/cpuset.js';
import { freePort, waitReady } from '../../src/machine/net.js';
import { start, type Managed } from '../../src/machine/process.js';
import { objectiveOf } from '../../src/runner/objective.js';
import { SUITES } from '../../src/runner/suites.js';
import { STACKS } from '../../src/stacks/registry.js';
import { BIN } from '../helpers/cli.js';
import { FakeKube, statsPage } from '../fixtures/fake-kube-api.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpus = planCpus();

interface LocalAgent {
  proc: Managed;
  port: number;
}

/** `stackbench agent --listen PORT` on 127.0.0.1, pinned to the generator cores; ready once it says so. */
async function listeningAgent(): Promise<LocalAgent> {
  const port = await freePort();
  const proc = start({
    name: `agent :${port}`,
    cmd: process.execPath,
    args: [BIN, 'agent', '--listen', String(port)],
    cpus: cpus.generator,
  });
  const deadline = Date.now() + 10_000;
  while (!proc.log().some((l) => l.includes(`listening on 127.0.0.1:${port}`))) {
    assert.ok(
      !proc.exited && Date.now() < deadline,
      `agent on ${port} did not listen: ${proc.log().join('\n')}`,
    );
    await sleep(20);
  }
  return { proc, port };
}

/** A port still accepts a coordinator: the agent kept listening after the run (no bye was sent). */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('data', (d) => {
      s.destroy();
      resolve(String(d).includes('"hello"'));
    });
    s.once('error', () => resolve(false));
  });

let fake: FakeKube;
let dir: string;
let agents: LocalAgent[];
let server: Managed;
let target: string;
const stats: Server[] = [];

before(async () => {
  const port = await freePort();
  const launch = STACKS['node-http'].launch(port, 1);
  server = start({ name: 'node-http', ...launch, cpus: cpus.server });
  await waitReady(server, port, '/json');
  target = `http://127.0.0.1:${port}`;
});

after(async () => {
  await server.stop();
});

beforeEach(async () => {
  fake = new FakeKube();
  const api = await fake.start();
  dir = mkdtempSync(join(tmpdir(), 'sb-kube-measure-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "http://127.0.0.1:${api}", insecure-skip-tls-verify: true}}]\nusers: [{name: t, user: {}}]\ncontexts: [{name: fake, context: {cluster: fake, user: t}}]\ncurrent-context: fake\n`,
  );
  process.env.KUBECONFIG = kubeconfig;
  agents = [await listeningAgent(), await listeningAgent()];
});

afterEach(async () => {
  registerKubeMeasure(kubeMeasure);
  for (const a of agents) await a.proc.stop();
  sniff = undefined;
  for (const s of stats.splice(0)) s.close();
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
  delete process.env.KUBECONFIG;
});

/** A message the coordinator sent an agent, seen on its way (the SIGKILL test times its kill by them). */
type Sniff = (k: number, msg: { t: string; opts?: { model?: string } }) => void;
let sniff: Sniff | undefined;

/** A relay to local agent K that reads the coordinator's lines as they pass: the port-forward a pod would have. */
async function relay(k: number): Promise<Server> {
  const page = createServer((from: Socket) => {
    const to = connect(agents[k]!.port, '127.0.0.1');
    let pending = '';
    from.on('data', (d) => {
      pending += String(d);
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) if (l) sniff?.(k, JSON.parse(l) as Parameters<Sniff>[1]);
    });
    from.pipe(to).pipe(from);
    const end = () => (from.destroy(), to.destroy());
    from.once('close', end).on('error', end);
    to.once('close', end).on('error', end);
  });
  await new Promise<void>((r) => page.listen(0, '127.0.0.1', () => r()));
  return page;
}

/** gen-K's agent port is local agent K's, through a relay; a balancer's stats page is the fake's. */
const forward: Forwarder = async (_ns, pod, port) => {
  const page = port === 7070 ? await relay(Number(/^gen-(\d+)/.exec(pod)![1])) : statsPage(fake, pod);
  stats.push(page);
  if (!page.listening) await new Promise<void>((r) => page.listen(0, '127.0.0.1', () => r()));
  return { pod, port: (page.address() as { port: number }).port, close: async () => void page.close() };
};

/** The registered measure, unchanged but for the target: the local server instead of the balancer's DNS name. */
function measureLocally(): void {
  registerKubeMeasure((o) => {
    const m = kubeMeasure(o);
    return (step) => m({ ...step, target });
  });
}

const measure: KubeMeasureOptions = {
  // Two probes a step, each 500 ms after 100 ms (at least its floor + 100 ms) of load before its window.
  suite: { ...SUITES.quick, warmupMs: 600, rewarmMs: 100, probes: 2, scalingProbeMs: 500 },
  objective: objectiveOf(100, 0.001),
  workloads: ['io'],
};

const kube = () =>
  runKube({
    context: 'fake',
    plan: { runId: 'km', stacks: ['node-http'], replicas: [1, 2], agents: 2 },
    measure,
    outDir: join(dir, 'out'),
    cluster: { forward, readyTimeoutMs: 5000, unschedulableGraceMs: 0 },
  });

describe('run --kube measures each step through the agents', () => {
  it('N = 1, 2: a capacity search per step from both agents, merged; kube.json; agents kept listening', async () => {
    measureLocally();
    const { result, file } = await kube();
    assert.deepEqual(
      result.steps.map((s) => [s.n, s.fault]),
      [
        [1, undefined],
        [2, undefined],
      ],
    );
    for (const step of result.steps) {
      const r = step.result as KubeStepResult;
      assert.equal(r.lost, undefined);
      assert.deepEqual(
        r.agents.map((a) => [a.index, a.agent]),
        [
          [0, 'gen-0'],
          [1, 'gen-1'],
        ],
      );
      const [io] = r.workloads;
      assert.equal(io!.workload, 'io');
      assert.ok(io!.capacity, 'a capacity');
      assert.equal(io!.capacity!.instances, step.n);
      assert.equal(io!.capacity!.probes.length, io!.points.length);
      assert.ok(io!.points.length > 0, `probes at N = ${step.n}`);
      for (const p of io!.points) {
        assert.equal(p.kind, 'scaling');
        assert.equal(p.model, 'open');
        assert.equal(p.agents?.length, 2, 'each probe sent by both agents');
        const sum = (f: (a: NonNullable<typeof p.agents>[number]) => number) =>
          p.agents!.reduce((s, a) => s + f(a), 0);
        assert.equal(
          sum((a) => a.count),
          p.latency.count,
          'merged count = the sum of the agents',
        );
        assert.equal(
          sum((a) => a.connections),
          p.connections,
        );
        assert.ok(
          p.rps > 0 && p.agents!.every((a) => a.sent > 0 && a.count > 0),
          'both agents sent and were answered',
        );
        assert.equal(p.server.processes, 0, "a cluster's server is not sampled from here");
      }
    }
    const written = JSON.parse(readFileSync(file, 'utf8')) as typeof result;
    assert.equal(written.steps.length, 2);
    // Everything the run made is gone; the agents were left listening (a pod waits for the next coordinator).
    assert.equal(fake.calls.filter((c) => c.method === 'DELETE').at(-1)?.path, '/api/v1/namespaces/sb-km');
    for (const a of agents) assert.equal(await accepts(a.port), true, `agent on ${a.port} still listens`);
  });

  it('an agent SIGKILLed mid-probe: its point flagged, the step a fault, the next step not measured', async () => {
    // Agent 1 is killed 250 ms into the first probe's load (an open-loop run; the warm-up's are closed), by
    // what it is sent rather than by a timer after a point: a search may end after one probe.
    let killed = false;
    let armed = false;
    measureLocally();
    sniff = (k, msg) => {
      if (k !== 1 || killed) return;
      if (msg.t === 'run' && msg.opts?.model === 'open') armed = true;
      if (msg.t === 'start' && armed) {
        killed = true;
        setTimeout(() => process.kill(agents[1]!.proc.pid, 'SIGKILL'), 250);
      }
    };
    const { result } = await kube();
    assert.equal(killed, true);
    const [first, second] = result.steps.map((s) => [s, s.result as KubeStepResult] as const);
    assert.match(first![1].lost ?? '', /^agent 1 \(gen-1\) was lost/);
    assert.match(first![0].fault ?? '', /^generator lost: agent 1 \(gen-1\) was lost/);
    const points = first![1].workloads.flatMap((w) => w.points);
    const lostPoint = points.find((p) => p.flags.includes('generator-lost'));
    assert.ok(
      lostPoint,
      `a point flagged generator-lost: ${points.map((p) => p.flags.join('+')).join(', ')}`,
    );
    assert.match(
      lostPoint.agents![1]!.lost ?? '',
      /^at \d+\.\d s of the load: its stream (closed|failed: read ECONNRESET)/,
    );
    assert.equal(
      first![1].workloads.some((w) => w.capacity),
      false,
      "the cut search's bracket is not kept",
    );
    assert.match(second![1].lost ?? '', /^not measured: agent 1 \(gen-1\) was lost .* in an earlier step$/);
    assert.match(second![0].fault ?? '', /^generator lost: not measured/);
    assert.equal(fake.calls.filter((c) => c.method === 'DELETE').at(-1)?.path, '/api/v1/namespaces/sb-km');
  });
});
