/**
 * `stackbench kube plan` and `run --kube` through the real CLI: manifests written, bad input one line and
 * exit 2, and `run --kube` refusing before it touches a cluster when the kubeconfig names no such context, or
 * when this build has no coordinator to measure with (the distributed generator's).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

describe('stackbench kube plan', () => {
  it('writes one file per role and says what it wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-kube-cli-'));
    try {
      const r = await runCli([
        'kube',
        'plan',
        '--stacks',
        'fastapi-uvicorn',
        '--replicas',
        '4,1,2',
        '--agents',
        '4',
        '--run-id',
        'cli',
        '--out',
        dir,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(readdirSync(dir).sort(), [
        '00-namespace.yaml',
        '10-secrets.yaml',
        '20-services.yaml',
        '30-stacks.yaml',
        '40-agents.yaml',
      ]);
      assert.match(r.stdout, /wrote .*10-secrets\.yaml \(1 object\)/);
      assert.match(
        r.stdout,
        /namespace sb-cli: 1 stacks at N = 1, 2, 4 behind haproxy, 4 generator pods, image stackbench:[\d.]+; needs Kubernetes 1\.25\+/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [args, expect] of [
    [['--cores', '0.5'], /^error\[SB_BAD_NUMBER\]: bad value "0\.5" for --cores/],
    [['--stacks', 'nope'], /^error\[SB_UNKNOWN_STACK\]: unknown stack "nope"/],
    [
      ['--balancer', 'nginx'],
      /^error\[SB_BAD_FLAG\]: bad --balancer "nginx": expected haproxy or kube-proxy/,
    ],
    [['--run-id', 'Not_OK'], /^error\[SB_KUBE_BAD_PLAN\]: bad Kubernetes plan: run id "Not_OK"/],
  ] as const)
    it(`refuses ${args.join(' ')} with one line, exit 2`, async () => {
      const r = await runCli(['kube', 'plan', ...args, '--out', join(tmpdir(), 'sb-kube-never')]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, expect);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
});

describe('stackbench run --kube', () => {
  it('a context the kubeconfig lacks: exit 2 with how to point KUBECONFIG at a cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-kube-kc-'));
    try {
      const file = join(dir, 'config');
      writeFileSync(
        file,
        'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: lab, context: {cluster: c, user: u}}]\ncurrent-context: lab\n',
      );
      const r = await runCli(['run', '--kube', 'prod'], { KUBECONFIG: file });
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^error\[SB_KUBE_CONTEXT\]: no Kubernetes cluster to run on: no context "prod" in KUBECONFIG=.*contexts in your kubeconfig: lab; point KUBECONFIG/,
      );
      // The context exists: the run asks its API server (port 9, where nothing answers) and stops there, exit 1.
      const r2 = await runCli(['run', '--kube', 'lab', '--out', dir], { KUBECONFIG: file });
      assert.equal(r2.code, 1, r2.stderr);
      assert.match(r2.stderr, /^error\[SB_KUBE_API\]: Kubernetes API: list namespaces of earlier runs/);
      // One --agents, one meaning: on a cluster it is the count of generator pods; a list is bad input.
      const r3 = await runCli(['run', '--kube', 'lab', '--agents', 'netns:a', '--out', dir], {
        KUBECONFIG: file,
      });
      assert.equal(r3.code, 2, r3.stderr);
      assert.match(
        r3.stderr,
        /^error\[SB_BAD_AGENTS\]: .*with --kube the agents are the cluster's generator pods/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
