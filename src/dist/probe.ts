// One probe over every agent, as the coordinator runs it: send each its plan, wait until all are ready (a
// barrier, with a deadline), send one start T0 in each agent's own clock, then watch until every result is in.
// While it runs: a ping to each agent every second (an agent that hears nothing for 3 s stops by itself), and an
// agent heard from less recently than LOST_MS, or without a result long after the window, is lost. The first
// agent lost or refusing makes every other one stop at once; a stop (Ctrl-C) does the same.
import { MAX_GRACE_MS, monoMs } from '../engine/shard.js';
import type { LoadOptions } from '../engine/types.js';
import { wallClockMs, type OffsetEstimate } from './clock.js';
import { AgentLost, type AgentPeer, type ProbeHandle } from './peer.js';
import { KEEPALIVE_MS, LOST_MS, type AgentReport, type ToAgent } from './protocol.js';

/** How long agents have to get ready (resolve the target, start threads; WebSocket: connect their clients). */
export const PREPARE_MS = 10_000;
/** From the last agent ready to the start: enough for the start message to reach every one. */
export const START_LEAD_MS = 50;
/** After a stop, how long the others have to send what they measured. */
const STOP_WAIT_MS = 3000;
/** After the window and its grace, how long a result may still take before its agent counts as lost. */
const RESULT_SLACK_MS = 10_000;

export interface ProbeOutcome {
  settled: Array<PromiseSettledResult<AgentReport>>;
  /** The start on our clock; undefined when the probe never started (an agent lost or refusing before). */
  t0: number | undefined;
}

export class ProbeRun {
  private t0: number | undefined;
  private stopping = false;
  private stopDeadline = Infinity;
  private readonly pending = new Set<number>();
  private lastPing = 0;
  private lastProgress = { at: 0, requests: 0 };

  constructor(
    private readonly peers: AgentPeer[],
    private readonly probe: number,
    private readonly opts: LoadOptions,
    /** Called with the first agent lost (the coordinator takes no further probe). */
    private readonly onLost: (peer: AgentPeer) => void,
  ) {}

  async execute(
    plans: Array<Extract<ToAgent, { t: 'run' }>>,
    clocks: OffsetEstimate[],
  ): Promise<ProbeOutcome> {
    const handles: ProbeHandle[] = this.peers.map((p, k) => p.run(plans[k]!));
    handles.forEach((h, k) => {
      this.pending.add(k);
      h.result.then(
        () => this.pending.delete(k),
        (e: unknown) => {
          this.pending.delete(k);
          if (e instanceof AgentLost) this.onLost(this.peers[k]!);
          this.stopAll();
        },
      );
    });
    const signal = this.opts.signal;
    const onAbort = () => this.stopAll();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) this.stopAll();
    const timer = setInterval(() => this.tick(), 100);
    let begin: NodeJS.Timeout | undefined;
    try {
      await this.barrier(handles);
      if (!this.stopping) {
        this.start(clocks);
        // The agents start sending at T0: so does the window's warm-up, on our clock.
        const onBegin = this.opts.onBegin;
        if (onBegin) begin = setTimeout(onBegin, Math.max(0, this.t0! - wallClockMs()));
      }
      return { settled: await Promise.allSettled(handles.map((h) => h.result)), t0: this.t0 };
    } finally {
      clearInterval(timer);
      clearTimeout(begin);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Every agent ready, or lost: one that is not ready by the deadline is lost, and the rest are stopped. */
  private async barrier(handles: ProbeHandle[]): Promise<void> {
    const deadline = PREPARE_MS + connectMs(this.opts, this.peers.length);
    const ready = new Set<number>();
    const timer = setTimeout(() => {
      for (const [k, p] of this.peers.entries())
        if (!ready.has(k)) p.markLost(`not ready to start within ${deadline / 1000} s`);
    }, deadline);
    await Promise.allSettled(handles.map((h, k) => h.ready.then(() => ready.add(k))));
    clearTimeout(timer);
  }

  /** One instant T0 on our clock, sent to each agent in its own (T0 + its offset). */
  private start(clocks: OffsetEstimate[]): void {
    const rtt = Math.max(...clocks.map((c) => c.rttMs));
    this.t0 = wallClockMs() + START_LEAD_MS + 4 * rtt;
    this.peers.forEach((p, k) =>
      p.send({ t: 'start', probe: this.probe, startAt: this.t0! + clocks[k]!.offsetMs }),
    );
  }

  private stopAll(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopDeadline = wallClockMs() + STOP_WAIT_MS;
    for (const p of this.peers) if (!p.lost) p.send({ t: 'stop', probe: this.probe });
  }

  private tick(): void {
    const now = wallClockMs();
    this.progress(now);
    if (now - this.lastPing >= KEEPALIVE_MS) {
      this.lastPing = now;
      for (const k of this.pending) this.peers[k]!.keepAlive();
    }
    const o = this.opts;
    const windowEnd =
      this.t0 === undefined
        ? Infinity
        : this.t0 + (o.warmupMs ?? 0) + o.durationMs + graceMs(o) + RESULT_SLACK_MS;
    for (const k of this.pending) {
      const p = this.peers[k]!;
      if (monoMs() - p.lastHeard > LOST_MS) p.markLost(`nothing heard from it for ${LOST_MS / 1000} s`);
      else if (now > windowEnd) p.markLost(`no result ${RESULT_SLACK_MS / 1000} s after the window ended`);
      else if (now > this.stopDeadline)
        p.markLost(`no result ${STOP_WAIT_MS / 1000} s after it was told to stop`);
    }
  }

  /** The agents' heartbeats summed into the engine's progress callback, every half second. */
  private progress(now: number): void {
    const report = this.opts.onProgress;
    if (!report || this.t0 === undefined || now < this.t0 || now - this.lastProgress.at < 500) return;
    const requests = this.peers.reduce((a, p) => a + (p.lastBeat?.requests ?? 0), 0);
    const errors = this.peers.reduce((a, p) => a + (p.lastBeat?.errors ?? 0), 0);
    const warmup = this.opts.warmupMs ?? 0;
    const elapsed = now - this.t0;
    const last = this.lastProgress;
    report({
      elapsedMs: Math.max(0, elapsed - warmup),
      durationMs: this.opts.durationMs,
      phase: elapsed < warmup ? 'warmup' : 'measure',
      requests,
      errors,
      rps: last.at > 0 ? ((requests - last.requests) * 1000) / (now - last.at) : 0,
    });
    this.lastProgress = { at: now, requests };
  }
}

/** WebSocket agents open their clients before they are ready: that time on top of the deadline. */
function connectMs(opts: LoadOptions, count: number): number {
  if (!/^ws:/i.test(opts.url)) return 0;
  const perAgent = Math.ceil(opts.connections / count);
  return (perAgent / (opts.ws?.connectRate ?? 1000)) * 1000 + (opts.timeoutMs ?? 2000);
}

/** How long after the window an agent's result may take by the engine's own rules (its grace, its close). */
function graceMs(opts: LoadOptions): number {
  if (/^ws:/i.test(opts.url)) return (opts.ws?.graceMs ?? 2000) + 2000;
  return opts.model === 'open' ? Math.min(opts.timeoutMs ?? 10_000, MAX_GRACE_MS) : 0;
}
