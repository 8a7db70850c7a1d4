// Closed loop (wrk, autocannon, TechEmpower): N connections, each sends its next request the moment the
// previous response arrives. Throughput is whatever the server sustains; latency is from the actual send.
// A ramp brings connections into play linearly over rampMs.
import type { Conn } from '../http1/conn.js';
import type { Model, ModelHost, Pacing } from './model.js';

export class ClosedModel implements Model {
  readonly openLoop = false;
  readonly lazyConnect = false;
  private readonly shard: ModelHost;
  /** Connections with id below this may send. */
  private active: number;
  private rampTimer: NodeJS.Timeout | undefined;

  constructor(shard: ModelHost) {
    this.shard = shard;
    this.active = shard.opts.rampMs > 0 ? 0 : shard.opts.connections;
  }

  start(t0: number): void {
    const { rampMs, connections } = this.shard.opts;
    if (rampMs <= 0) return;
    this.rampTimer = setInterval(
      () => {
        const now = performance.now();
        const target = Math.min(connections, Math.ceil((connections * (now - t0)) / rampMs));
        for (let i = this.active; i < target; i++) {
          const c = this.shard.conns[i];
          if (c && c.connected && !c.busy) this.send(c, now);
        }
        this.active = target;
        if (target >= connections) clearInterval(this.rampTimer);
      },
      Math.max(10, Math.min(100, rampMs / 20)),
    );
  }

  onIdle(conn: Conn, now: number): void {
    if (conn.id < this.active) this.send(conn, now);
  }

  stop(): void {
    clearInterval(this.rampTimer);
  }

  pacing(): Pacing {
    return { intended: 0, sent: 0, lateSends: 0, queuedSends: 0, unsent: 0 };
  }

  private send(conn: Conn, now: number): void {
    conn.send(now, now, false);
  }
}
