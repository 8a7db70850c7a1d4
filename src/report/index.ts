// Writing the run's reports: results.json, report.md and report.html, each atomically (src/results/store.ts).
import type { Results } from '../results/types.js';
import { writeFileAtomic, writeResultsAtomic } from '../results/store.js';
import { htmlReport } from './html.js';
import { markdownReport } from './markdown.js';

export { htmlReport } from './html.js';
export { markdownReport } from './markdown.js';
export { terminalSummary } from './terminal.js';
export { loadResults, writeFileAtomic, writeResultsAtomic } from '../results/store.js';

/** results.json, report.md and report.html; returns their paths. */
export function writeReports(results: Results, outDir: string): { json: string; md: string; html: string } {
  return {
    json: writeResultsAtomic(results, outDir),
    md: writeFileAtomic(outDir, 'report.md', markdownReport(results)),
    html: writeFileAtomic(outDir, 'report.html', htmlReport(results)),
  };
}
