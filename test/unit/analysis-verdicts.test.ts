// Each rule produces each of its verdicts from synthetic Results.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLAIMS, type Claim } from '../../src/analysis/claims.js';
import { derive } from '../../src/analysis/derive.js';
import { RULES } from '../../src/analysis/verdicts.js';
import type { Results, Verdict } from '../../src/results/types.js';
import type { StackId } from '../../src/stacks/registry.js';
import { WORKLOAD_IDS } from '../../src/workloads.js';
import {
  around,
  jsonResults,
  makeResults,
  type CapSpec,
  type RunSpec,
} from '../fixtures/results-synthetic.js';

const claim = (id: string): Claim => CLAIMS.find((c) => c.id === id)!;
const judge = (id: string, r: Results): Verdict => RULES[claim(id).rule](r, derive(r), claim(id));

const json = jsonResults;

describe('claims data', () => {
  it('has unique ids, known rules and workloads', () => {
    assert.equal(new Set(CLAIMS.map((c) => c.id)).size, CLAIMS.length);
    for (const c of CLAIMS) {
      assert.ok(RULES[c.rule], c.id);
      for (const t of c.tests)
        assert.ok((WORKLOAD_IDS as readonly string[]).includes(t.workload), `${c.id}: ${t.workload}`);
      assert.ok(c.quotes.length > 0 && c.quotes.every((q) => q.length > 10), c.id);
    }
  });
  it('quotes the article exactly', () => {
    // The article is part of the project: docs/article.md (dist/test/unit -> the repository root).
    const text = readFileSync(fileURLToPath(new URL('../../../docs/article.md', import.meta.url)), 'utf8');
    for (const c of CLAIMS) for (const q of c.quotes) assert.ok(text.includes(q), `${c.id}: "${q}"`);
  });
});

