// The WebSocket load loop. Phases, each bounded in time: connect (open N connections at connectRate), warmup
// and measure (send messageRate messages per second, round-robin over the open connections), grace (wait for
// outstanding deliveries), close. Every connection receives; each delivery of a measured message is checked
// off in the ledger and its latency recorded. One JS thread: the event loop is the whole generator.
import WebSocket from 'ws';
import { encodeHistogram, newHistogram, summarize } from '../histogram.js';
import { wsHealth } from './health.js';
import { DeliveryLedger } from './ledger.js';
import { decodeMessage, encodeMessage, nowUs } from './message.js';
import { roomNames, roomUrl } from './rooms.js';
import type { WsLoadOptions, WsLoadResult, WsPhase } from './types.js';

/**
 * A send more than this late is counted late. Sends are timer-driven (ms-grained) on the thread that also
 * reads every delivery, so a millisecond or two is the timer, not saturation; and latency counts from the
 * actual send, so lateness shifts the schedule, not the figures.
 */
export const LATE_US = 5000;

interface Conn {
  ws: WebSocket;
  room: number;
  open: boolean;
  settled: boolean;
  /** Set when the engine itself closes the connection: its close is not a disconnect. */
  closing: boolean;
}

const PROGRESS_MS = 500;
const CLOSE_WAIT_MS = 2000;

function check(opts: WsLoadOptions): void {
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(v > 0 && Number.isFinite(v))) throw new RangeError(`${name} must be above 0`);
  };
  positive('connections', opts.connections);
  positive('connectRate', opts.connectRate);
  positive('messageRate', opts.messageRate);
  positive('durationMs', opts.durationMs);
  positive('rooms', opts.rooms);
  const proto = new URL(opts.url).protocol;
  if (proto !== 'ws:' && proto !== 'wss:') throw new RangeError(`not a ws:// URL: ${opts.url}`);
}

