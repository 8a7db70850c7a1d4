// The run's load generator: this host's engine, or P agents (src/dist) behind one Coordinator, opened once per
// run — agents started or reached, every hello in — and closed when the run ends, whatever ends it (its end, an
// error, Ctrl-C). Subjects drive through `send`, so the warm-ups, headline runs, capacity searches and the sweep
// are sent by the agents without knowing it.
// - A load with fewer connections (chat: rooms) than agents is sent by the first agents that can each hold a
//   share (dist/split.ts `agentsFor`): one connection is one agent's, so the sweep's single connection is agent 0's.
// - An agent lost — during a load or between two — ends the run: the signal the run was given aborts, `lost()`
//   says which and why, and nothing more is sent. No rebalancing onto the others: a figure from fewer generators
//   than planned is not the planned load.
// - Agents that do not share this host's loopback (netns:, ssh:, tcp: to another host) cannot reach a server
//   that listens on it: `assertAgentsReach` refuses them before anything starts.
import { Coordinator, agentsFor, parseAgents, parseSpec, specLabel, type AgentSpec } from '../dist/index.js';
import { StackbenchError } from '../errors.js';
import { runLoad } from '../engine/index.js';
import { isLoopbackAddress } from '../engine/target.js';
import type { LoadOptions, LoadResult } from '../engine/types.js';
import type { AgentHost, PointAgent } from '../results/types.js';

/** Sends one load and returns its result: runLoad's shape. */
export type Send = (opts: LoadOptions) => Promise<LoadResult>;

export interface Generator {
  send: Send;
  /** The agents, as results record them (config.agents); undefined: this host's own generator. */
  agents?: AgentHost[];
  /** Why the planned generator is gone (an agent lost), once it is; the run stops then. */
  lost(): string | undefined;
}

/** This host's engine, in this process: what every run used before agents. */
export const LOCAL_GENERATOR: Generator = { send: (opts) => runLoad(opts), lost: () => undefined };

/** A coordinator that says one of these can take no further probe: the generator is gone, not the input bad. */
const GONE = new Set(['SB_AGENT_LOST', 'SB_AGENT_NOT_READY', 'SB_AGENT_CLOCK']);

export interface GeneratorOptions {
  /** Send from these agents; none: this host's engine. */
  agents?: AgentSpec[];
  /** Hosts the agents a transport starts may load besides loopback (their --allow-remote). */
  allowRemote?: string[];
  /** The cores agents started on this host are pinned to: the generator cores. */
  cpus?: number[];
  signal?: AbortSignal;
}

/**
 * Run `body` with the generator the options ask for. The signal it gets aborts with `signal` and also when an
 * agent is lost; the agents are ended (bye, then their processes or connections) before this resolves or throws.
 */
export async function withGenerator<T>(
  o: GeneratorOptions,
  body: (generator: Generator, signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (!o.agents?.length) return body(LOCAL_GENERATOR, o.signal);
  const coordinator = await Coordinator.open(o.agents, {
    allowRemote: o.allowRemote ?? [],
    ...(o.cpus?.length ? { cpus: o.cpus } : {}),
  });
  const agents = agentsGenerator(coordinator, o.signal);
  try {
    return await body(agents.generator, agents.signal);
  } finally {
    agents.release();
    await coordinator.close();
  }
}

/**
 * A generator over an open coordinator (its caller closes it). `signal` aborts with `outer` or when an agent is
 * lost; `release` stops watching (before the coordinator is closed, so its own goodbye is no loss).
 */
export function agentsGenerator(
  coordinator: Coordinator,
  outer?: AbortSignal,
): { generator: Generator; signal: AbortSignal; release(): void } {
  const stop = new AbortController();
  let why: string | undefined;
  let watching = true;
  const fail = (text: string) => {
    if (!watching) return;
    why ??= text;
    stop.abort();
  };
  const onOuter = () => stop.abort();
  outer?.addEventListener('abort', onOuter, { once: true });
  if (outer?.aborted) stop.abort();
  for (const p of coordinator.peers) p.onLost((w) => fail(`agent ${p.index} (${p.label}) was lost: ${w}`));
  const count = coordinator.peers.length;
  const generator: Generator = {
    agents: agentHosts(coordinator),
    lost: () => why,
    async send(opts) {
      if (why) throw new StackbenchError('SB_INTERRUPTED');
      let result: LoadResult;
      try {
        result = await coordinator.run(opts, agentsFor(opts, count));
      } catch (e) {
        if (!(e instanceof StackbenchError) || !GONE.has(e.code)) throw e;
        fail(e.message);
        throw new StackbenchError('SB_INTERRUPTED');
      }
      // The probe's own account says when in the load it went, which the first word of the loss did not.
      const gone = result.agents?.find((a) => a.lost);
      if (gone && watching) {
        why = `agent ${gone.index} (${gone.agent}) was lost ${gone.lost}`;
        stop.abort();
      }
      return result;
    },
  };
  const release = () => {
    watching = false;
    outer?.removeEventListener('abort', onOuter);
  };
  return { generator, signal: stop.signal, release };
}

/** The agents as they said hello, for results.config.agents. */
export function agentHosts(coordinator: Coordinator): AgentHost[] {
  return coordinator.peers.map((p) => ({
    index: p.index,
    agent: p.label,
    host: p.hello?.host ?? '',
    version: p.hello?.version ?? '',
    cpus: p.hello?.cpus ?? [],
  }));
}

/** A load's agents as a point keeps them: everything but their histograms (the point's is their exact merge). */
export function pointAgents(result: LoadResult): PointAgent[] | undefined {
  return result.agents?.map(({ histogram: _h, monoStartMs: _m, ...figures }) => figures);
}

/** --agents as the library takes it (a count, the comma list, or specs), each spec checked as written. */
export function agentSpecsOf(agents: number | string | AgentSpec[]): AgentSpec[] {
  if (typeof agents === 'number') return agentSpecsOf(String(agents));
  // One grammar for load, run and compare: dist's own parser.
  if (typeof agents === 'string') return parseAgents(agents);
  return agents.map((s) => ({ ...parseSpec(specLabel(s)), ...(s.env ? { env: s.env } : {}) }));
}

/** Whether an agent shares this host's loopback: a local one, or one listening on a loopback address here. */
export function sharesLoopback(spec: AgentSpec): boolean {
  if (spec.kind === 'local') return true;
  if (spec.kind !== 'tcp') return false;
  const host = spec.target.slice(0, spec.target.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || isLoopbackAddress(host);
}

/** Every agent can reach a server on this host's loopback (`where`), or the one that cannot is bad input. */
export function assertAgentsReach(specs: AgentSpec[], where: string, fix: string): void {
  const far = specs.find((s) => !sharesLoopback(s));
  if (!far) return;
  throw new StackbenchError(
    'SB_BAD_AGENTS',
    [
      `agent ${specLabel(far)} cannot reach ${where}: that is this host's loopback, and the agent's loopback is its own`,
    ],
    [fix],
  );
}