describe('node-wins (raw performance, json rps)', () => {
  it('supported when the best Node stack beats every Python stack', () => {
    const v = judge(
      'raw-performance',
      json({ fastify: 30000, express: 12000, 'flask-gunicorn': 5000, 'fastapi-uvicorn': 9000 }),
    );
    assert.equal(v.verdict, 'supported');
    assert.match(
      v.summary,
      /supported against WSGI sync \(flask-gunicorn 6\.0x\), ASGI \(fastapi-uvicorn 3\.3x\)/,
    );
    assert.ok(v.evidence.some((e) => /^fastify is 6\.0x flask-gunicorn on json/.test(e)));
    assert.ok(v.evidence.some((e) => /CPU per request: fastify 33 µs, flask-gunicorn 200 µs/.test(e)));
  });
  it('depends when it beats WSGI but ties ASGI', () => {
    const v = judge(
      'raw-performance',
      json({ fastify: 10000, 'flask-gunicorn': 2400, 'fastapi-uvicorn': 9900 }),
    );
    assert.equal(v.verdict, 'depends');
    assert.match(
      v.summary,
      /supported against WSGI sync \(flask-gunicorn 4\.2x\); not against ASGI \(fastapi-uvicorn 1\.01x, tie\)/,
    );
  });
  it('not supported when Python ties or wins everywhere (a tie is not a win)', () => {
    assert.equal(
      judge('raw-performance', json({ fastify: 10000, 'fastapi-uvicorn': 9900 })).verdict,
      'not supported',
    );
    const v = judge('raw-performance', json({ fastify: 5000, 'fastapi-uvicorn': 9000 }));
    assert.equal(v.verdict, 'not supported');
    assert.match(v.summary, /fastapi-uvicorn 0\.56x, slower/);
  });
  it('not measured when the Python stacks are missing, saying why', () => {
    const r = json(
      { fastify: 10000, 'flask-gunicorn': 1 },
      { failed: { 'flask-gunicorn': 'gunicorn is not installed' } },
    );
    r.points = r.points.filter((p) => p.stack !== 'flask-gunicorn');
    const v = judge('raw-performance', r);
    assert.equal(v.verdict, 'not measured');
    assert.match(
      v.summary,
      /no Python figures on json \(flask-gunicorn unavailable: gunicorn is not installed\)/,
    );
  });
  it('says when it rests on generator-saturated figures', () => {
    const r = makeResults({
      stacks: ['fastify', 'flask-gunicorn'],
      workloads: ['json'],
      runs: [
        { stack: 'fastify', workload: 'json', rps: around(30000), flags: ['generator-saturated'] },
        { stack: 'flask-gunicorn', workload: 'json', rps: around(3000) },
      ],
    });
    const v = judge('raw-performance', r);
    assert.equal(v.verdict, 'supported');
    assert.match(v.summary, /Lower bounds: fastify's json rps \(generator-saturated\)/);
  });
});

describe('node-wins on capacity (concurrent I/O)', () => {
  const caps = (node: number, flask: number, fastapi: number): CapSpec[] => [
    { stack: 'fastify', workload: 'io', rps: node, failedAt: node * 1.1 },
    { stack: 'flask-gunicorn', workload: 'io', rps: flask, failedAt: flask * 1.1 },
    { stack: 'fastapi-uvicorn', workload: 'io', rps: fastapi, failedAt: fastapi * 1.1 },
  ];
  const r = (c: CapSpec[]) =>
    makeResults({ stacks: ['fastify', 'flask-gunicorn', 'fastapi-uvicorn'], workloads: ['io'], caps: c });
  it('uses capacity and reports what is missing (service, db not run)', () => {
    const v = judge('concurrent-io', r(caps(8000, 150, 4000)));
    assert.equal(v.verdict, 'supported');
    assert.match(
      v.summary,
      /io capacity, fastify: supported against WSGI sync \(flask-gunicorn 53x\), ASGI \(fastapi-uvicorn 2\.0x\)/,
    );
    assert.match(v.summary, /Missing: service was not in this run; db was not in this run/);
  });
  it('depends and not supported from capacities', () => {
    assert.equal(judge('concurrent-io', r(caps(8000, 150, 7950))).verdict, 'depends');
    assert.equal(judge('concurrent-io', r(caps(4000, 4100, 7000))).verdict, 'not supported');
  });
  it('a lean the noise cannot confirm: supported when it leans the claim’s way, undecided when against', () => {
    // fastify beats flask-gunicorn clearly; against fastapi-uvicorn 1.6x is within the run-to-run noise.
    const lean = judge('concurrent-io', r(caps(6400, 150, 4000)));
    assert.equal(lean.verdict, 'supported', lean.summary);
    assert.match(lean.summary, /1 of 2 matchups won, 1 undecided \(leaning its way\)/);
    assert.match(lean.summary, /undecided against ASGI \(fastapi-uvicorn 1\.60?x/);
    // The same 1.6x, the other way round: nothing supports the claim against ASGI.
    const against = judge('concurrent-io', r(caps(4000, 150, 6400)));
    assert.equal(against.verdict, 'undecided', against.summary);
  });
  it('falls back to throughput when capacity was not searched, and says so', () => {
    const res = makeResults({
      stacks: ['fastify', 'flask-gunicorn'],
      workloads: ['io'],
      runs: [
        { stack: 'fastify', workload: 'io', rps: around(3100) },
        { stack: 'flask-gunicorn', workload: 'io', rps: around(150) },
      ],
    });
    const v = judge('concurrent-io', res);
    assert.equal(v.verdict, 'supported');
    assert.ok(v.evidence.some((e) => /no capacity search.*64 connections/.test(e)));
  });
});

describe('python-wins (data, ml, cpu)', () => {
  const data = (fastify: number, fastapi: number, flask: number) =>
    makeResults({
      stacks: ['fastify', 'express', 'fastapi-uvicorn', 'flask-gunicorn'],
      workloads: ['data'],
      runs: [
        { stack: 'fastify', workload: 'data', rps: around(fastify) },
        { stack: 'express', workload: 'data', rps: around(fastify * 0.9) },
        { stack: 'fastapi-uvicorn', workload: 'data', rps: around(fastapi) },
        { stack: 'flask-gunicorn', workload: 'data', rps: around(flask) },
      ],
    });
  it('supported, depends, not supported', () => {
    assert.equal(judge('data-heavy', data(100, 300, 250)).verdict, 'supported');
    const dep = judge('data-heavy', data(100, 300, 250));
    assert.match(
      dep.summary,
      /data, fastapi-uvicorn: supported against Node\.js \(fastify 3\.0x, express 3\.3x\)/,
    );
    const mixed = judge('data-heavy', data(300, 305, 100)); // beats express (270), ties fastify
    assert.equal(mixed.verdict, 'depends');
    assert.match(
      mixed.summary,
      /supported against Node\.js \(express 1\.13x\); not against Node\.js \(fastify 1\.02x, tie\)/,
    );
    assert.equal(judge('data-heavy', data(300, 100, 90)).verdict, 'not supported');
  });
  it('not measured when the workload failed verification on every Python stack', () => {
    const r = makeResults({
      stacks: ['fastify', 'fastapi-uvicorn'],
      workloads: ['ml'],
      runs: [{ stack: 'fastify', workload: 'ml', rps: around(500) }],
      unverified: [{ stack: 'fastapi-uvicorn', workload: 'ml', reason: 'probabilities differ by 0.01' }],
    });
    const v = judge('ml-logic', r);
    assert.equal(v.verdict, 'not measured');
    assert.match(v.summary, /fastapi-uvicorn not verified: probabilities differ by 0\.01/);
  });
});

describe('wsgi-concurrency', () => {
  const io = (caps: CapSpec[]) => makeResults({ stacks: caps.map((c) => c.stack), workloads: ['io'], caps });
  it('supported when only WSGI stacks were measured, with Little’s law in the evidence', () => {
    const v = judge(
      'python-needs-wsgi',
      io([{ stack: 'flask-gunicorn', workload: 'io', rps: 150, failedAt: 160 }]),
    );
    assert.equal(v.verdict, 'supported');
    assert.ok(
      v.evidence.some((e) =>
        /flask-gunicorn \(WSGI sync, 3 workers.*about 3\.0 requests in flight at 20 ms/.test(e),
      ),
    );
  });
  it('supported when WSGI is level with ASGI; depends when ASGI does much better', () => {
    const level = judge(
      'python-needs-wsgi',
      io([
        { stack: 'django-gunicorn', workload: 'io', rps: 1000, failedAt: 1100 },
        { stack: 'fastapi-uvicorn', workload: 'io', rps: 1010, failedAt: 1100 },
      ]),
    );
    assert.equal(level.verdict, 'supported');
    assert.match(level.summary, /level with ASGI fastapi-uvicorn/);
    const dep = judge(
      'python-needs-wsgi',
      io([
        { stack: 'flask-gunicorn', workload: 'io', rps: 150, failedAt: 160 },
        { stack: 'fastapi-uvicorn', workload: 'io', rps: 6000, failedAt: 6600 },
      ]),
    );
    assert.equal(dep.verdict, 'depends');
    assert.match(dep.summary, /ASGI fastapi-uvicorn sustains 40x WSGI flask-gunicorn on io within the SLO/);
  });
  it('not measured without a WSGI stack', () => {
    const v = judge(
      'python-needs-wsgi',
      io([{ stack: 'fastapi-uvicorn', workload: 'io', rps: 6000, failedAt: 6600 }]),
    );
    assert.equal(v.verdict, 'not measured');
  });
});

/** The quick suite's scaling config on one server core, as results.json records it. */
const QUICK_SCALING = {
  replicas: [1, 2, 4],
  forms: ['replicas' as const],
  stacks: 'leading' as const,
  budget: 'quota' as const,
  coresEach: 0.125,
  balancer: 'haproxy' as const,
};

describe('scaling', () => {
  it('not measured when the study did not run, or could not, saying why and the fix', () => {
    const off = judge('horizontal-scaling', json({ 'node-http': 20000, 'flask-gunicorn': 3000 }));
    assert.equal(off.verdict, 'not measured');
    assert.match(off.summary, /the scaling study did not run \(stackbench run --scaling on runs it\)/);
    const r = json({ 'node-http': 20000, 'flask-gunicorn': 3000 });
    r.config.scaling = {
      ...QUICK_SCALING,
      workloads: ['json'],
      notMeasured: 'replicas need CPU quotas on 1 server core(s): the cgroup v1 cpu hierarchy is read-only',
    };
    const blocked = judge('horizontal-scaling', r);
    assert.equal(blocked.verdict, 'not measured');
    assert.match(blocked.summary, /cgroup v1 cpu hierarchy is read-only/);
  });
  /** C(1) and C(N) per runtime from efficiencies, under the quick suite's eighth-of-a-core quotas. */
  const scaled = (n: number, nodeEff: number, pyEff: number, nodeOne = 1000, pyOne = 500) => {
    const caps: CapSpec[] = [];
    for (const [stack, one, eff] of [
      ['fastify', nodeOne, nodeEff],
      ['fastapi-uvicorn', pyOne, pyEff],
    ] as const) {
      caps.push({ stack, workload: 'json', rps: one, failedAt: one * 1.05, replicas: 1 });
      caps.push({ stack, workload: 'json', rps: one * n * eff, failedAt: one * n * eff * 1.05, replicas: n });
    }
    return makeResults({ stacks: ['fastify', 'fastapi-uvicorn'], workloads: ['json'], caps });
  };
  it("quota capacities as wide as the old quick run's decide nothing, and say why", () => {
    // The figures of the issue that replaced this method: fastify 363 -> 2,617 req/s at N = 1 -> 4 (E 180 %),
    // fastapi-uvicorn E 75 %. Before, overlapping intervals made that "alike"; now it is undecided.
    const v = judge('horizontal-scaling', scaled(4, 1.8, 0.75, 363, 400));
    assert.equal(v.verdict, 'undecided', v.summary);
    assert.match(v.summary, /fastify's E\(4\) spans \d+%–\d+%, wider than ±25 %/);
    assert.doesNotMatch(v.summary, /alike/);
    assert.match(v.headline.text, /^undecided — E\(4\) fastify \d+% .* on json: too wide to decide$/);
  });

  /** Split-cost probes: per round, CPU per request at N = ratio(N) x the cost at 1, jittered by `spread`. */
  const split = (ratios: Record<'json' | 'io', { node: number; py: number }>, spread = 0.03, rounds = 4) => {
    const r = makeResults({ stacks: ['node-http', 'fastapi-uvicorn'], workloads: ['json', 'io'] });
    r.config.scaling = {
      ...QUICK_SCALING,
      workloads: ['json', 'io'],
      split: { rounds, costMs: 700, saturationMs: 0, load: 0.3, text: 'N replicas sharing 1 server core' },
    };
    r.splits = [];
    for (const w of ['json', 'io'] as const)
      for (const [stack, key, base] of [
        ['node-http', 'node', 40],
        ['fastapi-uvicorn', 'py', 120],
      ] as const)
        for (let round = 0; round < rounds; round++)
          for (const n of [1, 2, 4]) {
            const jitter = 1 + spread * Math.sin(round * 2.3 + n);
            const ratio = n === 1 ? 1 : 1 + ((ratios[w][key] - 1) * (n - 1)) / 3;
            r.splits.push({
              stack,
              workload: w,
              n,
              round,
              active: [0],
              rate: 1000,
              units: 700,
              errors: 0,
              p99Ms: 5,
              replicasUs: base * ratio * jitter,
              accounting: 'cgroup',
              balancerUs: 20,
              systemUs: base * 2,
              steal: 0,
              softirq: 0,
              repeated: false,
            });
          }
    return r;
  };
  it("split cost: Node.js better only where its interval clears Python's", () => {
    const s = judge(
      'horizontal-scaling',
      split({ json: { node: 1.1, py: 1.6 }, io: { node: 1.1, py: 1.6 } }),
    );
    assert.equal(s.verdict, 'supported', s.summary);
    assert.match(
      s.summary,
      /json at 4 replicas: node-http 9\d% \(\d+%–\d+%\) vs fastapi-uvicorn 6\d% .*: Node\.js scales better/,
    );
    assert.match(s.headline.text, /split-cost E\(4\)/);
    assert.ok(
      s.evidence.some((e) => /node-http .*CPU per request \d+ µs at N=1, x2 1\.\d\dx/.test(e)),
      s.evidence.join('\n'),
    );
    const d = judge(
      'horizontal-scaling',
      split({ json: { node: 1.1, py: 1.6 }, io: { node: 1.3, py: 1.3 } }),
    );
    assert.equal(d.verdict, 'depends', d.summary);
    assert.match(d.summary, /io at 4 replicas: .*alike \(within ±10 points\)/);
    const n = judge(
      'horizontal-scaling',
      split({ json: { node: 1.6, py: 1.1 }, io: { node: 1.3, py: 1.32 } }),
    );
    assert.equal(n.verdict, 'not supported', n.summary);
    assert.match(n.summary, /json .*Python scales better/);
  });
  it('split cost: a wide interval, a lean or super-linear efficiency is undecided, with the reason', () => {
    const wide = judge(
      'horizontal-scaling',
      split({ json: { node: 1.1, py: 1.6 }, io: { node: 1.1, py: 1.6 } }, 0.3),
    );
    assert.equal(wide.verdict, 'undecided', wide.summary);
    assert.match(wide.summary, /E\(4\) spans \d+%–\d+%, wider than ±25 %/);
    const lean = judge(
      'horizontal-scaling',
      split({ json: { node: 1.1, py: 1.18 }, io: { node: 1.1, py: 1.18 } }),
    );
    assert.equal(lean.verdict, 'undecided', lean.summary);
    assert.match(lean.summary, /neither inside ±10 nor clear of 0 \(a lean is not a claim\)/);
    const superLinear = judge(
      'horizontal-scaling',
      split({ json: { node: 0.7, py: 1.2 }, io: { node: 0.7, py: 1.2 } }),
    );
    assert.equal(superLinear.verdict, 'undecided', superLinear.summary);
    assert.match(superLinear.summary, /above 100 %: super-linear, an artefact of the budget/);
  });
});

describe('realtime: stream and chat capacity', () => {
  const caps = (node: number, fastapi: number): CapSpec[] => [
    { stack: 'fastify', workload: 'stream', rps: node, failedAt: node * 1.2 },
    { stack: 'fastapi-uvicorn', workload: 'stream', rps: fastapi, failedAt: fastapi * 1.2 },
    { stack: 'fastify', workload: 'chat', rps: node * 10, failedAt: node * 12 },
    { stack: 'fastapi-uvicorn', workload: 'chat', rps: fastapi * 10, failedAt: fastapi * 12 },
  ];
  const runs: RunSpec[] = ['stream', 'chat'].flatMap((w) =>
    (['fastify', 'fastapi-uvicorn'] as StackId[]).map((stack) => ({
      stack,
      workload: w as 'stream' | 'chat',
      rps: around(100),
    })),
  );
  const realtime = (node: number, fastapi: number) =>
    makeResults({
      stacks: ['fastify', 'flask-gunicorn', 'fastapi-uvicorn'],
      workloads: ['stream', 'chat'],
      runs: [...runs, { stack: 'flask-gunicorn', workload: 'stream', rps: around(10) }],
      caps: [...caps(node, fastapi), { stack: 'flask-gunicorn', workload: 'stream', rps: 10, failedAt: 12 }],
      unsupported: [{ stack: 'flask-gunicorn', workload: 'chat', reason: 'WebSocket needs an ASGI server' }],
    });
  it('a stack that cannot serve chat at all loses it, and says why', () => {
    const v = judge('realtime-chat-streaming', realtime(3000, 1000));
    assert.equal(v.verdict, 'supported');
    assert.match(v.summary, /WSGI sync workers cannot serve it at all \(flask-gunicorn\)/);
    assert.ok(
      v.evidence.some((e) => /flask-gunicorn cannot serve chat: WebSocket needs an ASGI server/.test(e)),
    );
  });
  it('depends when ASGI keeps up on both', () => {
    const v = judge('realtime-chat-streaming', realtime(1000, 3000));
    assert.equal(v.verdict, 'depends');
  });
});
