// The coordinator: P agents held open across probes (a capacity search runs many short ones), each probe split,
// started at one instant and merged into one LoadResult. The rules, in order:
// 1. Ready: every agent says hello (same protocol) within READY_MS, or the run stops with an error naming it.
// 2. Clock: before each probe, PINGS pings per agent; the one with the least round trip gives its offset within
//    +-RTT/2. An agent whose bound exceeds offsetLimitMs (5 ms or 1 % of the timeline) is refused before any load.
// 3. Start: one instant T0 (our clock, LEAD_MS ahead plus 4 round trips), sent to each agent in its own clock
//    (T0 + its offset); the agent turns it into a deadline on its monotonic clock.
// 4. Run: we ping every agent every second (an agent that hears nothing for 3 s stops by itself); an agent whose
//    stream closes, whose process dies, or which sends nothing for LOST_MS is lost.
// 5. Lost: it is named with when and why, the others are told to stop at once, its share is counted as missing
//    and the result is flagged (interrupted, limited by the generator); the coordinator takes no further probe.
// 6. Refused (an agent's own error, e.g. a target it may not load): the others stop, and its error is thrown.
import { StackbenchError } from '../errors.js';
import { MAX_GRACE_MS, monoMs } from '../engine/shard.js';
import { assertAllowedTarget, parseTarget } from '../engine/target.js';
import type { LoadOptions, LoadResult } from '../engine/types.js';
import { estimateOffset, offsetLimitMs, wallClockMs, type OffsetEstimate } from './clock.js';
import { mergeOutcomes, type AgentOutcome } from './merge.js';
import { AgentLost, AgentPeer, AgentRefusal } from './peer.js';
import { PROTOCOL_VERSION, type AgentReport } from './protocol.js';
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
/** Time the agents get between the start message and the start (to resolve, build the pool, spawn threads). */
export const LEAD_MS = 500;
/** An agent heard from less recently than this while a load runs is lost. */
export const LOST_MS = 2500;
export const KEEPALIVE_MS = 1000;
/** After a stop, how long the others have to send what they measured. */
const STOP_WAIT_MS = 3000;
/** After the window (and its grace), how long a result may still take before its agent counts as lost. */
const RESULT_SLACK_MS = 10_000;

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

  /** One probe over every agent: a LoadResult merged exactly, with the agents' parts in `agents`. */
  async run(opts: LoadOptions): Promise<LoadResult> {
    if (this.broken) throw new StackbenchError('SB_AGENT_LOST', [name(this.broken), this.broken.lost!.why]);
    const count = this.peers.length;
    checkSplit(opts, count);
    assertAllowedTarget(parseTarget(opts.url, ['http:', 'ws:']), opts.allowRemote ?? []);
    const timelineMs = (opts.warmupMs ?? 0) + opts.durationMs;
    const limitMs = offsetLimitMs(timelineMs);
    const clocks = await this.syncClocks(limitMs);
    const probe = ++this.probe;
    const rtt = Math.max(...clocks.map((c) => c.rttMs));
    const t0 = wallClockMs() + LEAD_MS + connectLeadMs(opts, count) + 4 * rtt;
    const outcomes: AgentOutcome[] = this.peers.map((p, index) => {
      const segment = { index, count };
      const wire = agentOptions(opts, segment);
      return {
        index,
        label: p.label,
        hello: p.hello!,
        clock: clocks[index]!,
        connections: wire.connections,
        intended: agentIntended(opts, segment),
      };
    });
    const runs = this.peers.map((p, index) =>
      p.run({
        t: 'run',
        probe,
        opts: agentOptions(opts, { index, count }),
        segment: { index, count },
        startAt: t0 + clocks[index]!.offsetMs,
      }),
    );
    const settled = await this.watch(probe, runs, t0, opts);
    let refusal: { peer: AgentPeer; e: AgentRefusal } | undefined;
    settled.forEach((s, k) => {
      const o = outcomes[k]!;
      if (s.status === 'fulfilled') o.report = s.value;
      else if (s.reason instanceof AgentRefusal) refusal ??= { peer: this.peers[k]!, e: s.reason };
      else o.lost = lostText(this.peers[k]!, s.reason as Error, t0);
    });
    if (refusal)
      throw new StackbenchError(
        'SB_AGENT_REFUSED',
        [name(refusal.peer), refusal.e.message],
        [refusal.e.hint],
      );
    return mergeOutcomes(opts, outcomes, limitMs);
  }

  /** bye to every agent, then end them (their process groups, their connections). */
  async close(): Promise<void> {
    for (const p of this.peers) if (!p.lost) p.send({ t: 'bye' });
    for (const p of this.peers) p.link.channel.close('bye');
    await Promise.all(this.peers.map((p) => p.link.destroy()));
  }

  /** Every agent's clock, measured now; one out of bound stops the probe before any load. */
  private async syncClocks(limitMs: number): Promise<OffsetEstimate[]> {
    const clocks = await Promise.all(
      this.peers.map(async (p) => {
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
        throw new StackbenchError('SB_AGENT_CLOCK', [
          name(this.peers[k]!),
          r(c.boundMs),
          r(c.rttMs),
          r(limitMs),
        ]);
      }
    });
    return clocks;
  }

  /**
   * Wait for every agent's result, keeping them alive (a ping a second) and watching them (heard from within
   * LOST_MS, a result by the deadline). The first one lost (or refusing) makes the others stop at once.
   */
  private watch(
    probe: number,
    runs: Array<Promise<AgentReport>>,
    t0: number,
    opts: LoadOptions,
  ): Promise<Array<PromiseSettledResult<AgentReport>>> {
    const signal = opts.signal;
    const windowEnd = t0 + (opts.warmupMs ?? 0) + opts.durationMs + graceMs(opts);
    const progress = progressReporter(this.peers, t0, opts);
    let stopping = false;
    let stopDeadline = Infinity;
    const stopAll = () => {
      if (stopping) return;
      stopping = true;
      stopDeadline = wallClockMs() + STOP_WAIT_MS;
      for (const p of this.peers) if (!p.lost) p.send({ t: 'stop', probe });
    };
    const pending = new Set(this.peers.map((_, k) => k));
    runs.forEach((r, k) =>
      r.then(
        () => pending.delete(k),
        (e: unknown) => {
          pending.delete(k);
          if (e instanceof AgentLost) this.broken ??= this.peers[k]!;
          stopAll();
        },
      ),
    );
    const onAbort = () => stopAll();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) stopAll();
    let lastPing = 0;
    const timer = setInterval(() => {
      const now = wallClockMs();
      progress(now);
      if (now - lastPing >= KEEPALIVE_MS) {
        lastPing = now;
        for (const k of pending) this.peers[k]!.keepAlive();
      }
      for (const k of pending) {
        const p = this.peers[k]!;
        if (monoMs() - p.lastHeard > LOST_MS) p.markLost(`nothing heard from it for ${LOST_MS / 1000} s`);
        else if (now > windowEnd + RESULT_SLACK_MS)
          p.markLost(`no result ${RESULT_SLACK_MS / 1000} s after the window ended`);
        else if (now > stopDeadline)
          p.markLost(`no result ${STOP_WAIT_MS / 1000} s after it was told to stop`);
      }
    }, 100);
    return Promise.allSettled(runs).finally(() => {
      clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  }
}

