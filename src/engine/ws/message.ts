// The message every sender writes: JSON text {"room":..,"seq":..,"t":..,"pad":".."}. `t` is the intended send
// time in microseconds on the process's monotonic clock (process.hrtime), so every receiver in this process can
// compute the delivery latency as now - t without any clock sync.

/** Monotonic microseconds (process.hrtime); fits a double exactly for centuries of uptime. */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export interface WsMessage {
  room: string;
  seq: number;
  t: number;
}

/** The message text, padded with dots to `bytes` (never shorter than the fields themselves). */
export function encodeMessage(m: WsMessage, bytes: number): string {
  const head = `{"room":${JSON.stringify(m.room)},"seq":${m.seq},"t":${m.t},"pad":"`;
  const padLen = Math.max(0, bytes - head.length - 2);
  return head + '.'.repeat(padLen) + '"}';
}

/** Parse a received text back into seq and t; undefined for anything that is not one of our messages. */
export function decodeMessage(text: string): WsMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.seq !== 'number' || typeof o.t !== 'number' || typeof o.room !== 'string') return undefined;
  if (!Number.isSafeInteger(o.seq) || o.seq < 0) return undefined;
  return { room: o.room, seq: o.seq, t: o.t };
}
