// stackbench report: re-render report.md and report.html (and print the summary) from a results.json, with the
// analysis recomputed by this version's src/analysis so an old run gets today's verdicts.
import { dirname, resolve } from 'node:path';
import { agreement, analyze } from '../../analysis/index.js';
import { ExitCode, StackbenchError } from '../../errors.js';
import {
  htmlReport,
  loadResults,
  markdownReport,
  terminalSummary,
  writeFileAtomic,
} from '../../report/index.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: stackbench report RESULTS.json [--out DIR] [--against BASELINE.json]

Re-renders report.md and report.html from a results file written by \`stackbench run\` (the analysis and verdicts
are recomputed from the measured points), and prints the summary. Nothing is measured.
Exit 0 on success, 2 when the file is not a results file of this version or DIR is not writable.

  --out       folder for report.md and report.html (default: the results file's folder)
  --against   an earlier results.json: each headline ratio of this run is checked against the earlier run's
              95% interval, and the ones outside are called noisy in every report`;

export const reportCommand: Command = {
  name: 'report',
  summary: 're-render report.md and report.html from a results.json',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      'report',
      argv,
      { out: { type: 'string' }, against: { type: 'string' } },
      true,
    );
    if (positionals.length !== 1) {
      throw new StackbenchError(
        'SB_BAD_FLAG',
        [
          positionals.length
            ? `expected one results file, got ${positionals.length}`
            : 'missing RESULTS.json',
        ],
        ['report'],
      );
    }
    const file = resolve(positionals[0]!);
    const results = loadResults(file);
    results.analysis = analyze(results);
    if (values.against !== undefined) {
      const baseline = resolve(values.against);
      const a = agreement(loadResults(baseline), results);
      results.analysis.agreement = {
        against: baseline,
        summary: a.summary,
        rows: a.rows.map((r) => ({ text: r.text, agrees: r.agrees })),
      };
    }
    const outDir = resolve(values.out ?? dirname(file));
    const md = writeFileAtomic(outDir, 'report.md', markdownReport(results));
    const html = writeFileAtomic(outDir, 'report.html', htmlReport(results));
    process.stdout.write(terminalSummary(results) + '\n\n');
    process.stdout.write(`wrote ${md}\nwrote ${html}\n`);
    return ExitCode.ok;
  },
};
