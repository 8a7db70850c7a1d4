// A checked config file as a job's options: its keys are the user's words (slo, duration: "10s", connections),
// the options the library's (sloP99Ms, durationMs, connections as levels). The command layers the flags on top
// (options/consolidate.ts); what the file leaves out stays out, so the job's defaults apply.
import type { CompareSettings, RunSettings } from '../options/index.js';
import { parseDuration } from '../options/units.js';
import type { ResolvedConfig } from './load.js';

/** What run and compare take alike from a file. */
function common(c: ResolvedConfig) {
  return {
    suite: c.suite,
    sloP99Ms: c.slo,
    ...(c.duration !== undefined ? { durationMs: parseDuration(c.duration) } : {}),
    ...(c.connections !== undefined ? { connections: [c.connections] } : {}),
    ...(c.thresholds.length ? { thresholds: c.thresholds } : {}),
    against: c.against,
    ...(c.failOnRegression ? { failOnRegression: true } : {}),
  };
}

export function runSettingsOf(c: ResolvedConfig | undefined): RunSettings {
  if (!c) return {};
  return { ...common(c), ...(c.stacks.length ? { userStacks: c.stacks } : {}) };
}

export function compareSettingsOf(c: ResolvedConfig | undefined): CompareSettings {
  if (!c) return {};
  return { ...common(c), ...(c.allowRemote.length ? { allowRemote: c.allowRemote } : {}) };
}
