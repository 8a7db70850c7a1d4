// The agents' parts merged into one LoadResult, the shape every consumer already takes: histograms exactly
// (bucket for bucket what one process would have recorded), counts, errors and pacing summed, the intended
// rate the global one. Saturation is judged per agent — its own health, a start later than the clock bound,
// agents on one host whose cores were full together — and any one limits the merged figure. A lost agent's
// share is counted as intended and unsent, and the figure is flagged: never a silently lower rate.
import { mergeTimelines } from '../engine/timeline.js';
import { assessHealth } from '../engine/health.js';
import { encodeHistogram, mergeEncoded, summarize } from '../engine/histogram.js';
import { noErrors } from '../engine/result.js';
import type {
  AgentFigures,
  ErrorKind,
  LoadOptions,
  LoadResult,
  Pacing,
  RequestFigures,
  WsCounts,
} from '../engine/types.js';
import type { OffsetEstimate } from './clock.js';
import type { AgentReport, Hello } from './protocol.js';

/** What the coordinator knows of one agent after a probe. */
export interface AgentOutcome {
  index: number;
  label: string;
  hello?: Hello;
  clock?: OffsetEstimate;
  /** Its share: connections (HTTP) and the open-loop requests of the window (split.ts). */
  connections: number;
  intended: number;
  report?: AgentReport;
  /** Why and when it was lost, in words. */
  lost?: string;
}

/** The cores of agents on one host (same boot id, overlapping cpus) count as full above this share. */
const SHARED_CPU_LIMIT = 0.9;

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export function mergeOutcomes(opts: LoadOptions, outcomes: AgentOutcome[], startLimitMs: number): LoadResult {
  const parts = outcomes.filter((o) => o.report).map((o) => o.report!.result);
  const hist = mergeEncoded(parts.map((r) => r.histogram));
  const pacing = sumPacing(outcomes);
  const sum = (f: (r: LoadResult) => number) => parts.reduce((a, r) => a + f(r), 0);
  const errors = noErrors();
  const statusCodes: Record<string, number> = {};
  for (const r of parts) {
    for (const k of Object.keys(errors) as ErrorKind[]) errors[k] += r.errors[k];
    for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  }
  const agents = judgeAgents(outcomes, startLimitMs);
  const result: LoadResult = {
    url: opts.url,
    model: opts.model,
    connections: Math.floor(opts.connections),
    durationMs: Math.max(0, ...parts.map((r) => r.durationMs)),
    requests: sum((r) => r.requests),
    // The agents' windows coincide (one start): rates over the same window add.
    rps: sum((r) => r.rps),
    windowRps: sum((r) => r.windowRps),
    bytesRead: sum((r) => r.bytesRead),
    statusCodes,
    errors,
    latency: summarize(hist),
    histogram: encodeHistogram(hist),
    generator: mergedHealth(opts, parts, agents, pacing),
    agents,
  };
  hist.destroy();
  if (opts.model === 'open') result.pacing = pacing;
  if (parts.some((r) => r.interrupted) || outcomes.some((o) => o.lost)) result.interrupted = true;
  const ws = mergeWs(parts);
  if (ws) result.ws = ws;
  const per = mergePerRequest(parts);
  if (per) result.perRequest = per;
  const timeline = mergeTimeline(parts);
  if (timeline) result.timeline = timeline;
  return result;
}

/** Intended: every agent's planned share (the lost ones' too); sent: what the others report. */
function sumPacing(outcomes: AgentOutcome[]): Pacing {
  const p: Pacing = { intended: 0, sent: 0, lateSends: 0, queuedSends: 0, unsent: 0 };
  for (const o of outcomes) {
    p.intended += o.intended;
    const q = o.report?.result.pacing;
    if (!q) continue;
    p.sent += q.sent;
    p.lateSends += q.lateSends;
    p.queuedSends += q.queuedSends;
  }
  p.unsent = Math.max(0, p.intended - p.sent);
  return p;
}

