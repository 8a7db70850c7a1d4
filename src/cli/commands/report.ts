// stackbench report: re-render report.md, report.html and the CSV exports (and print the summary) from a
// results.json, with the analysis recomputed by this version's src/analysis so an old run gets today's verdicts.
import { dirname, resolve } from 'node:path';
import { agreement, analyze } from '../../analysis/index.js';
import { ExitCode } from '../../errors.js';
import { loadResults, renderReports, terminalSummary } from '../../report/index.js';
import { prepareOutDir } from '../../results/store.js';
import { defineCommand } from '../command.js';

export const reportCommand = defineCommand({
  name: 'report',
  summary: 're-render report.md, report.html and the CSV exports from a results.json',
  operands: 'RESULTS.json',
  positionals: 'one',
  about:
    'Re-renders report.md, report.html, points.csv and headline.csv from a results file written by `stackbench\n' +
    'run` (the analysis and verdicts are recomputed from the measured points), and prints the summary. Nothing is\n' +
    'measured.',
  flags: {
    out: {
      type: 'string',
      value: 'DIR',
      help: "folder for the reports and CSV files (default: the results file's folder)",
    },
    against: {
      type: 'string',
      value: 'BASELINE.json',
      help: "an earlier results.json: every headline figure and ratio of this run is tested against the\nearlier run's (a two-sample interval on the difference): a ratio outside is noisy, a figure that got\nworse a regression",
    },
  },
  footer: 'Exit 0 on success, 2 when the file is not a results file of this version or DIR is not writable.',
  async run(values, operand) {
    const file = resolve(operand!);
    const results = loadResults(file);
    results.analysis = analyze(results);
    if (values.against !== undefined) {
      const baseline = resolve(values.against);
      const a = agreement(loadResults(baseline), results);
      results.analysis.agreement = {
        against: baseline,
        summary: a.summary,
        rows: a.rows.map((r) => ({ kind: r.kind, verdict: r.verdict, text: r.text })),
      };
    }
    const outDir = resolve(values.out ?? dirname(file));
    prepareOutDir(outDir);
    const files = renderReports(results, outDir);
    process.stdout.write(terminalSummary(results) + '\n\n');
    process.stdout.write(
      Object.values(files)
        .map((f) => `wrote ${f}\n`)
        .join(''),
    );
    return ExitCode.ok;
  },
});
