// A shard: one event loop's share of the load (the whole load with one thread, a slice per worker thread).
// It owns the connections, the histogram and the counters, sweeps for timeouts with one coarse timer (no
// timer per request), and follows the timeline: warm-up (not counted) -> measured window -> stop, with a
// bounded grace period for open-loop requests still in flight. It sends from the run's request pool in the pool's
// order; with a mix, each answer is counted for the request its connection sent (breakdown.ts).
import { performance } from 'node:perf_hooks';
import { Breakdown, type ShardBreakdown } from './breakdown.js';
import { Conn, type ConnOwner } from './http1/conn.js';
import { encodeHistogram, newHistogram, type Histogram } from './histogram.js';
import { poolEntries, type RequestPool } from './pool.js';
import { noErrors } from './result.js';
import { Timeline, type TimelineCounts } from './timeline.js';
import { models } from './models/index.js';
import type { Model, ModelHost, ModelOptions, Pacing } from './models/model.js';
import type { ErrorKind, LoadResult, ModelName } from './types.js';

export interface ShardOptions extends ModelOptions {
  host: string;
  port: number;
  /** The run's requests and send order (shared memory: crosses to a worker without a copy). */
  pool: RequestPool;
  /** Where in the send order this shard starts (shards start apart, so they do not send in lockstep). */
  cursor: number;
  model: ModelName;
  timeoutMs: number;
  /** Count answers and errors per slice of this many ms of the window (a fault's timeline); 0: off. */
  timelineMs?: number;
}

/** A shard's counts, merged into the run's LoadResult (the same fields, summed; histograms merged). */
export interface ShardResult extends Pick<
  LoadResult,
  'requests' | 'bytesRead' | 'statusCodes' | 'errors' | 'histogram'
> {
  ok: number;
  /** Successful responses that arrived inside the measured window, whatever their intended time (warm-up too). */
  okInWindow: number;
  pacing: Pacing;
  /** Length of the measured window actually run (shorter when interrupted). */
  measuredMs: number;
  interrupted: boolean;
  /** Per slice of the window (timelineMs): successful answers, errors, each slice's p99. */
  timeline?: TimelineCounts;
  /** A mix of more than one request: the counts of each. */
  perRequest?: ShardBreakdown;
}

/** Live counters, readable from another thread when backed by a SharedArrayBuffer. */
export const COUNTER_REQUESTS = 0;
export const COUNTER_ERRORS = 1;
export const COUNTER_MEASURING = 2;
export const COUNTERS = 3;

export interface ShardHooks {
  onMeasureStart?(): void;
  onMeasureEnd?(): void;
  /** Traffic began, `lateMs` after the start it was given. */
  onBegin?(lateMs: number): void;
}

/** Monotonic time in ms, the same clock in every thread and process of this host (process.hrtime). */
export function monoMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

const RECONNECT_DELAY_MS = 100;
/** Open loop: how long requests in flight at the end may still complete (stated in every open-loop summary). */
export const MAX_GRACE_MS = 1000;

export class Shard implements ConnOwner, ModelHost {
  readonly pool: readonly Buffer[];
  readonly order: Uint32Array;
  readonly mask: number;
  cursor: number;
  readonly tagSeq = process.env.STACKBENCH_TEST_SEQ === '1';
  readonly opts: ShardOptions;
  readonly conns: Conn[] = [];
  readonly model: Model;
  t0 = 0;
  measureStart = 0;
  end = 0;
  /** Traffic may be sent (false once the window closed or the run was aborted). */
  running = false;
  measuring = false;

  private readonly hist: Histogram = newHistogram();
  /** Which request of the mix each pool entry is an instance of. */
  private readonly requestOf: Uint16Array;
  /** Each request's counts, for a mix of more than one; null for a single request (only the whole counts). */
  private readonly per: Breakdown | null;
  private readonly counters: Float64Array;
  private readonly hooks: ShardHooks;
  private requests = 0;
  private ok = 0;
  private okInWindow = 0;
  private bytesRead = 0;
  private readonly statusCodes = new Map<number, number>();
  private readonly errors = noErrors();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly retries = new Set<NodeJS.Timeout>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private interrupted = false;
  private readonly timeline: Timeline | undefined;
  private stopped = false;
  private measureEndAt = 0;
  private finish: ((r: ShardResult) => void) | undefined;
  private result: ShardResult | undefined;

  constructor(
    opts: ShardOptions,
    counters: Float64Array = new Float64Array(COUNTERS),
    hooks: ShardHooks = {},
  ) {
    this.opts = opts;
    this.pool = poolEntries(opts.pool);
    this.order = opts.pool.order;
    this.mask = this.order.length - 1;
    this.cursor = opts.cursor & this.mask;
    this.requestOf = opts.pool.requestOf;
    this.per = opts.pool.names.length > 1 ? new Breakdown(opts.pool.names.length) : null;
    this.counters = counters;
    this.hooks = hooks;
    this.model = models[opts.model](this);
    if (opts.timelineMs) this.timeline = new Timeline(opts.timelineMs);
  }

