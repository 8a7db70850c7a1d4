// What a run holds its stacks to: the capacity search's p99 objective and error limit, and what follows from the
// objective (chat's grace for late deliveries). Built once, from the options, and carried in the plan.
import { DEFAULT_MAX_ERROR_RATE, DEFAULT_SLO_MS } from './suites.js';

export interface Objective {
  /** p99 within this, ms (a stream's own length is added to it: WorkloadDef.floorMs). */
  sloP99Ms: number;
  /** Errors at most this share of the requests. */
  maxErrorRate: number;
  /**
   * Chat: a delivery later than this after the window closes counts as dropped. Three times the SLO: a
   * delivery that late has long missed the objective, and one still on its way is not mistaken for a loss.
   */
  chatGraceMs: number;
}

export function objectiveOf(sloP99Ms = DEFAULT_SLO_MS, maxErrorRate = DEFAULT_MAX_ERROR_RATE): Objective {
  return { sloP99Ms, maxErrorRate, chatGraceMs: 3 * sloP99Ms };
}
