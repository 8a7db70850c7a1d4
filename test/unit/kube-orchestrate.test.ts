/**
 * The API contract of a run on a cluster (src/kube/orchestrate.ts, apply.ts, watch.ts), against a fake API
 * server on 127.0.0.1 (test/fixtures/fake-kube-api.ts) reached through @kubernetes/client-node as a kubeconfig
 * names it: the verbs, paths and bodies sent, the reactions to scripted pod events (Unschedulable, OOMKilled,
 * an image that cannot be pulled, restartCount + 1), and that an abort (Ctrl-C) or any failure deletes the
 * namespace. This tests our code against the documented wire shape, not Kubernetes: scheduling, the kubelet,
 * DNS and port-forwarding itself wait for a cluster (`npm run test:cluster`). The agents and the balancer's stats
 * page are local servers here, handed over by the injectable forwarder.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, createServer, type Server } from 'node:net';
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { StackbenchError } from '../../src/errors.js';
import { makePlan, type KubePlan } from '../../src/kube/plan.js';
import { allObjects, render } from '../../src/kube/render.js';
import { runOnCluster, type KubeRunOptions, type MeasureStep } from '../../src/kube/orchestrate.js';
import type { Forwarder } from '../../src/kube/forward.js';
import { FakeKube, statsPage } from '../fixtures/fake-kube-api.js';

let fake: FakeKube;
let kc: KubeConfig;
let servers: Server[];

beforeEach(async () => {
  fake = new FakeKube();
  const port = await fake.start();
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'tester' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
    currentContext: 'fake',
  });
  servers = [];
});

afterEach(async () => {
  for (const s of servers) s.close();
  await fake.stop();
});

/** Agents answer with their pod's name; a balancer's stats page shows as many replicas UP as are ready. */
const forwarder: Forwarder = async (_ns, pod, port) => {
  const server =
    port === 7070 ? createServer((s) => s.on('error', () => {}).end(`${pod}\n`)) : statsPage(fake, pod);
  servers.push(server as Server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const local = (server.address() as { port: number }).port;
  return { pod, port: local, close: async () => void server.close() };
};

const readLine = (port: number) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    const s = tcpConnect(port, '127.0.0.1');
    s.on('data', (d) => (text += d));
    s.on('end', () => resolve(text.trim()));
    s.on('error', reject);
  });

// One plan per test: its passwords and times are the ones the expected bodies are rendered from.
let thePlan: KubePlan;
beforeEach(() => {
  thePlan = makePlan({ runId: 'ct', stacks: ['node-http'], replicas: [1, 2], agents: 2 });
});
const plan = () => thePlan;
const run = <T>(measure: (s: MeasureStep) => Promise<T>, extra: Partial<KubeRunOptions<T>> = {}) =>
  runOnCluster({
    kc,
    plan: plan(),
    measure,
    forward: forwarder,
    readyTimeoutMs: 5000,
    unschedulableGraceMs: 0,
    ...extra,
  });
const deletes = () => fake.calls.filter((c) => c.method === 'DELETE').map((c) => c.path);
const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StackbenchError, String(e));
    return e;
  }
  assert.fail('expected the run to fail');
};

