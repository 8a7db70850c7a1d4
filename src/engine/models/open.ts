// Open loop (wrk2, k6's constant-arrival-rate): requests are due at intended times t0 + i/rate whatever the
// server does. A due request waits for a free connection if all are busy, and its latency still counts from
// its intended time, so a stalled server shows in the percentiles (coordinated omission corrected).
// A shard sends one lane of the schedule (schedule.ts): the requests i = lane + j x lanes of the whole load,
// each at the intended time it has in the whole, so threads (and agents on other hosts) interleave instead of
// each starting a schedule of its own at i = 0.
// A ramp raises the rate linearly from 0 over rampMs. Sends are driven by one timer and by every response
// (a freed connection takes the oldest due request at once), never by a timer per request. Connections open
// on demand (lazyConnect), and the idle ones are reused last-in first-out, so no more are held than needed.
import type { Conn } from '../http1/conn.js';
import type { Model, ModelHost, Pacing } from './model.js';
import {
  countBefore,
  globalIndex,
  laneCount,
  offset,
  position,
  type Lane,
  type Schedule,
} from './schedule.js';

/** A send later than this after its intended time is "late". */
const LATE_MS = 1;

export class OpenModel implements Model {
  readonly openLoop = true;
  readonly lazyConnect = true;
  private readonly shard: ModelHost;
  private readonly schedule: Schedule;
  private readonly lane: Lane;
  /** Lane positions (j) of the first request intended inside the measured window, and of the end (exclusive). */
  private readonly first: number;
  private readonly total: number;
  /** Lane position of the next request to send. */
  private issued = 0;
  /** Lane positions below this were due while no connection was free. */
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
    this.schedule = { rate: o.rate, rampMs: o.rampMs };
    this.lane = { lane: o.lane, lanes: o.lanes };
    this.first = laneCount(countBefore(this.schedule, o.warmupMs), this.lane);
    this.total = laneCount(countBefore(this.schedule, o.warmupMs + o.durationMs), this.lane);
    this.onTimer = this.onTimer.bind(this);
  }

  start(): void {
    this.running = true;
    if (this.schedule.rate > 0) this.timer = setTimeout(this.onTimer, 0);
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

  /** Intended time of the lane's j-th request, in ms after t0. */
  offset(j: number): number {
    return offset(this.schedule, globalIndex(j, this.lane));
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
    // Global requests due by now (i <= position), and how many of them are this lane's.
    const dueGlobal = Math.floor(position(this.schedule, now - t0) + 1e-9) + 1;
    const due = Math.min(this.total, laneCount(dueGlobal, this.lane));
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
      c.send(now, origin, counted, globalIndex(i, this.lane));
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
