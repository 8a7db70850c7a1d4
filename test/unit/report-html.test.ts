// report.html as text: self-contained (no network references, CSP), hostile strings escaped, the results
// embedded intact, one canvas per chart, and the latency spectrum decoded from the real histograms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartData, nines } from '../../src/report/charts.js';
import { escapeHtml, scriptJson } from '../../src/report/escape.js';
import { htmlReport } from '../../src/report/html.js';
import type { Results } from '../../src/results/types.js';
import { sampleResults } from '../fixtures/report-sample.js';

const sample = sampleResults();
const HOSTILE = '<script>alert(1)</script>';

function embedded(html: string, id: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${id}">([^<]*)</script>`).exec(html);
  assert.ok(m, `script#${id}`);
  return JSON.parse(m[1]!);
}

describe('htmlReport', () => {
  const html = htmlReport(sample);

  it('is one self-contained file: inline Chart.js, a CSP, no external references', () => {
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.ok(html.includes('Chart.js v4'), 'Chart.js UMD inlined');
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
    assert.doesNotMatch(html, /url\(\s*['"]?(https?:)?\/\//i);
    assert.ok(html.length > 200_000 && html.length < 5_000_000, `size ${html.length}`);
  });

  it('embeds the results as JSON, intact', () => {
    assert.deepEqual(embedded(html, 'results'), JSON.parse(JSON.stringify(sample)));
  });

  it('escapes a hostile failure reason, log line, note and version everywhere', () => {
    const r: Results = structuredClone(sample);
    const dj = r.stacks.find((s) => s.id === 'django-gunicorn')!;
    dj.failure!.reason = HOSTILE;
    dj.failure!.log.push(`${HOSTILE} "quoted" & 'single'`);
    dj.versions.server = HOSTILE;
    r.notes.push(HOSTILE);
    r.machine.cpuModel = `<img src=x onerror=alert(1)>`;
    const out = htmlReport(r);
    assert.ok(!out.includes(HOSTILE), 'the hostile tag never appears raw');
    assert.ok(!out.includes('<img src=x'), 'nor an injected element');
    assert.ok(out.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(out.includes('&quot;quoted&quot; &amp; &#39;single&#39;'));
    // Only our own four <script> elements exist, and the JSON inside them still parses back.
    assert.equal(out.match(/<script/g)?.length, 4);
    const back = embedded(out, 'results') as Results;
    assert.equal(back.stacks.find((s) => s.id === 'django-gunicorn')!.failure!.reason, HOSTILE);
  });

  it('has one canvas per chart, each named by data-chart', () => {
    const names = [...html.matchAll(/<canvas data-chart="([^"]+)"/g)].map((m) => m[1]);
    const measured = sample.analysis!.verdicts.filter((v) => v.verdict !== 'not measured');
    assert.equal(names.length, 36 + measured.length);
    for (const v of sample.analysis!.verdicts)
      assert.equal(names.includes(`verdict-${v.claim}`), v.verdict !== 'not measured', v.claim);
    assert.equal(
      html.match(/nothing to draw: not measured/g)?.length,
      sample.analysis!.verdicts.length - measured.length,
    );
    assert.equal(new Set(names).size, names.length);
    for (const w of sample.config.workloads) {
      for (const kind of ['throughput', 'latency', 'concurrency', 'cpu', 'memory'])
        assert.ok(names.includes(`${kind}-${w}`), `${kind}-${w}`);
    }
    assert.ok(names.includes('overview'));
    assert.ok(
      /\.body\.dataset\.chartsRendered = String\(count \+/.test(html),
      'the page announces its charts',
    );
  });

  it('says "single level in this suite" instead of a concurrency chart when one level was measured', () => {
    const r: Results = structuredClone(sample);
    r.config.connections = [64];
    r.points = r.points.filter((p) => p.connections === 64);
    r.analysis = undefined;
    const out = htmlReport(r);
    assert.ok(!out.includes('data-chart="concurrency-'));
    assert.equal(out.match(/single level in this suite/g)?.length, 7);
  });

  it('shows the failed stack and the generator-limited figure honestly', () => {
    assert.ok(html.includes('django-gunicorn failed: crashed during db'));
    assert.ok(/≥16,\d{3} \([\d,–]+\) <span class="mark" title="generator-limited/.test(html));
  });
});

describe('chartData', () => {
  const data = chartData(sample);

  it('decodes the latency spectrum from the merged histograms, on the nines scale', () => {
    const json = data.workloads.find((w) => w.workload === 'json')!;
    assert.equal(json.latency.length, 7);
    const s = json.latency.find((l) => l.stack === 'fastify')!;
    const xs = s.points.map((p) => p[0]);
    assert.deepEqual(
      xs,
      [...xs].sort((a, b) => a - b),
      'x ascends',
    );
    assert.ok(
      s.points.some(([x, , p]) => p === 99 && Math.abs(x - 2) < 1e-9),
      'p99 sits at 2 nines',
    );
    const ys = s.points.map((p) => p[1]);
    assert.deepEqual(
      ys,
      [...ys].sort((a, b) => a - b),
      'latency never falls with the percentile',
    );
    // The merged p99 is close to the per-run p99s recorded beside each histogram.
    const p99 = s.points.find(([, , p]) => p === 99)![1];
    const runs = sample.points.filter(
      (p) => p.stack === 'fastify' && p.workload === 'json' && p.connections === 64,
    );
    const lo = Math.min(...runs.map((p) => p.latency.percentilesMs['99']!));
    const hi = Math.max(...runs.map((p) => p.latency.percentilesMs['99']!));
    assert.ok(p99 >= lo * 0.95 && p99 <= hi * 1.05, `${p99} within ${lo}..${hi}`);
    assert.ok(Math.abs(nines(99.9) - 3) < 1e-9 && Math.abs(nines(50) - Math.log10(2)) < 1e-9);
  });

  it('builds throughput against concurrency from the closed points at each level', () => {
    const io = data.workloads.find((w) => w.workload === 'io')!;
    assert.deepEqual(io.concurrency?.levels, [64, 256]);
    const node = io.concurrency!.series.find((s) => s.stack === 'node-http')!;
    assert.ok(node.values[1]! > node.values[0]! * 2, 'the event loop scales with connections on io');
    const dj = data.workloads.find((w) => w.workload === 'db')!;
    assert.ok(
      !dj.throughput.some((b) => b.stack === 'django-gunicorn'),
      'no bar for a stack without figures',
    );
    const json = data.workloads.find((w) => w.workload === 'json')!;
    assert.ok(json.throughput.find((b) => b.stack === 'node-cluster')!.lowerBound);
    assert.ok(json.capacity.find((b) => b.stack === 'node-cluster')!.lowerBound);
  });
});

describe('escaping helpers', () => {
  it('escapes the five HTML characters and keeps JSON parseable inside a script element', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const s = scriptJson({ t: '</script><!-- \u2028' });
    assert.ok(!s.includes('<') && !s.includes('\u2028'));
    assert.deepEqual(JSON.parse(s), { t: '</script><!-- \u2028' });
  });
});