  /** The timeline: one more answer (with its latency) or error in the slice of the window `now` falls in. */
  private mark(now: number, error: boolean, latencyUs?: number): void {
    this.timeline!.mark(Math.max(0, now - this.measureStart), !error, latencyUs);
  }

  /**
   * Run, with traffic from `startAt` (monoMs(); default now): every shard of a load, in any thread or agent on
   * this host, given the same start shares one t0, so their lanes interleave as one schedule.
   */
  run(startAt = monoMs()): Promise<ShardResult> {
    return new Promise((resolve) => {
      // Aborted before it was started: nothing to run.
      if (this.result) return resolve(this.result);
      this.finish = resolve;
      const t0 = performance.now() + (startAt - monoMs());
      const begin = () => {
        // The timer wakes up to 2 ms early; the rest is a short spin, so traffic starts on time.
        while (performance.now() < t0) {
          /* spin to the exact start */
        }
        this.begin(t0);
      };
      const wait = t0 - performance.now();
      if (wait > 2) this.timers.push(setTimeout(begin, wait - 2));
      else begin();
    });
  }

  private begin(t0: number): void {
    const o = this.opts;
    this.t0 = t0;
    this.hooks.onBegin?.(Math.max(0, performance.now() - t0));
    this.measureStart = this.t0 + o.warmupMs;
    this.end = this.measureStart + o.durationMs;
    this.running = true;
    const late = performance.now() - t0;
    if (o.warmupMs > 0) this.timers.push(setTimeout(() => this.beginMeasure(), o.warmupMs - late));
    else this.beginMeasure();
    // The open loop's window is its schedule's (t0 + warm-up to t0 + warm-up + duration), shared by every shard
    // and agent; a closed loop's is as long as asked from when it began measuring (beginMeasure).
    if (this.model.openLoop)
      this.timers.push(setTimeout(() => this.stop(false), o.warmupMs + o.durationMs - late));
    const sweepMs = Math.max(5, Math.min(100, Math.floor(o.timeoutMs / 10)));
    this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
    this.model.start(this.t0);
    for (let i = 0; i < o.connections; i++) {
      const c = new Conn(this, i);
      this.conns.push(c);
      if (!this.model.lazyConnect) c.open();
    }
  }

  /** Stop early (abort): what was measured so far is returned, marked interrupted. */
  abort(): void {
    if (!this.stopped) this.stop(true);
  }

  // ---- ConnOwner ----

  onConnected(conn: Conn, now: number): void {
    if (this.running) this.model.onIdle(conn, now);
  }

  onResponse(conn: Conn, status: number, now: number, reusable: boolean): void {
    // What the server delivered inside the window, whatever the request's intended time: in a steady open loop
    // that is the arrival rate if it keeps up, and its ceiling if it does not.
    if (status < 400 && this.measuring) this.okInWindow++;
    if (this.requestCounts(conn)) {
      this.requests++;
      this.counters[COUNTER_REQUESTS]!++;
      this.statusCodes.set(status, (this.statusCodes.get(status) ?? 0) + 1);
      // A mix records each latency once, under its request; the whole is their sum (finishNow).
      const per = this.per;
      if (status < 400) {
        this.ok++;
        const us = Math.round((now - conn.origin) * 1000);
        if (per === null) this.hist.recordValue(us);
        else per.ok(this.requestOf[conn.entry]!, us);
        if (this.timeline) this.mark(now, false, us);
      } else {
        this.errors.status++;
        this.counters[COUNTER_ERRORS]!++;
        if (per !== null) per.status(this.requestOf[conn.entry]!);
        if (this.timeline) this.mark(now, true);
      }
    }
    if (reusable && this.running) this.model.onIdle(conn, now);
    else if (this.stopped === false && !this.running) this.maybeFinishGrace();
  }

  onFailure(conn: Conn, kind: ErrorKind, now: number): void {
    // A request error counts when its request does; a connect error when it happens inside the window.
    // Failures with no request in flight (connect, unsolicited bytes) count by time.
    const counts =
      kind === 'connect' || !conn.busy ? this.measuring && now < this.end : this.requestCounts(conn);
    if (counts) {
      this.errors[kind]++;
      this.counters[COUNTER_ERRORS]!++;
      // A request on the wire failed: it is that request's error. A connect failure belongs to none.
      if (this.per !== null && kind !== 'connect' && conn.busy) this.per.failure(this.requestOf[conn.entry]!);
      if (this.timeline) this.mark(now, true);
    }
  }

  onClosed(conn: Conn, afterConnectFailure: boolean): void {
    if (!this.running) {
      this.maybeFinishGrace();
      return;
    }
    if (this.model.lazyConnect) {
      // The model opens connections when due requests need them; after a refused connect, not before a pause.
      const now = performance.now();
      conn.retryAt = afterConnectFailure ? now + RECONNECT_DELAY_MS : 0;
      if (!afterConnectFailure) this.model.wake?.(now);
      else {
        const t = setTimeout(() => {
          this.retries.delete(t);
          if (this.running) this.model.wake?.(performance.now());
        }, RECONNECT_DELAY_MS);
        this.retries.add(t);
      }
    } else if (afterConnectFailure) {
      // Do not hammer a server that refuses: retry each connection at a modest pace.
      const t = setTimeout(() => {
        this.retries.delete(t);
        if (this.running) conn.open();
      }, RECONNECT_DELAY_MS);
      this.retries.add(t);
    } else {
      conn.open();
    }
  }

