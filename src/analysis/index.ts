// analyze(results): the derived part of Results — per-workload estimates, comparisons, the winner, the verdicts on
// the article's claims and the recommendation. Pure and deterministic: the same Results give the same Analysis.
import type { Analysis, Results } from '../results/types.js';
import type { WorkloadId } from '../workloads.js';
import { CLAIMS } from './claims.js';
import { compareWorkload, type WorkloadComparisons } from './compare.js';
import { derive } from './derive.js';
import { recommend } from './recommend.js';
import { decide } from './verdicts.js';

export { agreement, type Agreement, type AgreementRow } from './agreement.js';
export { CLAIMS, type Claim } from './claims.js';

export function analyze(results: Results): Analysis {
  const d = derive(results);
  const cmps = new Map<WorkloadId, WorkloadComparisons>(
    d.workloads.map((w) => [w.workload, compareWorkload(w)]),
  );
  const verdicts = decide(results, d, CLAIMS);
  return {
    workloads: d.workloads.map((w) => {
      const c = cmps.get(w.workload)!;
      return {
        workload: w.workload,
        stacks: w.stacks.map((s) => ({
          stack: s.stack,
          ...(s.rps ? { rps: s.rps } : {}),
          ...(s.capacity ? { capacity: s.capacity.value } : {}),
          ...(s.p99Ms !== undefined ? { p99Ms: s.p99Ms } : {}),
          ...(s.cpuUsPerRequest !== undefined ? { cpuUsPerRequest: s.cpuUsPerRequest } : {}),
          ...(s.peakRssMiB !== undefined ? { peakRssMiB: s.peakRssMiB } : {}),
          flags: s.flags,
        })),
        ...(c.winner ? { winner: c.winner } : {}),
        comparisons: c.comparisons,
        ...(w.missing.length ? { missing: w.missing } : {}),
      };
    }),
    verdicts,
    recommendation: recommend(results, d, cmps, verdicts),
  };
}
