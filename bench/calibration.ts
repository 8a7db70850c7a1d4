// Do the intervals cover what they claim? k repeated quick runs (k >= 4) of a subset of stacks and workloads, one
// after the other on a quiet machine; then, for every ordered pair of runs, each headline ratio and figure of the
// later run tested against the earlier one (src/analysis/agreement.ts: a two-sample 95 % interval on the
// difference). Coverage = the share that agree; the goal is >= 90 % for 95 % intervals, and the same verdicts in
// every run. It also estimates the between-run noise the intervals must fold in (RPS_RUN_NOISE,
// CAPACITY_RUN_NOISE in src/analysis/stats.ts): the spread of each figure across the runs beyond what its own
// repetitions or bracket account for.
// Usage: node dist/bench/calibration.js [runs=4] [stacks=node-http,fastify,fastapi-uvicorn,flask-gunicorn] [workloads=json,io,db,chat]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agreement } from '../src/analysis/agreement.js';
import { analyze } from '../src/analysis/index.js';
import { median } from '../src/analysis/stats.js';
import type { Results } from '../src/results/types.js';
import { publish, table } from './lib/report.js';
import { ROOT } from './lib/tools.js';

const runs = Number(process.argv[2] ?? 4);
const stacks = process.argv[3] ?? 'node-http,fastify,fastapi-uvicorn,flask-gunicorn';
const workloads = process.argv[4] ?? 'json,io,db,chat';

const done: Array<{ results: Results; seconds: number }> = [];
// CALIBRATION_DIRS=a,b,c,d re-reads earlier runs' results (the analysis is recomputed): a change to the
// intervals is checked against the same measurements.
const again = process.env.CALIBRATION_DIRS?.split(',');
for (const dir of again ?? []) {
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
  results.analysis = analyze(results);
  done.push({
    results,
    seconds: (Date.parse(results.finishedAt ?? '') - Date.parse(results.startedAt)) / 1000,
  });
}
for (let i = 0; i < (again ? 0 : runs); i++) {
  const dir = mkdtempSync(join(tmpdir(), `sb-calibration-${i + 1}-`));
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin/stackbench.js'),
      'run',
      '--stacks',
      stacks,
      '--workloads',
      workloads,
      '--scaling',
      'off',
      '--out',
      dir,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`run ${i + 1} exited with ${r.status}`);
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
  results.analysis = analyze(results);
  done.push({ results, seconds: (Date.now() - t0) / 1000 });
  console.error(`run ${i + 1} of ${runs}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

// Coverage over every ordered pair (earlier as the baseline).
const ratio = { agree: 0, total: 0 };
const figure = { agree: 0, total: 0 };
const byMetric = new Map<string, { agree: number; total: number }>();
for (let i = 0; i < done.length; i++) {
  for (let j = i + 1; j < done.length; j++) {
    const a = agreement(done[i]!.results, done[j]!.results);
    for (const r of a.rows) {
      if (r.verdict === 'bounds' || r.verdict === 'missing') continue;
      const ok = r.verdict === 'agrees';
      const bucket = r.kind === 'ratio' ? ratio : figure;
      bucket.total++;
      if (ok) bucket.agree++;
      const key = `${r.kind} ${r.metric}`;
      const m = byMetric.get(key) ?? { agree: 0, total: 0 };
      m.total++;
      if (ok) m.agree++;
      byMetric.set(key, m);
    }
  }
}

// The between-run spread of each figure (log scale): what the intervals' run-noise terms must cover.
function spread(metric: 'rps' | 'capacity') {
  const rows: number[] = [];
  const first = done[0]!.results.analysis!;
  for (const w of first.workloads) {
    for (const s of w.stacks.filter((x) => x.status === 'measured')) {
      const values = done
        .map((d) =>
          d.results
            .analysis!.workloads.find((x) => x.workload === w.workload)
            ?.stacks.find((x) => x.stack === s.stack),
        )
        .map((f) =>
          metric === 'rps'
            ? f?.rps?.median
            : f?.capacity && f.capacity.high !== null
              ? Math.sqrt(f.capacity.low * f.capacity.high)
              : undefined,
        )
        .filter((v): v is number => v !== undefined && v > 0);
      if (values.length < 3) continue;
      const logs = values.map(Math.log);
      const mean = logs.reduce((x, y) => x + y, 0) / logs.length;
      const sd = Math.sqrt(logs.reduce((x, y) => x + (y - mean) ** 2, 0) / (logs.length - 1));
      rows.push(sd);
    }
  }
  return rows;
}
const rpsSd = spread('rps');
const capSd = spread('capacity');
const pct = (x: { agree: number; total: number }) =>
  x.total ? `${((100 * x.agree) / x.total).toFixed(1)}%` : '-';

const first = done[0]!.results;
const md: string[] = [
  `#### Calibration: ${done.length} quick runs of ${first.config.stacks.join(',')} on ${first.config.workloads.join(',')}, every pair compared`,
  '',
  table(
    ['what', 'agree / compared', 'coverage (goal >= 90 %)'],
    [
      ['ratios (rps and capacity)', `${ratio.agree} / ${ratio.total}`, pct(ratio)],
      ['figures (a stack on a workload)', `${figure.agree} / ${figure.total}`, pct(figure)],
      ...[...byMetric].map(([k, v]) => [`  ${k}`, `${v.agree} / ${v.total}`, pct(v)]),
    ],
  ),
  '',
  `Between-run spread (log-scale SD of one figure across the ${done.length} runs, median over figures): throughput ${(100 * median(rpsSd)).toFixed(1)} %, capacity ${(100 * median(capSd)).toFixed(1)} % (the intervals fold in RPS_RUN_NOISE and CAPACITY_RUN_NOISE, src/analysis/stats.ts).`,
  '',
  '#### Verdicts in every run',
  '',
  table(
    ['claim', ...done.map((_, i) => `run ${i + 1}`), 'same'],
    done[0]!.results.analysis!.verdicts.map((v) => {
      const all = done.map(
        (d) => d.results.analysis!.verdicts.find((x) => x.claim === v.claim)?.verdict ?? '-',
      );
      return [v.claim, ...all, all.every((x) => x === all[0]) ? 'yes' : 'NO'];
    }),
  ),
  '',
  `Wall time per run: ${done.map((d) => `${Math.round(d.seconds)} s`).join(', ')}.`,
];
publish('calibration', md.join('\n'));