describe('kube run against the API contract', () => {
  it('sweeps expired runs, creates every object, scales N = 1, 2, measures from the agents, deletes', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const ours = { 'app.kubernetes.io/managed-by': 'stackbench' };
    fake.namespaces.push(
      { metadata: { name: 'sb-old', labels: ours, annotations: { 'stackbench.dev/expires-at': past } } },
      { metadata: { name: 'sb-live', labels: ours, annotations: { 'stackbench.dev/expires-at': future } } },
    );
    const seen: MeasureStep[] = [];
    const result = await run(async (step) => {
      seen.push(step);
      return { n: step.n, answers: await Promise.all(step.agents.map((a) => readLine(a.port))) };
    });
    // The sweep: one list by our label, the expired namespace deleted (Foreground), the live one left.
    assert.deepEqual(fake.calls[0], {
      method: 'GET',
      path: '/api/v1/namespaces',
      query: { labelSelector: 'app.kubernetes.io/managed-by=stackbench' },
    });
    assert.deepEqual(deletes(), ['/api/v1/namespaces/sb-old', '/api/v1/namespaces/sb-ct']);
    assert.deepEqual(result.swept, ['sb-old']);
    // Every rendered object POSTed, in order, to its collection, as rendered (the plan made idle: N comes later).
    const expected = allObjects(render({ ...plan(), idle: true }));
    const posts = fake.calls.filter((c) => c.method === 'POST');
    assert.equal(posts.length, expected.length);
    const collection: Record<string, string> = {
      Namespace: '/api/v1/namespaces',
      Secret: '/api/v1/namespaces/sb-ct/secrets',
      ConfigMap: '/api/v1/namespaces/sb-ct/configmaps',
      Service: '/api/v1/namespaces/sb-ct/services',
      Deployment: '/apis/apps/v1/namespaces/sb-ct/deployments',
      Job: '/apis/batch/v1/namespaces/sb-ct/jobs',
      NetworkPolicy: '/apis/networking.k8s.io/v1/namespaces/sb-ct/networkpolicies',
    };
    posts.forEach((c, i) => {
      assert.equal(c.path, collection[expected[i]!.kind], expected[i]!.metadata.name);
      assert.deepEqual(c.body, expected[i]);
    });
    // Scaling: the balancer up, the replicas through N, both down again; merge patches of the scale subresource.
    const patches = fake.calls.filter((c) => c.method === 'PATCH');
    assert.deepEqual(
      patches.map(
        (c) => `${c.path.split('/').at(-2)}=${(c.body as { spec: { replicas: number } }).spec.replicas}`,
      ),
      ['lb-node-http=1', 'sut-node-http=1', 'sut-node-http=2', 'sut-node-http=0', 'lb-node-http=0'],
    );
    for (const c of patches) assert.equal(c.contentType, 'application/merge-patch+json');
    assert.deepEqual(
      fake.calls.filter((c) => c.method === 'DELETE').map((c) => c.body),
      [{ propagationPolicy: 'Foreground' }, { propagationPolicy: 'Foreground' }],
    );
    // Each step: N replicas ready, the agents by completion index, each endpoint its own pod.
    assert.deepEqual(
      seen.map((s) => s.n),
      [1, 2],
    );
    assert.equal(seen[0]!.target, 'http://lb-node-http.sb-ct.svc.cluster.local:8080');
    assert.deepEqual(
      seen[0]!.agents.map((a) => [a.index, a.pod, a.host]),
      [
        [0, 'gen-0', '127.0.0.1'],
        [1, 'gen-1', '127.0.0.1'],
      ],
    );
    assert.deepEqual(
      result.steps.map((s) => [s.n, s.replicas.length, s.result?.answers, s.fault]),
      [
        [1, 1, ['gen-0', 'gen-1'], undefined],
        [2, 2, ['gen-0', 'gen-1'], undefined],
      ],
    );
    assert.deepEqual(
      result.steps[1]!.balancer!.map((u) => u.requests),
      [10, 20],
    );
  });

  it("an unschedulable generator pod ends the wait, named with the scheduler's message; the namespace goes", async () => {
    fake.fault = (pod) =>
      pod.metadata!.name === 'gen-1'
        ? withStatus(pod, {
            phase: 'Pending',
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: '0/3 nodes are available: 3 Insufficient cpu.',
              },
            ],
          })
        : undefined;
    let measured = false;
    const e = await rejection(run(async () => (measured = true)));
    assert.equal(e.code, 'SB_KUBE_NOT_READY');
    assert.match(e.message, /pod gen-1 is Unschedulable: 0\/3 nodes are available: 3 Insufficient cpu\./);
    assert.match(e.hint, /whole cores or memory/);
    assert.equal(measured, false);
    assert.equal(deletes().at(-1), '/api/v1/namespaces/sb-ct');
  });

  it('an OOM-killed replica and an image that cannot be pulled are named with their reasons', async () => {
    fake.fault = (pod) =>
      pod.metadata!.name!.startsWith('sut-')
        ? withStatus(pod, {
            phase: 'Running',
            containerStatuses: [
              {
                name: 'stack',
                image: 'i',
                imageID: '',
                ready: false,
                restartCount: 1,
                state: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
              },
            ],
          })
        : undefined;
    const oom = await rejection(run(async () => 0));
    assert.match(
      oom.message,
      /1 replica of node-http: pod sut-node-http-\d+-x is OOMKilled: stack exceeded its memory limit \(exit 137\)/,
    );
    assert.equal(deletes().at(-1), '/api/v1/namespaces/sb-ct');

    await fake.stop();
    fake = new FakeKube();
    kc.clusters[0] = { ...kc.clusters[0]!, server: `http://127.0.0.1:${await fake.start()}` };
    fake.fault = (pod) =>
      pod.metadata!.name!.startsWith('downstream')
        ? withStatus(pod, {
            phase: 'Pending',
            containerStatuses: [
              {
                name: 'downstream',
                image: 'stackbench:0.1.0',
                imageID: '',
                ready: false,
                restartCount: 0,
                state: {
                  waiting: {
                    reason: 'ImagePullBackOff',
                    message: 'Back-off pulling image "stackbench:0.1.0"',
                  },
                },
              },
            ],
          })
        : undefined;
    const pull = await rejection(run(async () => 0));
    assert.match(
      pull.message,
      /is ImagePullBackOff: downstream: Back-off pulling image "stackbench:0\.1\.0"/,
    );
    assert.match(pull.hint, /build and push the image/);
    assert.equal(deletes().at(-1), '/api/v1/namespaces/sb-ct');
  });

  it('a replica that restarts during a step marks that step, not the others', async () => {
    const result = await run(async (step) => {
      if (step.n === 2) {
        const victim = [...fake.pods.keys()].find((n) => n.startsWith('sut-node-http-'))!;
        fake.update(victim, (p) => (p.status!.containerStatuses![0]!.restartCount = 1));
        await new Promise((r) => setTimeout(r, 100)); // the watch event arrives
      }
      return step.n;
    });
    assert.equal(result.steps[0]!.fault, undefined);
    assert.match(
      result.steps[1]!.fault ?? '',
      /replica restarted during the step: sut-node-http-\d+-x \(server-exited\)/,
    );
  });

  it('Ctrl-C (an abort) during a measurement deletes the namespace and ends the run as interrupted', async () => {
    const ctrl = new AbortController();
    const e = await rejection(
      run(
        (step) =>
          new Promise((_resolve, reject) => {
            setTimeout(() => ctrl.abort(), 50);
            step.signal.addEventListener('abort', () => reject(new StackbenchError('SB_INTERRUPTED')));
          }),
        { signal: ctrl.signal },
      ),
    );
    assert.equal(e.code, 'SB_INTERRUPTED');
    assert.deepEqual(fake.calls.at(-1), {
      method: 'DELETE',
      path: '/api/v1/namespaces/sb-ct',
      query: {},
      contentType: 'application/json',
      body: { propagationPolicy: 'Foreground' },
    });
  });

  it('a namespace that already exists is refused, and never deleted', async () => {
    fake.namespaces.push({ metadata: { name: 'sb-ct' } });
    const e = await rejection(run(async () => 0));
    assert.equal(e.code, 'SB_KUBE_API');
    assert.match(e.message, /create Namespace\/sb-ct: 409 namespaces "sb-ct" already exists/);
    assert.deepEqual(deletes(), []);
  });
});

function withStatus(pod: V1Pod, status: V1Pod['status']): V1Pod {
  return { ...pod, status };
}
