// The coordinator: P agents held open across probes (a capacity search runs many short ones), each probe split,
// started at one instant and merged into one LoadResult. The rules, in order:
// 1. Ready: every agent says hello (same protocol) within READY_MS, or the run stops with an error naming it.
// 2. Clock: before each probe, PINGS pings per agent; the one with the least round trip gives its offset within
//    +-RTT/2. An agent whose bound exceeds offsetLimitMs (5 ms or 1 % of the timeline) is refused before any load.
// 3. Barrier and start (probe.ts): every agent gets its plan and prepares; once all are ready, one instant T0
//    (our clock) is sent to each in its own clock (T0 + its offset); the agent turns it into a monotonic deadline.
// 4. Run: we ping every agent every second (an agent that hears nothing for 3 s stops by itself); an agent whose
//    stream closes, whose process dies, or which sends nothing for 2.5 s is lost.
// 5. Lost: it is named with when and why, the others are told to stop at once, its share is counted as missing
//    and the result is flagged (interrupted, limited by the generator); the coordinator takes no further probe.
// 6. Refused (an agent's own error, e.g. a target it may not load): the others stop, and its error is thrown.
import { StackbenchError } from '../errors.js';
import { assertAllowedTarget, parseTarget } from '../engine/target.js';
import type { LoadOptions, LoadResult } from '../engine/types.js';
import { estimateOffset, offsetLimitMs, type OffsetEstimate } from './clock.js';
import { mergeOutcomes, type AgentOutcome } from './merge.js';
import { AgentPeer, AgentRefusal } from './peer.js';
import { ProbeRun } from './probe.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { agentIntended, agentOptions, checkSplit } from './split.js';
import {
  specLabel,
  transports,
  type AgentLink,
  type AgentSpec,
  type TransportContext,
} from './transports/index.js';

export const READY_MS = 15_000;
export const PINGS = 8;
const PING_TIMEOUT_MS = 2000;
export interface CoordinatorOptions {
  /** Hosts the agents may load besides loopback (passed to the agents a transport starts). */
  allowRemote?: string[];
  /** Cores for agents started on this host; default: this process's. */
  cpus?: number[];
  readyTimeoutMs?: number;
}

export class Coordinator {
  private probe = 0;
  private broken: AgentPeer | undefined;

  private constructor(readonly peers: AgentPeer[]) {}

  /** Reach every agent and wait for its hello; on any failure every agent is ended and the error names it. */
  static async open(specs: AgentSpec[], opts: CoordinatorOptions = {}): Promise<Coordinator> {
    const ctx: TransportContext = {
      allowRemote: opts.allowRemote ?? [],
      ...(opts.cpus ? { cpus: opts.cpus } : {}),
    };
    const links = await Promise.allSettled(specs.map((s) => transports[s.kind](s, ctx)));
    const failed = links.findIndex((l) => l.status === 'rejected');
    if (failed >= 0) {
      await Promise.all(links.map((l) => (l.status === 'fulfilled' ? l.value.destroy() : undefined)));
      const why = ((links[failed] as PromiseRejectedResult).reason as Error).message;
      throw new StackbenchError('SB_AGENT_NOT_READY', [`${failed} (${specLabel(specs[failed]!)})`, why]);
    }
    return Coordinator.attach(
      links.map((l) => (l as PromiseFulfilledResult<AgentLink>).value),
      opts,
    );
  }

  /** Agents already reached (any transport: a port-forward, a test's in-memory stream): wait for each hello. */
  static async attach(links: AgentLink[], opts: CoordinatorOptions = {}): Promise<Coordinator> {
    const peers = links.map((l, i) => new AgentPeer(i, l));
    const coordinator = new Coordinator(peers);
    const hellos = await Promise.allSettled(peers.map((p) => p.waitHello(opts.readyTimeoutMs ?? READY_MS)));
    const bad = hellos.findIndex((h) => h.status === 'rejected');
    if (bad >= 0) {
      const peer = peers[bad]!;
      const why = ((hellos[bad] as PromiseRejectedResult).reason as Error).message;
      const lines = peer.link.lastLines();
      await coordinator.close();
      const detail = lines.length ? `${why}\n${lines.slice(-10).join('\n')}` : why;
      throw new StackbenchError('SB_AGENT_NOT_READY', [name(peer), detail]);
    }
    const other = peers.find((p) => p.hello!.v !== PROTOCOL_VERSION);
    if (other) {
      await coordinator.close();
      throw new StackbenchError('SB_AGENT_PROTOCOL', [
        name(other),
        String(other.hello!.v),
        String(PROTOCOL_VERSION),
      ]);
    }
    return coordinator;
  }

