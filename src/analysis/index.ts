// analyze(results): the derived part of Results — per workload every stack's figures (or why it has none), the
// comparisons, the winner, the verdicts on the article's claims and the recommendation. Pure and deterministic:
// the same Results give the same Analysis, also for a run still being written. Reporters read only this.
import type { Analysis, Results } from '../results/types.js';
import type { WorkloadId } from '../workloads.js';
import { CLAIMS } from './claims.js';
import { compareSummary } from './compare-summary.js';
import { crossovers } from './crossover.js';
import { compareWorkload, type WorkloadComparisons } from './compare.js';
import { derive } from './derive.js';
import { recommend } from './recommend.js';
import { scalingCurves } from './scaling.js';
import { splitCurves } from './split.js';
import { decide } from './verdicts.js';

export { agreement, type Agreement, type AgreementRow } from './agreement.js';
export { CLAIMS, type Claim } from './claims.js';

export function analyze(results: Results): Analysis {
  const d = derive(results);
  const cmps = new Map<WorkloadId, WorkloadComparisons>(
    d.workloads.map((w) => [w.workload, compareWorkload(w)]),
  );
  // compare measures the user's services, not the article's claims: no verdicts, its own summary.
  const lab = results.config.compare === undefined;
  const verdicts = lab ? decide(results, d, CLAIMS) : [];
  return {
    workloads: d.workloads.map((w) => {
      const c = cmps.get(w.workload)!;
      return {
        workload: w.workload,
        stacks: w.stacks,
        ...(c.winner ? { winner: c.winner } : {}),
        comparisons: c.comparisons,
        runtimes: c.runtimes,
      };
    }),
    verdicts,
    recommendation: lab ? recommend(results, d, cmps, verdicts) : compareSummary(results, d),
    scaling: scalingCurves(results),
    split: splitCurves(results),
    crossover: crossovers(results),
  };
}

/** The analysis a reporter reads: the one stored with the results, or a fresh one (a run still being written). */
export function analysisOf(results: Results): Analysis {
  return results.analysis ?? analyze(results);
}