export async function runWsLoad(opts: WsLoadOptions): Promise<WsLoadResult> {
  check(opts);
  const n = Math.floor(opts.connections);
  const roomCount = Math.floor(opts.rooms ?? 1);
  const names = roomNames(opts.url, roomCount);
  const warmupMs = opts.warmupMs ?? 0;
  const graceMs = opts.graceMs ?? 2000;
  const payloadBytes = opts.payloadBytes ?? 64;
  const includeSender = opts.includeSender ?? true;
  const signal = opts.signal;

  const members = new Int32Array(roomCount);
  const conns: Conn[] = [];
  const ledger = new DeliveryLedger();
  const hist = newHistogram();
  let phase: WsPhase = 'connect';
  let opened = 0;
  let failed = 0;
  let settledCount = 0;
  let openNow = 0;
  let disconnects = 0;
  let errors = 0;
  let nextSeq = 0;
  /** First seq of the measured window; Infinity until measurement starts (warmup deliveries are ignored). */
  let measureFrom = Infinity;
  let counting = true;
  let wake: (() => void) | undefined;
  const startedMs = performance.now();

  // One pending sleep at a time; an abort, the last settle or the last delivery ends it early.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);

  const onMessage = (data: WebSocket.RawData) => {
    const m = decodeMessage(data.toString());
    if (!m || m.seq >= nextSeq) {
      errors++;
      return;
    }
    if (m.seq < measureFrom || !counting) return;
    if (ledger.deliver(m.seq - measureFrom)) hist.recordValue(Math.max(1, nowUs() - m.t));
    if (phase === 'grace' && ledger.complete) wake?.();
  };

  const settle = (c: Conn, ok: boolean) => {
    if (c.settled) return;
    c.settled = true;
    settledCount++;
    if (ok) opened++;
    else failed++;
    if (phase === 'connect' && settledCount === n) wake?.();
  };

  const openOne = (i: number) => {
    const room = i % roomCount;
    const ws = new WebSocket(roomUrl(opts.url, names[room]!), {
      perMessageDeflate: false,
      handshakeTimeout: opts.connectTimeoutMs ?? 10_000,
      skipUTF8Validation: true,
    });
    const c: Conn = { ws, room, open: false, settled: false, closing: false };
    conns.push(c);
    ws.on('open', () => {
      c.open = true;
      openNow++;
      members[room]!++;
      settle(c, true);
      if (c.closing) ws.close(1000);
    });
    ws.on('message', onMessage);
    ws.on('error', () => {
      if (c.open) errors++;
    });
    ws.on('close', () => {
      if (c.open) {
        c.open = false;
        openNow--;
        members[room]!--;
        if (!c.closing) disconnects++;
      }
      settle(c, false);
    });
  };

  // Progress, every 500 ms, whatever the phase.
  let lastProgressDeliveries = 0;
  let lastProgressMs = startedMs;
  const progress = opts.onProgress
    ? setInterval(() => {
        const now = performance.now();
        const perSec =
          ((ledger.delivered - lastProgressDeliveries) * 1000) / Math.max(1, now - lastProgressMs);
        lastProgressDeliveries = ledger.delivered;
        lastProgressMs = now;
        opts.onProgress!({
          phase,
          elapsedMs: now - startedMs,
          durationMs: opts.durationMs,
          open: openNow,
          messagesSent: ledger.count,
          deliveries: ledger.delivered,
          deliveriesPerSec: perSec,
        });
      }, PROGRESS_MS)
    : undefined;
  progress?.unref();

  // --- connect: paced by the intended time of each attempt, bounded by the last attempt + handshake timeout.
  const connectStart = performance.now();
  const connectDeadline =
    connectStart + (n / opts.connectRate) * 1000 + (opts.connectTimeoutMs ?? 10_000) + 1000;
  let attempted = 0;
  while (!signal?.aborted && settledCount < n && performance.now() < connectDeadline) {
    const due = Math.min(n, Math.floor(((performance.now() - connectStart) / 1000) * opts.connectRate) + 1);
    while (attempted < due) openOne(attempted++);
    const nextAt = attempted < n ? connectStart + (attempted / opts.connectRate) * 1000 : connectDeadline;
    await sleep(nextAt - performance.now());
  }
  const connectMs = performance.now() - connectStart;

  // --- warmup + measure: message k leaves at sendStart + k / rate; the send timestamp is the real one.
  const intervalUs = 1e6 / opts.messageRate;
  const sendStartUs = nowUs();
  const measureStartUs = sendStartUs + warmupMs * 1000;
  const measureEndUs = measureStartUs + opts.durationMs * 1000;
  let k = 0;
  let rr = 0;
  let lateSends = 0;
  let unsent = 0;
  let cpuStart = process.cpuUsage();
  let measureStartedUs = measureStartUs;
  phase = warmupMs > 0 ? 'warmup' : 'measure';

  const sendOne = (intendedUs: number, measured: boolean) => {
    let sender: Conn | undefined;
    for (let tries = 0; tries < conns.length; tries++) {
      const c = conns[rr++ % conns.length]!;
      if (c.open && c.ws.readyState === WebSocket.OPEN) {
        sender = c;
        break;
      }
    }
    if (!sender) {
      if (measured) unsent++;
      return;
    }
    const receivers = members[sender.room]! - (includeSender ? 0 : 1);
    const seq = nextSeq++;
    const t = nowUs();
    if (measured) {
      ledger.add(receivers);
      if (t - intendedUs > LATE_US) lateSends++;
    }
    sender.ws.send(encodeMessage({ room: names[sender.room]!, seq, t }, payloadBytes));
  };

  while (!signal?.aborted && opened > 0) {
    const now = nowUs();
    let intended = sendStartUs + k * intervalUs;
    while (intended <= now && intended < measureEndUs) {
      const measured = intended >= measureStartUs;
      if (measured && measureFrom === Infinity) {
        measureFrom = nextSeq;
        phase = 'measure';
        cpuStart = process.cpuUsage();
        measureStartedUs = nowUs();
      }
      sendOne(intended, measured);
      k++;
      intended = sendStartUs + k * intervalUs;
    }
    if (intended >= measureEndUs) break;
    // Sleep to the next send; timers are ms-grained, so a high rate sends a small batch per tick.
    await sleep((intended - nowUs()) / 1000);
  }
  const measureEndedUs = Math.min(nowUs(), Math.max(measureEndUs, measureStartedUs));
  const cpu = process.cpuUsage(cpuStart);
  if (measureFrom === Infinity) measureFrom = nextSeq;

  // --- grace: outstanding deliveries may still be on the wire.
  phase = 'grace';
  if (!ledger.complete) await sleep(graceMs);
  counting = false;

  // --- close: politely, then by force after a bound.
  if (progress) clearInterval(progress);
  signal?.removeEventListener('abort', onAbort);
  await closeAll(conns);

  const wallMs = Math.max(0, (measureEndedUs - measureStartedUs) / 1000);
  const result: WsLoadResult = {
    url: opts.url,
    connections: n,
    rooms: roomCount,
    durationMs: opts.durationMs,
    connectionsOpened: opened,
    connectionsFailed: failed + (n - settledCount),
    connectMs,
    messagesSent: ledger.count,
    expectedDeliveries: ledger.expected,
    deliveries: ledger.delivered,
    drops: ledger.drops,
    duplicates: ledger.duplicates,
    disconnects,
    errors,
    latency: summarize(hist),
    histogram: encodeHistogram(hist),
    generator: wsHealth({
      cpuMicros: cpu.user + cpu.system,
      wallMs,
      intendedRate: opts.messageRate,
      sent: ledger.count,
      lateSends,
      unsent,
    }),
  };
  hist.destroy();
  return result;
}

async function closeAll(conns: Conn[]): Promise<void> {
  let pending = 0;
  let done: () => void = () => {};
  const allClosed = new Promise<void>((resolve) => (done = resolve));
  for (const c of conns) {
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
  for (const c of conns) if (c.ws.readyState !== WebSocket.CLOSED) c.ws.terminate();
}
