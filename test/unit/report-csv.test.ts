// The CSV exports read back by a strict RFC 4180 parser (written here, independent of the writer): the header,
// every value equal to the results' figure it came from, quoting of awkward text, plain numbers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { headlineCsv, plainNumber, pointsCsv } from '../../src/report/csv.js';
import { analysisOf } from '../../src/analysis/index.js';
import { sampleResults } from '../fixtures/report-sample.js';

/** RFC 4180: records end with CRLF, fields split by commas, a quoted field doubles its quotes and may hold anything. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else value += text[i++];
      }
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
        value += text[i++];
      }
    }
    row.push(value);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`expected a comma or CRLF at ${i}, got ${JSON.stringify(text[i])}`);
  }
  if (row.length) throw new Error('the last record has no CRLF');
  return rows;
}

/** Rows as objects by header name; every row as wide as the header. */
function records(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  assert.ok(header, 'a header row');
  return rows.map((r, k) => {
    assert.equal(r.length, header.length, `row ${k + 1} has as many fields as the header`);
    return Object.fromEntries(header.map((h, j) => [h, r[j]!]));
  });
}

/** A numeric cell read back: exactly the figure, or empty for an absent one. */
function num(cell: string | undefined): number | undefined {
  assert.ok(cell !== undefined, 'the column exists');
  if (cell === '') return undefined;
  assert.match(cell, /^-?\d+(\.\d+)?$/, `plain number: ${cell}`);
  return Number(cell);
}

const sample = sampleResults();

describe('pointsCsv', () => {
  const text = pointsCsv(sample);
  const rows = records(text);

  it('has a stable header, then one row per point in the order measured', () => {
    assert.equal(
      text.split('\r\n')[0],
      'stack,workload,kind,model,instances,connections,rate,rep,durationMs,requests,rps,windowRps,errorRate,' +
        'errorsConnect,errorsReset,errorsTimeout,errorsStatus,errorsMalformed,p50Ms,p90Ms,p99Ms,p99.9Ms,maxMs,' +
        'serverCpuSeconds,cpuUsPerRequest,peakPssMiB,generatorCpuPercent,saturated,flags,' +
        'sweepFamily,sweepOp,sweepSize,sweepLabel,sweepImpl',
    );
    assert.equal(rows.length, sample.points.length);
    assert.ok(rows.length > 100, 'the fixture has many points');
  });

  it('holds every figure of every point, exactly', () => {
    sample.points.forEach((p, k) => {
      const r = rows[k]!;
      const at = `point ${k} (${p.stack} ${p.workload})`;
      assert.equal(r.stack, p.stack, at);
      assert.equal(r.workload, p.workload, at);
      assert.equal(r.kind, p.kind, at);
      assert.equal(r.model, p.model, at);
      assert.equal(num(r.instances), p.instances, at);
      assert.equal(num(r.connections), p.connections, at);
      assert.equal(num(r.rate), p.rate, at);
      assert.equal(num(r.rep), p.rep, at);
      assert.equal(num(r.durationMs), p.durationMs, at);
      assert.equal(num(r.requests), p.requests, at);
      assert.equal(num(r.rps), p.rps, at);
      assert.equal(num(r.windowRps), p.windowRps, at);
      assert.equal(num(r.errorRate), p.errorRate, at);
      assert.equal(num(r.errorsTimeout), p.errors.timeout, at);
      assert.equal(num(r.p50Ms), p.latency.percentilesMs['50'], at);
      assert.equal(num(r.p90Ms), p.latency.percentilesMs['90'], at);
      assert.equal(num(r.p99Ms), p.latency.percentilesMs['99'], at);
      assert.equal(num(r['p99.9Ms']), p.latency.percentilesMs['99.9'], at);
      assert.equal(num(r.maxMs), p.latency.maxMs, at);
      assert.equal(num(r.serverCpuSeconds), p.server.cpuSeconds, at);
      assert.equal(num(r.cpuUsPerRequest), p.server.cpuUsPerRequest, at);
      assert.equal(num(r.peakPssMiB), p.server.peakPssMiB, at);
      assert.equal(num(r.generatorCpuPercent), p.generator.cpuPercent, at);
      assert.equal(r.saturated, String(p.generator.saturated), at);
      assert.equal(r.flags, p.flags.join(';'), at);
      assert.equal(r.sweepLabel, '', at);
    });
    // The fixture's saturated point is there, flagged.
    assert.ok(rows.some((r) => r.saturated === 'true' && r.flags === 'generator-saturated'));
  });

  it('writes the errors by kind, several flags, an open-loop rate and a sweep point', () => {
    const r = structuredClone(sample);
    const p = r.points[0]!;
    Object.assign(p, { model: 'open', rate: 1234.5, errorRate: 0.0125 });
    p.errors = { connect: 1, reset: 2, timeout: 3, status: 4, malformed: 5 };
    p.flags = ['errors', 'not-idle'];
    p.sweep = { family: 'data', op: 'groupby', size: 200_000, label: 'groupby 200000', impl: 'arquero' };
    const [row] = records(pointsCsv(r));
    assert.deepEqual(
      [row!.errorsConnect, row!.errorsReset, row!.errorsTimeout, row!.errorsStatus, row!.errorsMalformed],
      ['1', '2', '3', '4', '5'],
    );
    assert.equal(row!.flags, 'errors;not-idle');
    assert.equal(row!.rate, '1234.5');
    assert.equal(row!.errorRate, '0.0125');
    assert.deepEqual(
      [row!.sweepFamily, row!.sweepOp, row!.sweepSize, row!.sweepLabel, row!.sweepImpl],
      ['data', 'groupby', '200000', 'groupby 200000', 'arquero'],
    );
  });
});