  /**
   * One probe over the first `use` agents (all by default; fewer for a load with fewer connections than
   * agents): a LoadResult merged exactly, with the agents' parts in `agents`.
   */
  async run(opts: LoadOptions, use = this.peers.length): Promise<LoadResult> {
    if (this.broken) throw new StackbenchError('SB_AGENT_LOST', [name(this.broken), this.broken.lost!.why]);
    const peers = this.peers.slice(0, Math.max(1, Math.min(use, this.peers.length)));
    const count = peers.length;
    checkSplit(opts, count);
    assertAllowedTarget(parseTarget(opts.url, ['http:', 'ws:']), opts.allowRemote ?? []);
    const timelineMs = (opts.warmupMs ?? 0) + opts.durationMs;
    const limitMs = offsetLimitMs(timelineMs);
    const clocks = await this.syncClocks(peers, limitMs);
    const probe = ++this.probe;
    const segments = peers.map((_, index) => ({ index, count }));
    const plans = segments.map((segment) => ({
      t: 'run' as const,
      probe,
      opts: agentOptions(opts, segment),
      segment,
    }));
    const outcomes: AgentOutcome[] = peers.map((p, index) => ({
      index,
      label: p.label,
      hello: p.hello!,
      clock: clocks[index]!,
      connections: plans[index]!.opts.connections,
      intended: agentIntended(opts, segments[index]!),
    }));
    const run = new ProbeRun(peers, probe, opts, (p) => (this.broken ??= p));
    const { settled, t0 } = await run.execute(plans, clocks);
    let refusal: { peer: AgentPeer; e: AgentRefusal } | undefined;
    settled.forEach((s, k) => {
      const o = outcomes[k]!;
      if (s.status === 'fulfilled') o.report = s.value;
      else if (s.reason instanceof AgentRefusal) refusal ??= { peer: peers[k]!, e: s.reason };
      else o.lost = lostText(peers[k]!, s.reason as Error, t0);
    });
    if (refusal)
      throw new StackbenchError(
        'SB_AGENT_REFUSED',
        [name(refusal.peer), refusal.e.message],
        [refusal.e.hint],
      );
    return mergeOutcomes(opts, outcomes, limitMs);
  }

  /**
   * bye to every agent, then end them (their process groups, their connections). `keepAgents`: no bye, only the
   * connections closed — a listening agent (`agent --listen`, a pod) then waits for its next coordinator.
   */
  async close(opts: { keepAgents?: boolean } = {}): Promise<void> {
    if (!opts.keepAgents) for (const p of this.peers) if (!p.lost) p.send({ t: 'bye' });
    for (const p of this.peers) p.link.channel.close('bye');
    await Promise.all(this.peers.map((p) => p.link.destroy()));
  }

  /** Every agent's clock, measured now; one out of bound stops the probe before any load. */
  private async syncClocks(peers: AgentPeer[], limitMs: number): Promise<OffsetEstimate[]> {
    const clocks = await Promise.all(
      peers.map(async (p) => {
        const samples = [];
        try {
          for (let i = 0; i < PINGS; i++) samples.push(await p.ping(PING_TIMEOUT_MS));
        } catch (e) {
          this.broken ??= p;
          throw new StackbenchError('SB_AGENT_NOT_READY', [name(p), (e as Error).message]);
        }
        return estimateOffset(samples);
      }),
    );
    clocks.forEach((c, k) => {
      if (c.boundMs > limitMs) {
        const r = (n: number) => String(Math.round(n * 10) / 10);
        throw new StackbenchError('SB_AGENT_CLOCK', [name(peers[k]!), r(c.boundMs), r(c.rttMs), r(limitMs)]);
      }
    });
    return clocks;
  }
}

function name(p: AgentPeer): string {
  return `${p.index} (${p.label})`;
}

/** "at 1.8 s of the load: its stream closed; its process was killed (SIGKILL)" */
function lostText(p: AgentPeer, e: Error, t0: number | undefined): string {
  const at = p.lost?.at;
  if (at === undefined) return e.message;
  if (t0 === undefined) return `before the start: ${e.message}`;
  const ms = at - t0;
  return `${ms < 0 ? 'before the start' : `at ${(ms / 1000).toFixed(1)} s of the load`}: ${e.message}`;
}
