// The split-cost study, run back to back: `stackbench run --scaling only` K times with the same stacks and
// workloads, then per stack, workload and N the CPU per request at N over at 1 from each run (with its
// interval), how far the runs are from their mean (the largest |run / mean - 1|: the bar is ±10 %), and each
// run's verdict on the horizontal-scaling claim. What the study's figures are worth on this machine, not a timed test.
// Usage: node dist/bench/scaling-split.js [runs=3] [stacks=default] [workloads=json,io,chat] [earlier,folders]
// (earlier results folders of the same command count as its first runs: a run is minutes long). A run that exits
// 1 with its results complete (a stack failed a check: said in its failures) counts; its failures are listed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../src/results/types.js';
import { fmt, publish, table } from './lib/report.js';
import { ROOT } from './lib/tools.js';

const runs = Number(process.argv[2] ?? 3);
const stacks = process.argv[3];
const workloads = process.argv[4] ?? 'json,io,chat';
const earlier = process.argv[5]?.split(',').filter(Boolean) ?? [];

const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
const seconds = (res: Results) =>
  (Date.parse(res.finishedAt ?? res.startedAt) - Date.parse(res.startedAt)) / 1000;
const results: Array<{ res: Results; seconds: number }> = earlier.map((dir) => {
  const res = read(dir);
  return { res, seconds: seconds(res) };
});
for (let k = results.length; k < runs; k++) {
  const out = mkdtempSync(join(tmpdir(), 'sb-split-'));
  const args = ['bin/stackbench.js', 'run', '--scaling', 'only', '--workloads', workloads, '--out', out];
  if (stacks) args.push('--stacks', stacks);
  const t0 = Date.now();
  // The run's progress lines (each step with its elapsed seconds) pass through: where the time goes.
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const res = r.status === 0 || r.status === 1 ? read(out) : undefined;
  if (!res || res.status !== 'complete')
    throw new Error(`run ${k + 1} failed (exit ${r.status}): its messages are above, its folder ${out}`);
  results.push({ res, seconds: (Date.now() - t0) / 1000 });
  process.stderr.write(`run ${k + 1}/${runs} (${out}): ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

const rows: Array<Array<string | number>> = [];
const agree: string[] = [];
const apart: string[] = [];
const curves = results.map((x) => x.res.analysis!.split);
for (const c of curves[0]!) {
  for (const step of c.steps.filter((s) => s.n > 1)) {
    const same = curves.map((cs) =>
      cs.find((x) => x.stack === c.stack && x.workload === c.workload)?.steps.find((s) => s.n === step.n),
    );
    const values = same.map((s) => s?.ratio.value ?? NaN);
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const spread = Math.max(...values.map((v) => Math.abs(v / mean - 1)));
    if (Number.isFinite(spread)) (spread <= 0.1 ? agree : apart).push(`${c.workload} ${c.stack} x${step.n}`);
    const one = c.steps.find((s) => s.n === 1)!;
    rows.push([
      c.workload,
      c.stack,
      step.n,
      fmt(one.usPerRequest, 0),
      ...same.map((s) =>
        s ? `${fmt(s.ratio.value, 2)} (${fmt(s.ratio.low, 2)}–${fmt(s.ratio.high, 2)})` : '—',
      ),
      Number.isFinite(spread) ? `±${fmt(spread * 100, 0)} %` : 'n/a',
      `${fmt(one.rounds, 0)}`,
    ]);
  }
}
const verdicts = results.map((x) => {
  const v = x.res.analysis!.verdicts.find((y) => y.claim === 'horizontal-scaling')!;
  return v.headline.text; // "undecided — ...": it begins with the verdict
});
const md = [
  `# Split cost, ${runs} runs back to back`,
  '',
  `\`node dist/bench/scaling-split.js ${process.argv.slice(2).join(' ')}\` — each run \`stackbench run --scaling only --workloads ${workloads}${stacks ? ` --stacks ${stacks}` : ''}\` (quick suite: ${results[0]!.res.config.scaling?.split?.text ?? ''}).`,
  '',
  table(
    [
      'workload',
      'stack',
      'N',
      'µs/request at 1 (run 1)',
      ...results.map((_, k) => `at N / at 1, run ${k + 1}`),
      'from the mean',
      'rounds (run 1)',
    ],
    rows,
  ),
  '',
  `Within ±10 % of their mean: ${agree.length} of ${agree.length + apart.length} ratios${apart.length ? ` (not: ${apart.join(', ')})` : ''}.`,
  '',
  ...verdicts.map((v, k) => `- run ${k + 1} (${results[k]!.seconds.toFixed(0)} s): ${v}`),
  ...results.flatMap((x, k) => x.res.failures.map((f) => `- run ${k + 1} failure: ${f}`)),
].join('\n');
publish('scaling-split', md);
