// The lab's own benchmark: `stackbench run` (quick suite: all stacks and workloads, the sweep, the scaling
// study) twice, one after the other. Records each run's wall time (bar: at most 8 minutes), how well each
// capacity search ended (bracket within 10 %, no probe limit without a ceiling), and whether the second run's
// headline ratios agree with the first's by a two-sample test (src/analysis/agreement.ts).
// Usage: node dist/bench/lab-quick.js [runs=2]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agreement } from '../src/analysis/index.js';
import type { Results } from '../src/results/types.js';
import { publish, table } from './lib/report.js';
import { ROOT } from './lib/tools.js';

const runs = Number(process.argv[2] ?? 2);
const done: Array<{ results: Results; seconds: number; dir: string }> = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), `sb-lab-quick-${i + 1}-`));
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bin/stackbench.js'), 'run', '--suite', 'quick', '--out', dir],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const seconds = (Date.now() - t0) / 1000;
  process.stderr.write(`run ${i + 1}: ${Math.round(seconds)} s, exit ${r.status}, ${dir}\n`);
  if (r.status !== 0 && r.status !== 1) throw new Error(`run ${i + 1} exited with ${r.status}`);
  done.push({
    results: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results,
    seconds,
    dir,
  });
}

const mmss = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
const md: string[] = ['#### `stackbench run` (quick suite): wall time', ''];
md.push(
  table(
    [
      'run',
      'wall time',
      'points',
      'stacks measured',
      'capacities',
      'bracket > 10 %',
      'no ceiling (why)',
      'bar (<= 8 min)',
    ],
    done.map((d, i) => {
      const main = d.results.capacities.filter((c) => !c.deployment);
      const wide = main.filter((c) => c.high !== null && c.low > 0 && c.high / c.low > 1.1);
      const open = main.filter((c) => c.high === null);
      const why = [...new Set(open.map((c) => c.limitedBy))].join(', ');
      return [
        i + 1,
        mmss(d.seconds),
        d.results.points.length,
        new Set(d.results.points.map((p) => p.stack)).size,
        main.length,
        wide.length,
        `${open.length}${open.length ? ` (${why})` : ''}`,
        d.seconds <= 480 ? 'met' : 'MISSED',
      ];
    }),
  ),
);
const first = done[0]!.results;
md.push('', '#### Verdicts', '');
md.push(
  table(
    ['claim', ...done.map((_, i) => `run ${i + 1}`)],
    (first.analysis?.verdicts ?? []).map((v) => [
      v.claim,
      ...done.map((d) => d.results.analysis?.verdicts.find((x) => x.claim === v.claim)?.verdict ?? '-'),
    ]),
  ),
);
if (done.length >= 2) {
  const a = agreement(first, done[1]!.results);
  md.push('', `#### Agreement: run 2 against run 1 (two-sample test of each ratio) — ${a.summary}`, '');
  md.push(
    table(
      ['workload', 'metric', 'pair', 'run 1 (repeat within)', 'run 2', 'verdict'],
      a.rows
        .filter((r) => r.kind === 'ratio')
        .map((r) => [
          r.workload,
          r.metric,
          `${r.a} / ${r.b}`,
          `${r.baseline.toFixed(2)} (${r.predicted ? `${r.predicted[0].toFixed(2)}–${r.predicted[1].toFixed(2)}` : '-'})`,
          r.current === undefined ? '-' : r.current.toFixed(2),
          r.verdict,
        ]),
    ),
  );
}
publish('lab-quick', md.join('\n'));
