// Writing the run's reports: results.json, report.md, report.html, points.csv and headline.csv, each atomically
// (src/results/store.ts).
import type { Results } from '../results/types.js';
import { writeFileAtomic, writeResultsAtomic } from '../results/store.js';
import { headlineCsv, pointsCsv } from './csv.js';
import { htmlReport } from './html.js';
import { markdownReport } from './markdown.js';

export { headlineCsv, pointsCsv } from './csv.js';
export { htmlReport } from './html.js';
export { markdownReport } from './markdown.js';
export { terminalSummary } from './terminal.js';
export { loadResults, writeFileAtomic, writeResultsAtomic } from '../results/store.js';

export interface ReportFiles {
  json: string;
  md: string;
  html: string;
  pointsCsv: string;
  headlineCsv: string;
}

/** results.json, report.md, report.html and the CSV exports; returns their paths. */
export function writeReports(results: Results, outDir: string): ReportFiles {
  return {
    json: writeResultsAtomic(results, outDir),
    ...renderReports(results, outDir),
  };
}

/** What `stackbench report` re-writes from a results file: everything but results.json itself. */
export function renderReports(results: Results, outDir: string): Omit<ReportFiles, 'json'> {
  return {
    md: writeFileAtomic(outDir, 'report.md', markdownReport(results)),
    html: writeFileAtomic(outDir, 'report.html', htmlReport(results)),
    pointsCsv: writeFileAtomic(outDir, 'points.csv', pointsCsv(results)),
    headlineCsv: writeFileAtomic(outDir, 'headline.csv', headlineCsv(results)),
  };
}
