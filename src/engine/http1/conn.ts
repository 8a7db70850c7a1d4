// One keep-alive HTTP/1.1 connection. Handlers are bound once per connection, never per request; a send is
// one socket.write of the next pre-serialized request of the owner's pool, in the owner's send order (one index,
// no string work). Every way a request can end (response, malformed bytes, reset, timeout found by the shard's
// sweep, connect failure) is reported to the shard exactly once.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { PARSE_ERROR, ResponseParser } from './parser.js';
import type { ErrorKind } from '../types.js';

/** What a connection reports to; implemented by Shard. */
export interface ConnOwner {
  readonly opts: { readonly host: string; readonly port: number };
  /** Every request the run sends, serialized (pool.ts); a single request is a pool of one. */
  readonly pool: readonly Buffer[];
  /** Pool entries in send order; its length is a power of two (mask = length - 1). */
  readonly order: Uint32Array;
  readonly mask: number;
  /** The next position in `order`, shared by the owner's connections. */
  cursor: number;
  /** Test mode (STACKBENCH_TEST_SEQ=1): every open-loop request carries its schedule index in `x-sb-seq`. */
  readonly tagSeq: boolean;
  onConnected(conn: Conn, now: number): void;
  onResponse(conn: Conn, status: number, now: number, reusable: boolean): void;
  onFailure(conn: Conn, kind: ErrorKind, now: number): void;
  onClosed(conn: Conn, afterConnectFailure: boolean): void;
  onBytes(n: number): void;
}

export class Conn {
  readonly id: number;
  socket: Socket | null = null;
  connected = false;
  busy = false;
  /** When the request left (timeouts count from here). */
  sentAt = 0;
  /** Where latency counts from: the send time (closed loop) or the intended send time (open loop). */
  origin = 0;
  /** Whether the request in flight belongs to the measured window (decided by the model at send). */
  counted = false;
  /** When the current connect attempt began (connect timeouts). */
  connectAt = 0;
  /** Lazy models: not reopened before this time (after a refused connect). */
  retryAt = 0;
  /** The model's idle-stack bookkeeping. */
  inIdle = false;
  /** The pool entry of the request in flight (whose response this connection will read). */
  entry = 0;
  private failed = false;
  private readonly parser = new ResponseParser();
  private readonly owner: ConnOwner;

  constructor(owner: ConnOwner, id: number) {
    this.owner = owner;
    this.id = id;
    this.onConnect = this.onConnect.bind(this);
    this.onData = this.onData.bind(this);
    this.onEnd = this.onEnd.bind(this);
    this.onError = this.onError.bind(this);
    this.onClose = this.onClose.bind(this);
  }

  open(): void {
    this.failed = false;
    this.connected = false;
    this.busy = false;
    this.parser.reset();
    this.connectAt = performance.now();
    const s = connect({ host: this.owner.opts.host, port: this.owner.opts.port, noDelay: true });
    this.socket = s;
    s.on('connect', this.onConnect);
    s.on('data', this.onData);
    s.on('end', this.onEnd);
    s.on('error', this.onError);
    s.on('close', this.onClose);
  }

  /** `seq`: the request's index in the whole open-loop schedule (only sent in the tests' tagging mode). */
  send(now: number, origin: number, counted: boolean, seq = -1): void {
    this.busy = true;
    this.sentAt = now;
    this.origin = origin;
    this.counted = counted;
    const o = this.owner;
    const k = o.cursor;
    o.cursor = (k + 1) & o.mask;
    const entry = o.order[k]!;
    this.entry = entry;
    if (o.tagSeq && seq >= 0) this.socket!.write(tagged(o.pool[entry]!, seq));
    else this.socket!.write(o.pool[entry]!);
  }

  /** End this connection after a failure of the given kind (counted once); it reconnects if the run goes on. */
  fail(kind: ErrorKind, now: number): void {
    if (this.failed) return;
    this.failed = true;
    this.owner.onFailure(this, kind, now);
    this.busy = false;
    this.socket?.destroy();
  }

  /** Close without counting anything (end of run, or a response that asked for Connection: close). */
  close(): void {
    this.failed = true;
    this.busy = false;
    this.socket?.destroy();
  }

  private onConnect(): void {
    this.connected = true;
    this.owner.onConnected(this, performance.now());
  }

  private onData(buf: Buffer): void {
    this.owner.onBytes(buf.length);
    if (!this.busy) {
      // Bytes nobody asked for: the previous response was longer than it said, or the server is broken.
      this.fail('malformed', performance.now());
      return;
    }
    const off = this.parser.execute(buf, 0);
    if (off === PARSE_ERROR) {
      this.fail('malformed', performance.now());
      return;
    }
    if (!this.parser.complete) return;
    this.parser.complete = false;
    this.busy = false;
    const now = performance.now();
    const extra = off < buf.length;
    const reusable = this.parser.keepAlive && !extra;
    this.owner.onResponse(this, this.parser.status, now, reusable);
    if (extra) this.fail('malformed', now);
    else if (!reusable) this.close();
  }

  private onEnd(): void {
    // The server closed its side. A body delimited by the close completes here; anything else in flight
    // was cut short.
    if (this.busy && this.parser.started && this.parser.end()) {
      this.busy = false;
      this.owner.onResponse(this, this.parser.status, performance.now(), false);
      this.close();
    }
  }

  private onError(): void {
    // 'close' follows and does the counting; listening here keeps the error from being thrown.
  }

  private onClose(): void {
    const wasConnected = this.connected;
    this.connected = false;
    this.socket = null;
    if (!this.failed) {
      this.failed = true;
      if (!wasConnected) this.owner.onFailure(this, 'connect', performance.now());
      else if (this.busy) this.owner.onFailure(this, 'reset', performance.now());
    }
    this.busy = false;
    this.owner.onClosed(this, !wasConnected);
  }
}

/** The request with `x-sb-seq: seq` after its request line (tests only: it copies the request). */
function tagged(req: Buffer, seq: number): Buffer {
  const eol = req.indexOf('\r\n') + 2;
  return Buffer.concat([req.subarray(0, eol), Buffer.from(`x-sb-seq: ${seq}\r\n`), req.subarray(eol)]);
}