  /** Lazy models: open up to `want` connections for due requests, counting those already connecting. */
  openFor(want: number): void {
    const now = performance.now();
    for (const c of this.conns) {
      if (want <= 0) return;
      if (c.socket !== null) {
        if (!c.connected) want--;
        continue;
      }
      if (c.retryAt > now) continue;
      c.open();
      want--;
    }
  }

  onBytes(n: number): void {
    if (this.measuring) this.bytesRead += n;
  }

  // ---- internals ----

  /** Closed loop: responses count while the window is open. Open loop: requests intended inside it. */
  requestCounts(conn: Conn): boolean {
    return this.model.openLoop ? conn.counted : this.measuring;
  }

  private beginMeasure(): void {
    this.measureStart = performance.now();
    this.end = this.measureStart + this.opts.durationMs;
    this.measuring = true;
    this.counters[COUNTER_MEASURING] = 1;
    if (!this.model.openLoop) this.timers.push(setTimeout(() => this.stop(false), this.opts.durationMs));
    this.hooks.onMeasureStart?.();
  }

  private sweep(): void {
    const now = performance.now();
    const limit = this.opts.timeoutMs;
    for (const c of this.conns) {
      if (c.busy) {
        if (now - c.sentAt >= limit) c.fail('timeout', now);
      } else if (!c.connected && c.socket !== null && now - c.connectAt >= limit) {
        c.fail('connect', now);
      }
    }
  }

  private stop(interrupted: boolean): void {
    if (this.stopped || !this.running) {
      // Aborted before its start (waiting for the other threads, or for a distributed start): nothing measured.
      if (interrupted && !this.stopped) {
        this.interrupted = true;
        this.finishNow();
      }
      return;
    }
    const now = performance.now();
    this.interrupted = interrupted;
    this.running = false;
    this.measureEndAt = this.measuring ? now : this.measureStart;
    this.measuring = false;
    this.counters[COUNTER_MEASURING] = 0;
    this.hooks.onMeasureEnd?.();
    // Requests intended before the close whose timer fires just after it (timers are ms-grained) still leave:
    // the window sends its whole schedule, not all but the last millisecond's.
    if (!interrupted) this.model.wake?.(now);
    this.model.stop(now);
    if (!this.model.openLoop || interrupted) {
      this.finishNow();
      return;
    }
    // Open loop: requests sent inside the window may still answer, for a bounded time.
    const grace = Math.min(this.opts.timeoutMs, MAX_GRACE_MS);
    this.timers.push(setTimeout(() => this.finishNow(), grace));
    this.maybeFinishGrace();
  }

  private maybeFinishGrace(): void {
    if (this.stopped || this.running) return;
    for (const c of this.conns) if (c.busy && c.counted) return;
    this.finishNow();
  }

  private finishNow(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    if (this.measureEndAt === 0) this.measureEndAt = this.measuring ? performance.now() : this.measureStart;
    this.measuring = false;
    const now = performance.now();
    // Closed loop: a server from which nothing at all came back in the whole window (no response, no error) did
    // not answer the requests it holds — they are timeouts, not a silent zero. (Otherwise requests still in
    // flight at the close are simply outside the window, as in wrk.)
    const silent = this.requests === 0 && Object.values(this.errors).every((n) => n === 0);
    const unanswered = !this.model.openLoop && !this.interrupted && silent;
    for (const c of this.conns) {
      // Open loop: a request of the window still unanswered after the grace period is a timeout.
      if (c.busy && this.model.openLoop && c.counted && !this.interrupted) c.fail('timeout', now);
      else if (c.busy && unanswered) {
        this.errors.timeout++;
        this.counters[COUNTER_ERRORS]!++;
        this.per?.failure(this.requestOf[c.entry]!);
      }
      c.close();
    }
    for (const t of this.timers) clearTimeout(t);
    for (const t of this.retries) clearTimeout(t);
    clearInterval(this.sweepTimer);
    const statusCodes: Record<string, number> = {};
    for (const [k, v] of this.statusCodes) statusCodes[String(k)] = v;
    this.per?.addInto(this.hist);
    const perRequest = this.per?.finish();
    const result: ShardResult = {
      requests: this.requests,
      ok: this.ok,
      okInWindow: this.okInWindow,
      bytesRead: this.bytesRead,
      statusCodes,
      errors: { ...this.errors },
      histogram: encodeHistogram(this.hist),
      pacing: this.model.pacing(),
      measuredMs: Math.max(0, this.measureEndAt - this.measureStart),
      interrupted: this.interrupted,
      ...(this.timeline ? { timeline: this.timeline.counts() } : {}),
      ...(perRequest ? { perRequest } : {}),
    };
    this.hist.destroy();
    this.result = result;
    this.finish?.(result);
  }
}
