// One WebSocket load run. Phases, each bounded in time: connect (open the clients at connectRate; a handshake
// that is refused, answered with another status, garbled or late is an error of that kind), warm-up and measure
// (send `rate` messages per second, round-robin over the open clients), grace (deliveries still owed may arrive),
// close. Every client receives; each delivery of a measured message is checked off in the ledger and timed from
// its send. One JS thread: this event loop is the whole generator, and its health is judged like the HTTP
// engine's (health.ts) from the same pacing figures.
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import WebSocket from 'ws';
import { noErrors } from '../result.js';
import { encodeHistogram, newHistogram, summarize, type Histogram } from '../histogram.js';
import { assessHealth } from '../health.js';
import type { ErrorKind, LoadOptions, LoadPart, LoadProgress, LoadResult, WsOptions } from '../types.js';
import { Timeline } from '../timeline.js';
import { DeliveryLedger } from './ledger.js';
import { decodeMessage, encodeMessage, nowUs } from './message.js';
import { roomNames, roomUrl, segmentRooms } from './rooms.js';

/**
 * A send more than this late is counted late. Sends are timer-driven (ms-grained) on the thread that also reads
 * every delivery, so a millisecond or two is the timer, not saturation; latency counts from the actual send.
 */
export const LATE_US = 5000;
/** Handshake timeout when the caller gives none: a loopback handshake slower than this has failed. */
export const HANDSHAKE_TIMEOUT_MS = 2000;
const PROGRESS_MS = 500;
const CLOSE_WAIT_MS = 2000;
/** A dropped member joins again after this long (ws.reconnect). */
const RECONNECT_MS = 50;

interface Client {
  ws: WebSocket;
  room: number;
  open: boolean;
  settled: boolean;
  /** Set when the engine itself closes the connection: its close is not a disconnect. */
  closing: boolean;
}

type Phase = LoadProgress['phase'];

type LookupCallback = (e: null, a: string | Array<{ address: string; family: number }>, f?: number) => void;

