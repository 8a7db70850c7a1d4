// stackbench report: re-render report.md, report.html and the CSV exports (and print the summary) from a
// results.json, with the analysis recomputed by this version's src/analysis so an old run gets today's verdicts.
import { dirname, resolve } from 'node:path';
import { analyze } from '../../analysis/index.js';
import { applyGates, gateExit, parseGate } from '../gates.js';
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
    'fail-on-regression': {
      type: 'boolean',
      help: 'with --against: exit 3 when a figure got significantly worse',
    },
    threshold: {
      type: 'string',
      multiple: true,
      value: 'T',
      help: 'exit 3 unless T holds (as `run --threshold`: p99<50ms, "NAME:capacity>5000", ...)',
    },
    verbose: {
      type: 'boolean',
      help: "the full summary: every table and every verdict's summary (default: one line per claim)",
    },
  },
  footer:
    'Exit 0 on success, 2 when the file is not a results file of this version or DIR is not writable, 3 when a\nthreshold or --fail-on-regression failed.',
  async run(values, operand) {
    const file = resolve(operand!);
    const results = loadResults(file);
    results.analysis = analyze(results);
    const gate = applyGates(results, {
      gates: (values.threshold ?? []).map((t) => parseGate(t, 'report')),
      against: values.against,
      failOnRegression: values['fail-on-regression'] === true,
    });
    const outDir = resolve(values.out ?? dirname(file));
    prepareOutDir(outDir);
    const files = renderReports(results, outDir);
    process.stdout.write(terminalSummary(results, { verbose: values.verbose === true }) + '\n\n');
    if (gate.lines.length) process.stdout.write(gate.lines.map((l) => `  ${l}`).join('\n') + '\n\n');
    process.stdout.write(
      Object.values(files)
        .map((f) => `wrote ${f}\n`)
        .join(''),
    );
    return gateExit(gate.failed, ExitCode.ok);
  },
});
