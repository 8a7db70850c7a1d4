/**
 * The lab on Kubernetes, rendered (src/kube/render.ts), with no cluster: every object passes the API's OpenAPI
 * schema (kubernetes-models), and the checks a schema cannot express hold (checks.ts) — and each check fails on
 * an object broken the way it guards against. The structure for N = 1, 2, 4 and P = 1, 4; the balancer's config
 * through the real `haproxy -c`; the manifests on disk read back equal. Needs haproxy (apt-get install haproxy).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { findBalancer } from '../../src/lab/balancer.js';
import { ROOT } from '../../src/paths.js';
import { StackbenchError } from '../../src/errors.js';
import { makePlan, type KubePlan, type KubePlanInput } from '../../src/kube/plan.js';
import { allObjects, render, type Manifest } from '../../src/kube/render.js';
import { problemsOf, templateOf } from '../../src/kube/checks.js';
import { clusterHaproxyConfig } from '../../src/kube/haproxy.js';
import { FIELD_VERSIONS, minimumKubernetes } from '../../src/kube/versions.js';
import { FILE_OF, writeManifests } from '../../src/kube/write.js';
import { IMAGE_ROOT } from '../../src/kube/container.js';
import { pgInitScript } from '../../src/kube/render-services.js';

const haproxy = findBalancer('haproxy');
assert.ok(haproxy.ok, `${haproxy.missing} — install it: ${haproxy.fix}`);

const plan = (input: KubePlanInput = {}): KubePlan => makePlan({ runId: 'test', ...input });
const objectsOf = (p: KubePlan) => allObjects(render(p));
const find = (objs: Manifest[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind}/${name} rendered`);
  return o;
};
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const spec = (o: Manifest) => o.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('kube render: structure for N = 1, 2, 4 and P = 1, 4', () => {
  for (const replicas of [[1], [1, 2], [1, 2, 4]])
    for (const agents of [1, 4]) {
      it(`N up to ${replicas.at(-1)}, P = ${agents}`, () => {
        const p = plan({ stacks: ['node-http', 'flask-gunicorn'], replicas, agents });
        const objs = objectsOf(p);
        assert.deepEqual(problemsOf(p, objs), []);
        const kinds = objs.map((o) => o.kind).sort();
        // namespace + policy, secret, pg (configmap, deployment, service), redis and downstream (deployment,
        // service each), per stack 6 (sut deployment, 2 services, lb configmap, deployment, service), gen (2)
        assert.equal(objs.length, 2 + 1 + 3 + 4 + 2 * 6 + 2);
        assert.equal(kinds.filter((k) => k === 'Job').length, 1);
        for (const stack of ['node-http', 'flask-gunicorn']) {
          const sut = find(objs, 'Deployment', `sut-${stack}`);
          assert.equal(spec(sut).replicas, replicas[0]);
          const cfg = find(objs, 'ConfigMap', `lb-${stack}`).data as Record<string, string>;
          assert.match(
            cfg['haproxy.cfg']!,
            new RegExp(
              `server-template r 1-${replicas.at(-1)} sut-${stack}-pods\\.sb-test\\.svc\\.cluster\\.local:8080 `,
            ),
          );
          assert.equal(spec(find(objs, 'Service', `sut-${stack}-pods`)).clusterIP, 'None');
        }
        const job = spec(find(objs, 'Job', 'gen'));
        assert.equal(job.completionMode, 'Indexed');
        assert.equal(job.completions, agents);
        assert.equal(job.parallelism, agents);
        assert.equal(job.backoffLimit, 0);
        // It may load each stack's balancer by its in-cluster name, and nothing else off its loopback.
        assert.deepEqual(job.template.spec.containers[0].args, [
          'agent',
          '--listen',
          '7070',
          '--allow-remote',
          'lb-node-http.sb-test.svc.cluster.local',
          '--allow-remote',
          'lb-flask-gunicorn.sb-test.svc.cluster.local',
        ]);
        // The generator keeps off the stacks' nodes.
        const anti =
          job.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
        assert.equal(anti[0].labelSelector.matchLabels['app.kubernetes.io/component'], 'sut');
        for (const o of objs) if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'sb-test');
      });
    }

  it('every stack: its one-instance command, mapped into the image, exists in this checkout', () => {
    const objs = objectsOf(plan());
    for (const o of objs.filter((x) => x.kind === 'Deployment' && x.metadata.name.startsWith('sut-'))) {
      const c = templateOf(o)!.spec.containers[0]!;
      const paths = [...c.command!, c.workingDir!].filter((a) => a.startsWith(`${IMAGE_ROOT}/`));
      assert.ok(paths.length >= 1, `${o.metadata.name}: ${c.command!.join(' ')}`);
      for (const path of paths)
        assert.ok(existsSync(join(ROOT, path.slice(IMAGE_ROOT.length))), `${path} (npm run build?)`);
      const env = Object.fromEntries(c.env!.map((e) => [e.name, e.value]));
      assert.equal(env.HOST, '0.0.0.0');
      assert.equal(env.PORT, '8080');
      if (c.command![0] === '/usr/bin/python3')
        assert.ok(
          c.command!.some((a) => a.includes('0.0.0.0')),
          c.command!.join(' '),
        );
      assert.match(env.STACKBENCH_ALLOWED_HOSTS!, /(^|,)lb-[a-z-]+\.sb-test\.svc\.cluster\.local(,|$)/);
    }
    // flask-gunicorn's rule on 2 whole cores: 2N+1 workers
    const two = find(
      objectsOf(plan({ stacks: ['flask-gunicorn'], cores: 2 })),
      'Deployment',
      'sut-flask-gunicorn',
    );
    const argv = templateOf(two)!.spec.containers[0]!.command!;
    assert.equal(argv[argv.indexOf('--workers') + 1], '5');
  });

  it('kube-proxy balancing renders no HAProxy; an idle plan starts every stack at 0', () => {
    const objs = objectsOf(plan({ stacks: ['express'], balancer: 'kube-proxy', idle: true }));
    assert.equal(objs.filter((o) => o.metadata.name.startsWith('lb-')).length, 0);
    assert.equal(spec(find(objs, 'Deployment', 'sut-express')).replicas, 0);
    // The agents may load the stack's own Service instead.
    const args = spec(find(objs, 'Job', 'gen')).template.spec.containers[0].args as string[];
    assert.deepEqual(args.slice(3), ['--allow-remote', 'sut-express.sb-test.svc.cluster.local']);
  });
});

describe('kube render: the schema and the checks can fail', () => {
  it('kubernetes-models refuses an object the API would refuse', () => {
    // A Deployment without its required selector and template, a container without an image.
    assert.throws(
      () => new Deployment({ metadata: { name: 'x' }, spec: {} as never }).validate(),
      /selector|template/,
    );
    const bad = new Deployment({
      metadata: { name: 'x' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 'eighty' as never }] }] } },
      },
    });
    assert.throws(() => bad.validate(), /containerPort|integer/);
  });

  const p = plan({ stacks: ['node-http'], agents: 2 });
  const base = objectsOf(p);
  const broken = (edit: (objs: Manifest[]) => void, expect: RegExp) => {
    const objs = clone(base);
    edit(objs);
    const problems = problemsOf(p, objs);
    assert.ok(
      problems.some((m) => expect.test(m)),
      `expected ${expect} among: ${problems.join(' | ')}`,
    );
  };
  const pod = (objs: Manifest[], kind: string, name: string) => templateOf(find(objs, kind, name))!;

  it('a selector that misses its template', () =>
    broken(
      (o) => (pod(o, 'Deployment', 'sut-node-http').metadata!.labels!['app.kubernetes.io/name'] = 'x'),
      /selector does not match/,
    ));
  it('a Service that selects nothing', () =>
    broken(
      (o) => (spec(find(o, 'Service', 'pg')).selector['app.kubernetes.io/name'] = 'nope'),
      /selects no pod/,
    ));
  it('requests that differ from limits (not Guaranteed)', () =>
    broken(
      (o) => (pod(o, 'Deployment', 'pg').spec.containers[0]!.resources!.requests!.memory = '512Mi'),
      /not Guaranteed/,
    ));
  it('a fraction of a core', () =>
    broken((o) => {
      const r = pod(o, 'Deployment', 'sut-node-http').spec.containers[0]!.resources!;
      r.requests!.cpu = r.limits!.cpu = '500m';
    }, /not whole cores/));
  it('a Job that retries, runs past any deadline, or is not P pods', () => {
    broken((o) => (spec(find(o, 'Job', 'gen')).backoffLimit = 1), /backoffLimit 1/);
    broken((o) => delete spec(find(o, 'Job', 'gen')).activeDeadlineSeconds, /no activeDeadlineSeconds/);
    broken((o) => (spec(find(o, 'Job', 'gen')).parallelism = 1), /not both P = 2/);
  });
  it('a name the API refuses', () => {
    broken((o) => (find(o, 'Service', 'redis').metadata.name = 'Redis_1'), /DNS-1123/);
    broken((o) => (find(o, 'Service', 'redis').metadata.name = 'r'.repeat(64)), /63 characters/);
  });
  it('a Secret reference that does not resolve', () => {
    broken(
      (o) => (pod(o, 'Deployment', 'pg').spec.containers[0]!.env![1]!.valueFrom!.secretKeyRef!.key = 'nope'),
      /has no key nope/,
    );
    broken(
      (o) => (pod(o, 'Deployment', 'redis').spec.volumes![0]!.secret!.secretName = 'gone'),
      /Secret\/gone does not exist/,
    );
  });
  it('host namespaces, privilege, root', () => {
    broken((o) => (pod(o, 'Job', 'gen').spec.hostNetwork = true), /host's namespaces/);
    broken(
      (o) => (pod(o, 'Deployment', 'downstream').spec.containers[0]!.securityContext!.privileged = true),
      /privileged/,
    );
    broken(
      (o) => (pod(o, 'Deployment', 'redis').spec.containers[0]!.securityContext!.runAsNonRoot = false),
      /as root/,
    );
    broken((o) => (pod(o, 'Deployment', 'pg').spec.enableServiceLinks = true), /enableServiceLinks/);
  });
  it('an env variable used before it is set', () =>
    broken((o) => {
      const env = pod(o, 'Deployment', 'sut-node-http').spec.containers[0]!.env!;
      env.push(
        env.splice(
          env.findIndex((e) => e.name === 'SB_PG_APP_PASSWORD'),
          1,
        )[0]!,
      );
    }, /refers to \$\(SB_PG_APP_PASSWORD\) before/));
});

describe('kube render: secrets, versions, bad input', () => {
  it('passwords are random per plan and appear only in the Secret', () => {
    const a = makePlan({ runId: 'a' });
    const b = makePlan({ runId: 'b' });
    assert.notEqual(a.secrets.pgApp, b.secrets.pgApp);
    assert.match(a.secrets.redis, /^[0-9a-f]{48}$/);
    const outside = JSON.stringify(objectsOf(a).filter((o) => o.kind !== 'Secret'));
    for (const s of Object.values(a.secrets))
      assert.ok(!outside.includes(s), 'a password outside the Secret');
  });

  it("the seed script is the lab's statements, the password a psql variable", () => {
    const script = pgInitScript();
    assert.match(script, /CREATE ROLE stackbench_app LOGIN PASSWORD :'app_password' NOSUPERUSER/);
    assert.match(script, /generate_series\(1, 10000\)/);
    assert.match(script, /GRANT SELECT ON world TO stackbench_app;/);
  });

  it('the oldest Kubernetes the plan needs, from the fields it uses', () => {
    const objs = objectsOf(plan());
    assert.deepEqual(minimumKubernetes(objs), {
      version: '1.25',
      because: 'Pod Security admission labels on the Namespace',
    });
    const withoutPsa = clone(objs);
    find(withoutPsa, 'Namespace', 'sb-test').metadata.labels = {
      'app.kubernetes.io/managed-by': 'stackbench',
    };
    assert.equal(minimumKubernetes(withoutPsa).version, '1.24');
    for (const f of FIELD_VERSIONS)
      assert.ok(
        objs.some((o) => f.uses(o)),
        `table row "${f.field}" matches no object`,
      );
    const doc = readFileSync(join(ROOT, 'docs/KUBERNETES.md'), 'utf8');
    for (const f of FIELD_VERSIONS)
      assert.ok(doc.includes(`| ${f.field} | ${f.since} |`), `docs/KUBERNETES.md lacks "${f.field}"`);
  });

  it('bad input is one SB_ error naming it', () => {
    const code = (input: KubePlanInput) => {
      try {
        makePlan(input);
      } catch (e) {
        assert.ok(e instanceof StackbenchError);
        assert.equal(e.exit, 2);
        return `${e.code}: ${e.message}`;
      }
      return 'accepted';
    };
    assert.match(code({ cores: 0.5 }), /SB_KUBE_BAD_PLAN: .*whole cores/);
    assert.match(code({ stacks: ['mystack'] }), /SB_UNKNOWN_STACK/);
    assert.match(code({ image: 'Not An Image' }), /SB_KUBE_BAD_PLAN: .*image/);
    assert.match(code({ runId: 'Bad_Id' }), /SB_KUBE_BAD_PLAN: .*run id/);
    assert.match(code({ replicas: [0] }), /SB_KUBE_BAD_PLAN: .*replica count 0/);
    assert.match(code({ agents: 65 }), /SB_KUBE_BAD_PLAN: .*agents 65/);
    assert.equal(code({ image: 'registry.example.com:5000/team/stackbench:0.1.0' }), 'accepted');
  });
});

describe('kube render: the balancer config and the files', () => {
  it('haproxy -c accepts the cluster config, for every N', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-kube-haproxy-'));
    try {
      for (const replicas of [[1], [1, 2, 4], [1, 2, 4, 8]]) {
        const file = join(dir, 'haproxy.cfg');
        writeFileSync(file, clusterHaproxyConfig(plan({ replicas, balancerCores: 2 }), 'django-gunicorn'));
        const r = spawnSync(haproxy.bin!, ['-c', '-f', file], { encoding: 'utf8' });
        const out = `${r.stdout}${r.stderr}`;
        assert.equal(r.status, 0, out);
        assert.doesNotMatch(out, /WARNING|ALERT/, out);
      }
      // and refuses a broken one: the check is real
      writeFileSync(
        join(dir, 'bad.cfg'),
        clusterHaproxyConfig(plan(), 'node-http').replace('resolvers cluster\n', 'resolvers\n'),
      );
      assert.notEqual(spawnSync(haproxy.bin!, ['-c', '-f', join(dir, 'bad.cfg')]).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('one file per role, read back equal; the Secret readable by its owner only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-kube-out-'));
    try {
      const p = plan({ stacks: ['fastify'], agents: 4 });
      const rendered = render(p);
      const written = writeManifests(p, rendered, dir);
      assert.deepEqual(
        written.map((w) => w.file),
        Object.values(FILE_OF).map((f) => join(dir, f)),
      );
      for (const w of written) {
        const text = readFileSync(w.file, 'utf8');
        assert.match(text, /^# stackbench test: generated by/);
        assert.match(text, /needs Kubernetes 1\.25 or newer/);
        const docs = parseAllDocuments(text).map((d) => d.toJS());
        assert.deepEqual(docs, rendered.find((r) => r.role === w.role)!.objects);
      }
      assert.equal(statSync(join(dir, FILE_OF.secrets)).mode & 0o777, 0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
