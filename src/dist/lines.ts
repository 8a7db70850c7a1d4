// A JSON-lines channel over a pair of byte streams: send() writes one message per line, lines come back one by
// one, and the channel says once, with a reason, when it is over (the peer closed its stream, an error, a line
// too long). It owns nothing: closing it ends the writable side, and whoever made the streams destroys them.
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE_BYTES } from './protocol.js';

export interface Channel {
  send(message: object): void;
  onLine(handler: (line: string) => void): void;
  /** Called once: the stream ended, failed or was closed here; `why` in words. */
  onClose(handler: (why: string) => void): void;
  /** End the writable side (the peer sees EOF); reading stops. */
  close(why?: string): void;
  readonly closed: boolean;
}

export function lineChannel(input: Readable, output: Writable): Channel {
  let lineHandler: (line: string) => void = () => {};
  let closeHandler: (why: string) => void = () => {};
  let closed = false;
  let pending = '';
  // A character split across two chunks is decoded whole.
  const decoder = new StringDecoder('utf8');
  const finish = (why: string) => {
    if (closed) return;
    closed = true;
    input.off('data', onData);
    closeHandler(why);
  };
  const onData = (chunk: Buffer | string) => {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl = pending.indexOf('\n');
    while (nl >= 0 && !closed) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim()) lineHandler(line);
      nl = pending.indexOf('\n');
    }
    if (pending.length > MAX_LINE_BYTES) finish(`a line longer than ${MAX_LINE_BYTES} bytes`);
  };
  input.on('data', onData);
  input.once('end', () => finish('its stream closed'));
  input.once('close', () => finish('its stream closed'));
  input.once('error', (e) => finish(`its stream failed: ${e.message}`));
  // A write to a peer that is gone fails asynchronously (EPIPE): that is the end of the session, not a crash.
  output.on('error', (e) => finish(`writing to it failed: ${e.message}`));
  return {
    send(message) {
      if (closed || output.destroyed || output.writableEnded) return;
      output.write(JSON.stringify(message) + '\n');
    },
    onLine(h) {
      lineHandler = h;
    },
    onClose(h) {
      closeHandler = h;
    },
    close(why = 'closed') {
      if (!output.writableEnded && !output.destroyed) output.end();
      finish(why);
    },
    get closed() {
      return closed;
    },
  };
}
