// stackbench report: re-render report.md and report.html (and print the summary) from a results.json, with the
// analysis recomputed by this version's src/analysis so an old run gets today's verdicts.
import { dirname, resolve } from 'node:path';
import { agreement, analyze } from '../../analysis/index.js';
import { ExitCode } from '../../errors.js';
import {
  htmlReport,
  loadResults,
  markdownReport,
  terminalSummary,
  writeFileAtomic,
} from '../../report/index.js';
import { prepareOutDir } from '../../results/store.js';
import { defineCommand } from '../command.js';

export const reportCommand = defineCommand({
  name: 'report',
  summary: 're-render report.md and report.html from a results.json',
  operands: 'RESULTS.json',
  positionals: 'one',
  about:
    'Re-renders report.md and report.html from a results file written by `stackbench run` (the analysis and\n' +
    'verdicts are recomputed from the measured points), and prints the summary. Nothing is measured.',
  flags: {
    out: {
      type: 'string',
      value: 'DIR',
      help: "folder for report.md and report.html (default: the results file's folder)",
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
    const md = writeFileAtomic(outDir, 'report.md', markdownReport(results));
    const html = writeFileAtomic(outDir, 'report.html', htmlReport(results));
    process.stdout.write(terminalSummary(results) + '\n\n');
    process.stdout.write(`wrote ${md}\nwrote ${html}\n`);
    return ExitCode.ok;
  },
});
