/**
 * The lab on a real cluster (npm run test:cluster; not part of npm test): `kube plan`'s manifests, then
 * `run --kube` on the cluster KUBECONFIG names — created, scaled through N = 1, 2, a capacity search on json at
 * each step from 2 generator pods (every probe merged from both), and nothing of the run left afterwards. With
 * no cluster it FAILS, saying how to point at one.
 *
 *   docker build -t REGISTRY/stackbench:0.1.0 . && docker push REGISTRY/stackbench:0.1.0
 *   KUBECONFIG=~/.kube/config STACKBENCH_KUBE_CONTEXT=my-cluster STACKBENCH_IMAGE=REGISTRY/stackbench:0.1.0 \
 *     npm run test:cluster
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { KubeStepResult } from '../../src/kube/measure.js';
import type { KubeRunResult } from '../../src/kube/orchestrate.js';
import { runCli } from '../helpers/cli.js';

const HOW =
  'point KUBECONFIG at a cluster (a kubeconfig whose user may create namespaces; docs/KUBERNETES.md, RBAC), ' +
  'set STACKBENCH_KUBE_CONTEXT to its context, build and push the image from this repo ' +
  '(docker build -t REGISTRY/stackbench:0.1.0 . && docker push REGISTRY/stackbench:0.1.0) and set ' +
  'STACKBENCH_IMAGE to it, then run npm run test:cluster';

const kubeconfig = process.env.KUBECONFIG ?? join(homedir(), '.kube/config');
const context = process.env.STACKBENCH_KUBE_CONTEXT;
const image = process.env.STACKBENCH_IMAGE;

describe('the lab on a real cluster', () => {
  it('has a cluster to run on', () => {
    assert.ok(existsSync(kubeconfig.split(':')[0]!), `no kubeconfig at ${kubeconfig}: ${HOW}`);
    assert.ok(context, `STACKBENCH_KUBE_CONTEXT is not set: ${HOW}`);
    assert.ok(image, `STACKBENCH_IMAGE is not set: ${HOW}`);
  });

  it(
    'kube plan, then run --kube: N = 1, 2 from 2 agents, and no namespace left',
    { timeout: 30 * 60_000 },
    async () => {
      assert.ok(context && image, HOW);
      const kc = new KubeConfig();
      kc.loadFromDefault();
      kc.setCurrentContext(context);
      const core = kc.makeApiClient(CoreV1Api);
      await core
        .listNamespace({ limit: 1 })
        .catch((e: Error) => assert.fail(`the cluster does not answer (${e.message}): ${HOW}`));
      const dir = mkdtempSync(join(tmpdir(), 'sb-kube-e2e-'));
      try {
        const flags = ['--stacks', 'node-http', '--replicas', '1,2', '--agents', '2', '--image', image];
        const plan = await runCli(['kube', 'plan', ...flags, '--out', join(dir, 'manifests')]);
        assert.equal(plan.code, 0, plan.stderr);
        const out = join(dir, 'results');
        const run = await runCli(['run', '--kube', context, ...flags, '--workloads', 'json', '--out', out]);
        assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
        assert.match(run.stdout, /2 steps measured on sb-/);
        // Each step: a capacity search on json, every probe sent by both generator pods and merged.
        const kube = JSON.parse(
          readFileSync(join(out, 'kube.json'), 'utf8'),
        ) as KubeRunResult<KubeStepResult>;
        for (const step of kube.steps) {
          const json = step.result!.workloads[0]!;
          assert.ok(json.capacity && json.points.length > 0, `N = ${step.n}: a capacity search`);
          for (const p of json.points) {
            assert.equal(p.agents?.length, 2, `N = ${step.n}: both pods sent`);
            assert.equal(
              p.agents!.reduce((a, g) => a + g.count, 0),
              p.latency.count,
            );
          }
        }
        const ns = /measured on (sb-[a-z0-9-]+)/.exec(run.stdout)![1]!;
        // Foreground deletion: the namespace is gone, or on its way out with nothing running in it.
        const left = await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=stackbench' });
        const mine = left.items.find((n) => n.metadata?.name === ns);
        assert.ok(!mine || mine.status?.phase === 'Terminating', `${ns} left behind`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