function name(p: AgentPeer): string {
  return `${p.index} (${p.label})`;
}

/** "at 1.8 s of the load: its stream closed; its process was killed (SIGKILL)" */
function lostText(p: AgentPeer, e: Error, t0: number): string {
  const at = p.lost?.at;
  if (at === undefined) return e.message;
  const ms = at - t0;
  return `${ms < 0 ? 'before the start' : `at ${(ms / 1000).toFixed(1)} s of the load`}: ${e.message}`;
}

/** The agents' heartbeats summed into the engine's progress callback, every half second. */
function progressReporter(peers: AgentPeer[], t0: number, opts: LoadOptions): (now: number) => void {
  const report = opts.onProgress;
  if (!report) return () => {};
  const warmup = opts.warmupMs ?? 0;
  let at = 0;
  let last = 0;
  return (now) => {
    if (now - at < 500 || now < t0) return;
    const requests = peers.reduce((a, p) => a + (p.lastBeat?.requests ?? 0), 0);
    const errors = peers.reduce((a, p) => a + (p.lastBeat?.errors ?? 0), 0);
    const elapsed = now - t0;
    report({
      elapsedMs: Math.max(0, elapsed - warmup),
      durationMs: opts.durationMs,
      phase: elapsed < warmup ? 'warmup' : 'measure',
      requests,
      errors,
      rps: at > 0 ? ((requests - last) * 1000) / (now - at) : 0,
    });
    at = now;
    last = requests;
  };
}

/** WebSocket agents open their clients before the start: they get the connect phase's time on top. */
function connectLeadMs(opts: LoadOptions, count: number): number {
  if (!/^ws:/i.test(opts.url)) return 0;
  const perAgent = Math.ceil(opts.connections / count);
  return (perAgent / (opts.ws?.connectRate ?? 1000)) * 1000 + 500;
}

/** How long after the window an agent's result may take by the engine's own rules. */
function graceMs(opts: LoadOptions): number {
  if (/^ws:/i.test(opts.url)) return (opts.ws?.graceMs ?? 2000) + 2000;
  return opts.model === 'open' ? Math.min(opts.timeoutMs ?? 10_000, MAX_GRACE_MS) : 0;
}