describe('headlineCsv', () => {
  const analysis = analysisOf(sample);
  const rows = records(headlineCsv(sample));

  it('has one row per workload x stack of the analysis, in its order', () => {
    const expected = analysis.workloads.flatMap((w) => w.stacks.map((s) => `${w.workload}/${s.stack}`));
    assert.deepEqual(
      rows.map((r) => `${r.workload}/${r.stack}`),
      expected,
    );
    assert.equal(
      Object.keys(rows[0]!).join(','),
      [
        'workload,stack,runtime,serverClass,status,reason,fix,winner,rpsMedian,rpsLow,rpsHigh,rpsN,p99Ms',
        'capacityRps,capacityLow,capacityHigh,capacityResolved,capacityLimitedBy,cpuUsPerRequest,peakPssMiB',
        'saturated,flags',
      ].join(','),
    );
  });

  it("holds the analysis' figures, exactly, and its reasons", () => {
    let k = 0;
    let capacities = 0;
    let openEnded = 0;
    for (const w of analysis.workloads) {
      for (const s of w.stacks) {
        const r = rows[k++]!;
        const at = `${w.workload} ${s.stack}`;
        assert.equal(r.status, s.status, at);
        assert.equal(r.reason, s.reason ?? '', at);
        assert.equal(r.winner, String(w.winner === s.stack), at);
        assert.equal(num(r.rpsMedian), s.rps?.median, at);
        assert.equal(num(r.rpsLow), s.rps?.low, at);
        assert.equal(num(r.rpsHigh), s.rps?.high, at);
        assert.equal(num(r.rpsN), s.rps?.n, at);
        assert.equal(num(r.p99Ms), s.p99Ms, at);
        assert.equal(num(r.capacityRps), s.capacity?.value, at);
        assert.equal(num(r.capacityLow), s.capacity?.low, at);
        assert.equal(num(r.capacityHigh), s.capacity?.high ?? undefined, at);
        assert.equal(r.capacityResolved, s.capacity ? String(s.capacity.resolved) : '', at);
        assert.equal(r.capacityLimitedBy, s.capacity?.limitedBy ?? '', at);
        assert.equal(num(r.cpuUsPerRequest), s.cpuUsPerRequest, at);
        assert.equal(num(r.peakPssMiB), s.peakPssMiB, at);
        assert.equal(r.flags, s.flags.join(';'), at);
        if (s.capacity) capacities++;
        if (s.capacity && s.capacity.high === null) openEnded++;
      }
    }
    assert.ok(capacities > 10, 'the fixture has capacities');
    assert.ok(openEnded > 0, 'and one without an upper bound (an empty capacityHigh)');
    // The crashed stack of the fixture has its reason, not figures.
    const crashed = rows.find((r) => r.stack === 'django-gunicorn' && r.workload === 'cpu');
    assert.ok(crashed && crashed.status !== 'measured' && crashed.reason !== '' && crashed.rpsMedian === '');
  });

  it('quotes a reason with a comma, a quote and a line break, and reads it back unchanged', () => {
    const r = structuredClone(sample);
    const reason = 'failed: got "500", expected 200\nsecond line\r\nthird, after CRLF';
    const figures = r.analysis!.workloads[0]!.stacks.at(-1)!;
    figures.reason = reason;
    const text = headlineCsv(r);
    assert.ok(
      text.includes('"failed: got ""500"", expected 200\nsecond line\r\nthird, after CRLF"'),
      'quoted, quotes doubled',
    );
    const row = records(text).find(
      (x) => x.workload === r.analysis!.workloads[0]!.workload && x.stack === figures.stack,
    );
    assert.equal(row!.reason, reason);
    // Each alone is enough to quote: a line break, a quote, a comma.
    for (const alone of ['line one\nline two', 'a "quoted" word', 'one, two']) {
      figures.reason = alone;
      const back = records(headlineCsv(r)).find((x) => x.stack === figures.stack && x.reason !== '');
      assert.equal(back!.reason, alone);
    }
  });

  it('uses the stored analysis, or computes one for a run without it', () => {
    const r = structuredClone(sample);
    delete r.analysis;
    assert.equal(headlineCsv(r), headlineCsv(sample));
  });
});

describe('numbers', () => {
  it('are plain: no thousands separators, no exponent, the same value read back', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [12345678.5, '12345678.5'],
      [1e-7, '0.0000001'],
      [-2.5e-8, '-0.000000025'],
      [1.25e-7, '0.000000125'],
      [1e21, '1000000000000000000000'],
      [1.5e22, '15000000000000000000000'],
      [0.1 + 0.2, '0.30000000000000004'],
    ];
    for (const [n, text] of cases) {
      assert.equal(plainNumber(n), text);
      assert.equal(Number(text), n);
    }
    assert.equal(plainNumber(Number.NaN), '');
    assert.equal(plainNumber(Infinity), '');
  });
});