/** A dns.lookup stand-in that always answers `address` (in the form net asks for: one, or a list). */
function pinnedLookup(address: string) {
  const family = isIP(address);
  return (_host: string, opts: { all?: boolean } | number | undefined, cb: LookupCallback) => {
    if (typeof opts === 'object' && opts?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  };
}

/** Why a handshake failed, by the engine's error kinds. */
function handshakeError(e: Error & { code?: string }): ErrorKind {
  const text = `${e.code ?? ''} ${e.message}`;
  if (/timed out/i.test(text)) return 'timeout';
  if (/ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH|EHOSTUNREACH/.test(text)) return 'connect';
  if (/ECONNRESET|EPIPE|hang up/i.test(text)) return 'reset';
  return 'malformed';
}

export class WsSession {
  private readonly opts: LoadOptions;
  private readonly ws: Required<Omit<WsOptions, 'slices'>>;
  /** The slices of the window this session sends in (ws.slices), or undefined: all of it. */
  private readonly on: Set<number> | undefined;
  private readonly names: string[];
  private readonly members: Int32Array;
  private readonly clients: Client[] = [];
  private readonly ledger = new DeliveryLedger();
  private readonly hist: Histogram = newHistogram();
  private readonly errors = noErrors();
  private phase: Phase = 'connect';
  private opened = 0;
  private failed = 0;
  private settledCount = 0;
  private openNow = 0;
  private disconnects = 0;
  private reconnects = 0;
  private unexpected = 0;
  private nextSeq = 0;
  /** Deliveries that arrived inside the window (not in the grace after it), warm-up messages' included. */
  private deliveredInWindow = 0;
  /** First seq of the measured window; Infinity until measurement starts (warm-up deliveries are ignored). */
  private measureFrom = Infinity;
  private counting = true;
  private wake: (() => void) | undefined;
  private readonly started = performance.now();
  /** A fault's timeline (opts.timelineMs): deliveries, and drops or failed joins, per slice of the window. */
  private readonly timeline: Timeline | undefined;
  private measureStartUs = Infinity;

  private readonly address: string;
  private readonly part: LoadPart;
  private readonly segment: { index: number; count: number };
  /** The room of each client this session opens (all clients, or an agent's: the members of its rooms). */
  private readonly clientRooms: number[];

  constructor(opts: LoadOptions, address: string, part: LoadPart = {}) {
    this.opts = opts;
    this.address = address;
    this.part = part;
    this.segment = part.segment ?? { index: 0, count: 1 };
    this.ws = {
      rooms: Math.max(1, Math.floor(opts.ws?.rooms ?? 1)),
      connectRate: opts.ws?.connectRate ?? 1000,
      payloadBytes: opts.ws?.payloadBytes ?? 64,
      includeSender: opts.ws?.includeSender ?? true,
      graceMs: opts.ws?.graceMs ?? 2000,
      reconnect: opts.ws?.reconnect ?? false,
    };
    this.names = roomNames(opts.url, this.ws.rooms);
    this.members = new Int32Array(this.ws.rooms);
    this.clientRooms = segmentRooms(Math.max(1, Math.floor(opts.connections)), this.ws.rooms, this.segment);
    if (opts.timelineMs) this.timeline = new Timeline(opts.timelineMs);
    if (opts.ws?.slices) this.on = new Set(opts.ws.slices.on);
  }

  /** One more delivery (with its latency) or error in the slice of the window that now falls in. */
  private mark(ok: boolean, latencyUs?: number): void {
    this.timeline?.mark((nowUs() - this.measureStartUs) / 1000, ok, latencyUs);
  }

  async run(): Promise<LoadResult> {
    const signal = this.opts.signal;
    const onAbort = () => this.wake?.();
    signal?.addEventListener('abort', onAbort);
    const progress = this.startProgress();
    try {
      const connectMs = await this.connect();
      const window = await this.send();
      this.phase = 'grace';
      if (!this.ledger.complete && !signal?.aborted) await this.sleep(this.ws.graceMs);
      this.counting = false;
      await this.closeAll();
      return this.result(connectMs, window);
    } finally {
      clearInterval(progress);
      signal?.removeEventListener('abort', onAbort);
      this.hist.destroy();
    }
  }

  /** One pending sleep at a time; an abort, the last handshake or the last delivery ends it early. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.opts.signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wake = done;
    });
  }

  private startProgress(): NodeJS.Timeout | undefined {
    const report = this.opts.onProgress;
    if (!report) return undefined;
    let last = 0;
    let lastAt = this.started;
    const t = setInterval(() => {
      const now = performance.now();
      const delivered = this.ledger.delivered;
      report({
        phase: this.phase,
        elapsedMs: now - this.started,
        durationMs: this.opts.durationMs,
        requests: delivered,
        errors: Object.values(this.errors).reduce((a, b) => a + b, 0),
        rps: ((delivered - last) * 1000) / Math.max(1, now - lastAt),
      });
      last = delivered;
      lastAt = now;
    }, PROGRESS_MS);
    t.unref();
    return t;
  }

  /** Opens the clients paced by their intended times; bounded by the last attempt plus one handshake timeout. */
  private async connect(): Promise<number> {
    const n = this.clientRooms.length;
    const rate = this.ws.connectRate;
    const timeout = this.opts.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    const t0 = performance.now();
    const deadline = t0 + (n / rate) * 1000 + timeout + 100;
    let attempted = 0;
    while (!this.opts.signal?.aborted && this.settledCount < n && performance.now() < deadline) {
      const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      while (attempted < due) this.openOne(attempted++, timeout);
      const nextAt = attempted < n ? t0 + (attempted / rate) * 1000 : deadline;
      await this.sleep(nextAt - performance.now());
    }
    return performance.now() - t0;
  }

  private openOne(i: number, timeoutMs: number): void {
    const room = this.clientRooms[i]!;
    const address = this.address;
    const ws = new WebSocket(roomUrl(this.opts.url, this.names[room]!), {
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs,
      skipUTF8Validation: true,
      // Connect to the address that was checked, whatever the resolver says now (the Host header keeps the name).
      lookup: pinnedLookup(address),
    });
    const c: Client = { ws, room, open: false, settled: false, closing: false };
    this.clients[i] = c;
    ws.on('open', () => {
      c.open = true;
      this.openNow++;
      this.members[room]!++;
      this.settle(c, undefined);
      if (c.closing) ws.close(1000);
    });
    ws.on('unexpected-response', (req, res) => {
      res.resume();
      this.settle(c, 'status');
      req.destroy();
    });
    ws.on('message', (data: WebSocket.RawData) => this.onMessage(data));
    ws.on('error', (e) => {
      if (!c.settled) this.settle(c, handshakeError(e));
    });
    ws.on('close', () => {
      if (c.open) {
        c.open = false;
        this.openNow--;
        this.members[room]!--;
        if (!c.closing) {
          this.disconnects++;
          this.mark(false);
          // A member the server dropped (a replica killed): it joins again, as a chat client would.
          if (this.ws.reconnect && (this.phase === 'warmup' || this.phase === 'measure')) {
            this.reconnects++;
            setTimeout(() => {
              if (!c.closing && this.phase !== 'grace') this.openOne(i, timeoutMs);
            }, RECONNECT_MS).unref();
          }
        }
      }
      this.settle(c, 'reset');
    });
  }

  /** A handshake ended: opened (no error) or failed with a kind; the last one wakes the connect phase. */
  private settle(c: Client, error: ErrorKind | undefined): void {
    if (c.settled) return;
    c.settled = true;
    // A client joining again after a drop: its first handshake was already counted.
    if (this.phase !== 'connect') {
      if (error !== undefined) {
        this.errors[error]++;
        this.mark(false);
      }
      return;
    }
    this.settledCount++;
    if (error === undefined) this.opened++;
    else {
      this.failed++;
      this.errors[error]++;
    }
    if (this.phase === 'connect' && this.settledCount === this.clients.length) this.wake?.();
  }

  private onMessage(data: WebSocket.RawData): void {
    const m = decodeMessage(data.toString());
    if (!m || m.seq >= this.nextSeq) {
      this.unexpected++;
      return;
    }
    // What the server delivered inside the window, warm-up messages included (see LoadResult.windowRps).
    if (this.phase === 'measure') this.deliveredInWindow++;
    if (m.seq < this.measureFrom || !this.counting) return;
    if (this.ledger.deliver(m.seq - this.measureFrom)) {
      const us = Math.max(1, nowUs() - m.t);
      this.hist.recordValue(us);
      this.mark(true, us);
    }
    if (this.phase === 'grace' && this.ledger.complete) this.wake?.();
  }

  /** Whether a message intended this long (µs) after the window opens is sent: always, or in an on-slice. */
  private sendsAt(sinceStartUs: number): boolean {
    if (!this.on) return true;
    return sinceStartUs >= 0 && this.on.has(Math.floor(sinceStartUs / 1000 / this.opts.ws!.slices!.sliceMs));
  }

  /**
   * Warm-up and measure: message i of the whole load is due at start + i / rate, and this session sends the
   * segment's (i = index, index + count, ...); returns the measured window and pacing.
   */
  private async send() {
    const o = this.opts;
    const intervalUs = 1e6 / (o.rate ?? 1);
    const { index, count } = this.segment;
    // A shared start (an agent's): wait for it after the connect phase; a late connect starts late, and shows.
    const given = typeof this.part.startAt === 'function' ? await this.part.startAt() : this.part.startAt;
    if (given !== undefined) await this.sleep(given - nowUs() / 1000);
    const startUs = given !== undefined ? given * 1000 : nowUs();
    this.part.onBegin?.(Math.max(0, (nowUs() - startUs) / 1000));
    const measureStartUs = startUs + (o.warmupMs ?? 0) * 1000;
    const measureEndUs = measureStartUs + o.durationMs * 1000;
    this.measureStartUs = measureStartUs;
    const w = { startedUs: measureStartUs, endedUs: measureStartUs, intended: 0, late: 0, unsent: 0 };
    let cpu0 = process.cpuUsage();
    let rr = 0;
    let k = 0;
    this.phase = (o.warmupMs ?? 0) > 0 ? 'warmup' : 'measure';
    const sendOne = (intendedUs: number, measured: boolean) => {
      let sender: Client | undefined;
      for (let tries = 0; tries < this.clients.length; tries++) {
        const c = this.clients[rr++ % this.clients.length]!;
        if (c.open && c.ws.readyState === WebSocket.OPEN) {
          sender = c;
          break;
        }
      }
      if (measured) w.intended++;
      if (!sender) {
        if (measured) w.unsent++;
        return;
      }
      const receivers = this.members[sender.room]! - (this.ws.includeSender ? 0 : 1);
      const seq = this.nextSeq++;
      const t = nowUs();
      if (measured) {
        this.ledger.add(receivers);
        if (t - intendedUs > LATE_US) w.late++;
      }
      sender.ws.send(encodeMessage({ room: this.names[sender.room]!, seq, t }, this.ws.payloadBytes));
    };
    // Nothing opened: there is nobody to send through; the window is not run.
    while (!o.signal?.aborted && this.opened > 0) {
      const now = nowUs();
      let intended = startUs + (index + k * count) * intervalUs;
      while (intended <= now && intended < measureEndUs) {
        const measured = intended >= measureStartUs;
        if (measured && this.measureFrom === Infinity) {
          this.measureFrom = this.nextSeq;
          this.phase = 'measure';
          cpu0 = process.cpuUsage();
          w.startedUs = nowUs();
        }
        if (this.sendsAt(intended - measureStartUs)) sendOne(intended, measured);
        k++;
        intended = startUs + (index + k * count) * intervalUs;
      }
      if (intended >= measureEndUs) break;
      // Sleep to the next send; timers are ms-grained, so a high rate sends a small batch per tick.
      await this.sleep((intended - nowUs()) / 1000);
    }
    const cpu = process.cpuUsage(cpu0);
    if (this.measureFrom === Infinity) {
      // The window never started (no client open, or aborted in the warm-up): nothing was measured.
      this.measureFrom = this.nextSeq;
      return { ...w, endedUs: w.startedUs, cpuMicros: 0 };
    }
    w.endedUs = Math.max(w.startedUs, Math.min(nowUs(), measureEndUs));
    return { ...w, cpuMicros: cpu.user + cpu.system };
  }

  private async closeAll(): Promise<void> {
    let pending = 0;
    let done: () => void = () => {};
    const allClosed = new Promise<void>((resolve) => (done = resolve));
    for (const c of this.clients) {
      c.closing = true;
      const state = c.ws.readyState;
      if (state === WebSocket.CLOSED) continue;
      pending++;
      c.ws.once('close', () => {
        if (--pending === 0) done();
      });
      // A handshake still in flight closes on 'open' (see openOne) or fails; an open socket closes politely.
      if (state === WebSocket.OPEN) c.ws.close(1000);
      else if (state === WebSocket.CONNECTING) c.ws.terminate();
    }
    if (pending === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([allClosed, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    for (const c of this.clients) if (c.ws.readyState !== WebSocket.CLOSED) c.ws.terminate();
  }

  private result(connectMs: number, w: Awaited<ReturnType<WsSession['send']>>): LoadResult {
    const n = this.clientRooms.length;
    const unsettled = n - this.settledCount;
    this.errors.timeout += unsettled + this.ledger.drops;
    this.errors.reset += this.disconnects;
    this.errors.malformed += this.unexpected + this.ledger.duplicates;
    const wallMs = (w.endedUs - w.startedUs) / 1000;
    const seconds = wallMs / 1000;
    const l = this.ledger;
    const pacing = {
      intended: w.intended,
      sent: l.count,
      lateSends: w.late,
      queuedSends: 0,
      unsent: w.unsent,
    };
    const result: LoadResult = {
      url: this.opts.url,
      model: 'open',
      connections: n,
      durationMs: Math.round(wallMs),
      requests: l.delivered,
      rps: seconds > 0 ? l.delivered / seconds : 0,
      windowRps: seconds > 0 ? this.deliveredInWindow / seconds : 0,
      bytesRead: 0,
      statusCodes: {},
      errors: { ...this.errors },
      latency: summarize(this.hist),
      histogram: encodeHistogram(this.hist),
      generator: assessHealth({
        model: 'open',
        unit: 'msg',
        cpuPercent: wallMs > 0 ? (w.cpuMicros / 1000 / wallMs) * 100 : 0,
        cores: availableParallelism(),
        threads: 1,
        connections: n,
        intendedRps: (this.opts.rate ?? 0) / this.segment.count,
        achievedRps: seconds > 0 ? l.count / seconds : 0,
        pacing,
      }),
      pacing,
      ...(this.timeline ? { timeline: { sliceMs: this.opts.timelineMs!, ...this.timeline.counts() } } : {}),
      ws: {
        // The rooms this session owns: all of them, or an agent's share (r % count == index), which add up.
        rooms: Math.ceil((this.ws.rooms - this.segment.index) / this.segment.count),
        connectionsOpened: this.opened,
        connectionsFailed: this.failed + unsettled,
        connectMs,
        messagesSent: l.count,
        expectedDeliveries: l.expected,
        deliveries: l.delivered,
        drops: l.drops,
        duplicates: l.duplicates,
        disconnects: this.disconnects,
        reconnects: this.reconnects,
        unexpected: this.unexpected,
      },
    };
    if (this.opts.signal?.aborted) result.interrupted = true;
    return result;
  }
}
