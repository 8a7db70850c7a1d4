// stackbench report: re-render report.md, report.html and the CSV exports (and print the summary) from a
// results.json, with the analysis recomputed by this version's src/analysis so an old run gets today's verdicts.
import { dirname, resolve } from 'node:path';
import { analyze } from '../../analysis/index.js';
import { applyGates, parseGate } from '../../gates/index.js';
import { gateExit } from '../finish.js';
import { ExitCode } from '../../errors.js';
import { loadResults, renderReports, terminalSummary } from '../../report/index.js';
import { prepareOutDir } from '../../results/store.js';
import { against, failOnRegression, thresholds } from '../../options/fields.js';
import { defineCommand } from '../command.js';
import { flagsOf, optionsFromFlags } from '../flags.js';

const GATE_FIELDS = { thresholds, against, failOnRegression };

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
    ...flagsOf(GATE_FIELDS),
    out: {
      type: 'string',
      value: 'DIR',
      help: "folder for the reports and CSV files (default: the results file's folder)",
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
    const o = optionsFromFlags(GATE_FIELDS, values) as {
      thresholds?: string[];
      against?: string;
      failOnRegression?: boolean;
    };
    const gate = applyGates(results, {
      gates: (o.thresholds ?? []).map((t) => parseGate(t, 'report')),
      against: o.against,
      failOnRegression: o.failOnRegression === true,
    });
    const outDir = resolve((values.out as string | undefined) ?? dirname(file));
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