function judgeAgents(outcomes: AgentOutcome[], startLimitMs: number): AgentFigures[] {
  const figures = outcomes.map((o) => agentFigures(o, startLimitMs));
  // Agents on one host whose cores overlap share them: each one's CPU alone can look fine while together they
  // filled the cores (three local agents on one generator core).
  const groups = new Map<string, number[]>();
  for (const o of outcomes) {
    if (!o.hello || !o.report) continue;
    const key = `${o.hello.bootId}/${[...o.hello.cpus].sort((a, b) => a - b).join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), o.index]);
  }
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const cores = outcomes[members[0]!]!.hello!.cpus.length || 1;
    const cpu = members.reduce((a, k) => a + figures[k]!.cpuPercent, 0);
    if (cpu < SHARED_CPU_LIMIT * 100 * cores) continue;
    const why = `agents ${members.join(', ')} share ${cores} core${cores === 1 ? '' : 's'} of one host and used ${Math.round(cpu)}% of ${cores * 100}% together`;
    for (const k of members) flag(figures[k]!, why);
  }
  return figures;
}

function flag(f: AgentFigures, why: string): void {
  f.saturated = true;
  f.reason = f.reason ? `${f.reason}; ${why}` : why;
}

/** What an agent's own report says: its counts, CPU, histogram and health (an agent without one: nothing). */
function reported(report: AgentReport | undefined) {
  if (!report) {
    const none = {
      sent: 0,
      achievedRps: 0,
      cpuPercent: 0,
      count: 0,
      histogram: '',
      saturated: false,
      reason: '',
    };
    return { ...none, startLateMs: null, monoStartMs: null };
  }
  const r = report.result;
  return {
    startLateMs: report.startLateMs,
    monoStartMs: report.monoStartMs,
    sent: r.pacing?.sent ?? 0,
    achievedRps: r.generator.achievedRps,
    cpuPercent: r.generator.cpuPercent,
    count: r.latency.count,
    histogram: r.histogram,
    saturated: r.generator.saturated,
    reason: r.generator.reason,
  };
}

function agentFigures(o: AgentOutcome, startLimitMs: number): AgentFigures {
  const c = o.clock;
  const f: AgentFigures = {
    index: o.index,
    agent: o.label,
    host: o.hello?.host ?? '',
    rttMs: c ? round(c.rttMs, 3) : null,
    offsetMs: c ? round(c.offsetMs, 3) : null,
    offsetBoundMs: c ? round(c.boundMs, 3) : null,
    connections: o.connections,
    intended: o.intended,
    ...reported(o.report),
  };
  if (o.lost) {
    f.lost = o.lost;
    flag(f, `lost ${o.lost}`);
  }
  const late = f.startLateMs;
  if (late !== null && late > startLimitMs)
    flag(
      f,
      `its traffic began ${round(late)} ms late, past the +-${round(startLimitMs)} ms a shared start allows`,
    );
  return f;
}

function mergedHealth(
  opts: LoadOptions,
  parts: LoadResult[],
  agents: AgentFigures[],
  pacing: Pacing,
): LoadResult['generator'] {
  const sum = (f: (r: LoadResult) => number) => parts.reduce((a, r) => a + f(r), 0);
  // The rate rules on the whole schedule; CPU is judged per agent (above), so it is left out here.
  const whole = assessHealth({
    model: opts.model,
    ...(/^ws:/i.test(opts.url) ? { unit: 'msg' as const } : {}),
    cpuPercent: 0,
    cores: 1,
    threads: 1,
    connections: Math.floor(opts.connections),
    intendedRps: opts.model === 'open' ? opts.rate : undefined,
    achievedRps: sum((r) => r.generator.achievedRps),
    pacing,
  });
  const limited = agents.filter((a) => a.saturated);
  const reasons = limited.map((a) => `agent ${a.index} (${a.agent}): ${a.reason}`);
  if (whole.saturated) reasons.unshift(whole.reason);
  return {
    ...whole,
    cpuPercent: round(sum((r) => r.generator.cpuPercent)),
    cores: sum((r) => r.generator.cores),
    threads: sum((r) => r.generator.threads),
    saturated: whole.saturated || limited.length > 0,
    reason: reasons.length ? `limited by the generator: ${reasons.join('; ')}` : '',
  };
}

function mergeWs(parts: LoadResult[]): WsCounts | undefined {
  const all = parts.map((r) => r.ws).filter((w): w is WsCounts => w !== undefined);
  if (all.length === 0) return undefined;
  const out = { ...all[0]! };
  for (const w of all.slice(1))
    for (const k of Object.keys(out) as Array<keyof WsCounts>)
      out[k] = k === 'connectMs' ? Math.max(out[k], w[k]) : out[k] + w[k];
  return out;
}

function mergePerRequest(parts: LoadResult[]): RequestFigures[] | undefined {
  const lists = parts.map((r) => r.perRequest).filter((p): p is RequestFigures[] => p !== undefined);
  if (lists.length === 0) return undefined;
  return lists[0]!.map((first, i) => {
    const mine = lists.map((l) => l[i]!);
    const h = mergeEncoded(mine.map((m) => m.histogram));
    const figures: RequestFigures = {
      name: first.name,
      requests: mine.reduce((a, m) => a + m.requests, 0),
      errors: mine.reduce((a, m) => a + m.errors, 0),
      latency: summarize(h),
      histogram: encodeHistogram(h),
    };
    h.destroy();
    return figures;
  });
}

function mergeTimeline(parts: LoadResult[]): LoadResult['timeline'] {
  const all = parts.map((r) => r.timeline).filter((t): t is NonNullable<LoadResult['timeline']> => !!t);
  return all.length ? mergeTimelines(all[0]!.sliceMs, all) : undefined;
}
