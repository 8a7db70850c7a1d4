// Open loop (wrk2, k6's constant-arrival-rate): requests are due at intended times t0 + i/rate whatever the
// server does. A due request waits for a free connection if all are busy, and its latency still counts from
// its intended time, so a stalled server shows in the percentiles (coordinated omission corrected).
// A ramp raises the rate linearly from 0 over rampMs. Sends are driven by one timer and by every response
// (a freed connection takes the oldest due request at once), never by a timer per request. Connections open
// on demand (lazyConnect), and the idle ones are reused last-in first-out, so no more are held than needed.
import type { Conn } from '../http1/conn.js';
import type { Model, ModelHost, Pacing } from './model.js';

/** A send later than this after its intended time is "late". */
const LATE_MS = 1;

export class OpenModel implements Model {
  readonly openLoop = true;
  readonly lazyConnect = true;
  private readonly shard: ModelHost;
  /** Requests per millisecond at full rate. */
  private readonly r: number;
  private readonly rampMs: number;
  /** Index of the first request intended inside the measured window, and the end (exclusive). */
  private readonly first: number;
  private readonly total: number;
  private issued = 0;
  /** Requests below this index were due while no connection was free. */
  private backlogUntil = 0;
  private readonly idle: Conn[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private sent = 0;
  private late = 0;
  private queued = 0;

  constructor(shard: ModelHost) {
    this.shard = shard;
    const o = shard.opts;
    this.r = o.rate / 1000;
    this.rampMs = Math.max(0, o.rampMs);
    this.first = this.countBefore(o.warmupMs);
    this.total = this.countBefore(o.warmupMs + o.durationMs);
    this.onTimer = this.onTimer.bind(this);
  }

  start(): void {
    this.running = true;
    if (this.r > 0) this.timer = setTimeout(this.onTimer, 0);
  }

  onIdle(conn: Conn, now: number): void {
    if (!conn.inIdle) {
      conn.inIdle = true;
      this.idle.push(conn);
    }
    this.pump(now);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  pacing(): Pacing {
    const intended = this.total - this.first;
    return {
      intended,
      sent: this.sent,
      lateSends: this.late,
      queuedSends: this.queued,
      unsent: Math.max(0, intended - this.sent),
    };
  }

  /** Position in the schedule after `e` ms: how many requests were due (fractional). */
  private position(e: number): number {
    if (e <= 0) return 0;
    const R = this.rampMs;
    if (R > 0 && e < R) return (this.r * e * e) / (2 * R);
    return this.r * (e - R / 2);
  }

  /** Intended time of request i, in ms after t0 (the inverse of position). */
  offset(i: number): number {
    const R = this.rampMs;
    if (R > 0 && i < (this.r * R) / 2) return Math.sqrt((2 * R * i) / this.r);
    return i / this.r + R / 2;
  }

  /** Number of requests intended strictly before `e` ms. */
  private countBefore(e: number): number {
    return e <= 0 ? 0 : Math.ceil(this.position(e) - 1e-9);
  }

  wake(now: number): void {
    this.pump(now);
  }

  private onTimer(): void {
    this.timer = undefined;
    this.pump(performance.now());
  }

  private pump(now: number): void {
    if (!this.running) return;
    const t0 = this.shard.t0;
    const due = Math.min(this.total, Math.floor(this.position(now - t0) + 1e-9) + 1);
    while (this.issued < due) {
      const c = this.popIdle();
      if (c === null) {
        this.backlogUntil = due;
        this.shard.openFor(due - this.issued);
        // Waiting for connections: one that frees up or connects pumps again (no timer spinning meanwhile).
        return;
      }
      const i = this.issued++;
      const origin = t0 + this.offset(i);
      const counted = i >= this.first;
      if (counted) {
        this.sent++;
        if (now - origin > LATE_MS) {
          this.late++;
          if (i < this.backlogUntil) this.queued++;
        }
      }
      c.send(now, origin, counted);
    }
    if (this.issued < this.total && this.timer === undefined) {
      const wait = t0 + this.offset(this.issued) - now;
      this.timer = setTimeout(this.onTimer, Math.max(0, wait));
    }
  }

  private popIdle(): Conn | null {
    while (this.idle.length > 0) {
      const c = this.idle.pop()!;
      c.inIdle = false;
      if (c.connected && !c.busy) return c;
    }
    return null;
  }
}
