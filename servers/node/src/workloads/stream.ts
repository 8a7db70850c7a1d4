/**
 * The stream workload (server-sent events), framework-free: parameters, the event text, the timer schedule,
 * and the table of open streams that a graceful stop ends.
 */
import { intParam } from './params.js';

export interface StreamParams {
  n: number;
  interval: number;
}

/** The contract's bound on a whole stream, so one request cannot hold a connection for long. */
const MAX_STREAM_MS = 60000;

/** Returns n and interval, or an error message for a 400 answer (sent before any event). */
export function streamParams(rawN: unknown, rawInterval: unknown): StreamParams | string {
  const n = intParam(rawN, 'n', 1, 1000, 5);
  if (typeof n === 'string') return n;
  const interval = intParam(rawInterval, 'interval', 1, 10000, 50);
  if (typeof interval === 'string') return interval;
  if (n * interval > MAX_STREAM_MS) return `n * interval must be at most ${MAX_STREAM_MS} ms`;
  return { n, interval };
}

export const SSE_HEADERS = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } as const;

/** One event, exactly as the contract spells it: compact JSON, a blank line after. */
export function sseEvent(seq: number, n: number): string {
  return `data: {"seq":${seq},"n":${n}}\n\n`;
}

/** Stops the timers of a stream and ends it; safe to call more than once. */
export type StopStream = () => void;

const open = new Set<StopStream>();

/**
 * Calls emit(i) for i = 1..n at start + i * interval (performance.now() ms), then end(). Each timer is armed
 * from the start time, not from the previous event, so one late timer does not delay all the events after it.
 * Only one timer per stream is pending at any moment. Returns the stop function: it clears the pending timer
 * and calls end() if the stream had not finished (a client gone, or a graceful stop).
 */
export function scheduleEvents(
  params: StreamParams,
  start: number,
  emit: (seq: number) => void,
  end: () => void,
): StopStream {
  const { n, interval } = params;
  let seq = 1;
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    if (timer !== undefined) clearTimeout(timer);
    open.delete(finish);
    end();
  };
  const tick = (): void => {
    const due = start + seq * interval;
    const early = due - performance.now();
    // libuv's clock has 1 ms steps and is read at the start of a loop turn: a timer can fire a little early.
    if (early > 0) {
      timer = setTimeout(tick, Math.ceil(early));
      return;
    }
    emit(seq);
    if (seq === n) return finish();
    seq++;
    timer = setTimeout(tick, Math.ceil(start + seq * interval - performance.now()));
  };
  timer = setTimeout(tick, Math.ceil(start + interval - performance.now()));
  open.add(finish);
  return finish;
}

/** Ends every open stream now (graceful stop): clients get a properly terminated, shorter stream. */
export function endStreams(): void {
  for (const stop of [...open]) stop();
}

export function openStreams(): number {
  return open.size;
}
