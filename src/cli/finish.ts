// The end of run and compare, as the terminal sees it: the summary (or the JSON document), what the gates said,
// where the files are — and the exit code: 3 for a failed gate, 1 for a stack that crashed or failed to start,
// a failed verification or a dead service, an interruption as the error it is.
import { ExitCode, StackbenchError } from '../errors.js';
import type { GateOutcome } from '../gates/index.js';
import type { Results } from '../results/types.js';

export const gateExit = (failed: boolean, otherwise: number) => (failed ? ExitCode.threshold : otherwise);

export function finishRun(
  out: { results: Results; outDir: string; gates: GateOutcome },
  how: { json: boolean; summary: (r: Results) => string; files: string },
): number {
  const { results, outDir, gates } = out;
  if (how.json) process.stdout.write(JSON.stringify(results) + '\n');
  else {
    process.stdout.write(how.summary(results) + '\n');
    if (gates.lines.length) process.stdout.write('\n' + gates.lines.map((l) => `  ${l}`).join('\n') + '\n');
    process.stdout.write(
      `\nresults: ${outDir}/results.json\nreport:  ${outDir}/report.html (${how.files})\n`,
    );
  }
  if (results.status === 'interrupted') throw new StackbenchError('SB_INTERRUPTED');
  return gateExit(gates.failed, results.failures.length ? ExitCode.failure : ExitCode.ok);
}
