// Incremental HTTP/1.1 response parser that works on Buffers without converting them to strings.
// It reads one response at a time: execute() stops right after a complete response so the caller can tell
// a pipelined/unsolicited byte from the next expected response. Line-oriented states (status line, headers,
// chunk sizes, trailers) use Buffer.indexOf (memchr); a line split across reads is kept in `pending`, which
// only happens at TCP segment boundaries. Bodies are skipped by counting, never copied.

const enum State {
  Status,
  Header,
  BodyLength,
  BodyUntilClose,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailer,
}

const MAX_LINE = 16 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;
// Largest chunk or body we accept: 2^48 bytes, far beyond any test yet safe in a double.
const MAX_LENGTH = 2 ** 48;

const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const CONNECTION = Buffer.from('connection');
const KEEP_ALIVE = Buffer.from('keep-alive');
const CLOSE = Buffer.from('close');

/** Result of execute(): offset where parsing stopped, or PARSE_ERROR. */
export const PARSE_ERROR = -1;

export class ResponseParser {
  /** Set when execute() returned right after a complete response; the caller clears it. */
  complete = false;
  status = 0;
  /** Whether the connection may carry another request after this response. */
  keepAlive = true;
  /** Why the last execute() failed, for diagnostics. */
  error = '';
  /** True once the status line of the current response has been seen (a response is under way). */
  started = false;

  private state = State.Status;
  private pending: Buffer | null = null;
  private remaining = 0;
  private contentLength = -1;
  private chunked = false;
  private headerBytes = 0;
  private minor = 1;
  private connClose = false;
  private connKeepAlive = false;

  /** Parse from `start`; returns the offset after the bytes consumed, or PARSE_ERROR. */
  execute(input: Buffer, start = 0): number {
    let data = input;
    let pos = start;
    // Offsets returned are in `input`: data[p] is input[p - base].
    let base = 0;
    if (this.pending !== null) {
      base = this.pending.length - start;
      data = Buffer.concat([this.pending, input.subarray(start)]);
      pos = 0;
      this.pending = null;
    }
    const len = data.length;
    while (pos < len) {
      const st = this.state;
      if (st === State.BodyLength || st === State.ChunkData) {
        const n = Math.min(this.remaining, len - pos);
        this.remaining -= n;
        pos += n;
        if (this.remaining === 0) {
          if (st === State.ChunkData) this.state = State.ChunkEnd;
          else return this.finish(pos - base);
        }
        continue;
      }
      if (st === State.BodyUntilClose) return len - base;
      const nl = data.indexOf(10, pos);
      if (nl < 0) {
        if (len - pos > MAX_LINE) return this.fail('line too long');
        // Garbage without a newline would otherwise wait for one until the timeout: reject it now.
        if (st === State.Status && !startsLikeStatus(data, pos, len)) return this.fail('bad status line');
        // Copy: the socket's buffer may be reused once we return.
        this.pending = Buffer.from(data.subarray(pos));
        return len - base;
      }
      let end = nl;
      if (end > pos && data[end - 1] === 13) end--;
      const ok = this.line(data, pos, end);
      pos = nl + 1;
      if (!ok) return PARSE_ERROR;
      if (this.complete) return pos - base;
    }
    return len - base;
  }

  /** The peer closed the stream: completes a read-until-close body; false if a response was cut short. */
  end(): boolean {
    if (this.state === State.BodyUntilClose) {
      this.finish(0);
      return true;
    }
    return !this.started && this.pending === null;
  }

  reset(): void {
    this.state = State.Status;
    this.pending = null;
    this.complete = false;
    this.started = false;
    this.error = '';
  }

  private fail(why: string): number {
    this.error = why;
    return PARSE_ERROR;
  }

  private finish(offset: number): number {
    this.complete = true;
    this.started = false;
    this.state = State.Status;
    return offset;
  }

  /** Handle one line (without its CRLF); false on malformed input. */
  private line(d: Buffer, s: number, e: number): boolean {
    switch (this.state) {
      case State.Status:
        return this.statusLine(d, s, e);
      case State.Header:
        this.headerBytes += e - s + 2;
        if (this.headerBytes > MAX_HEADER_BYTES) return this.fail('headers too large') >= 0;
        if (e === s) return this.endOfHeaders();
        return this.header(d, s, e);
      case State.ChunkSize:
        return this.chunkSize(d, s, e);
      case State.ChunkEnd:
        if (e !== s) return this.fail('chunk not followed by CRLF') >= 0;
        this.state = State.ChunkSize;
        return true;
      case State.Trailer:
        if (e === s) this.finish(0);
        return true;
      default:
        return this.fail('internal state') >= 0;
    }
  }

  private statusLine(d: Buffer, s: number, e: number): boolean {
    // HTTP/1.x SP DDD [SP reason]
    if (
      e - s < 12 ||
      d[s] !== 72 || // H
      d[s + 1] !== 84 || // T
      d[s + 2] !== 84 ||
      d[s + 3] !== 80 || // P
      d[s + 4] !== 47 || // /
      d[s + 5] !== 49 || // 1
      d[s + 6] !== 46 || // .
      d[s + 8] !== 32
    ) {
      return this.fail('bad status line') >= 0;
    }
    const minor = d[s + 7]! - 48;
    const a = d[s + 9]! - 48;
    const b = d[s + 10]! - 48;
    const c = d[s + 11]! - 48;
    if (minor < 0 || minor > 9 || a < 1 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) {
      return this.fail('bad status line') >= 0;
    }
    if (e - s > 12 && d[s + 12] !== 32) return this.fail('bad status line') >= 0;
    this.status = a * 100 + b * 10 + c;
    this.minor = minor;
    this.state = State.Header;
    this.started = true;
    this.contentLength = -1;
    this.chunked = false;
    this.headerBytes = 0;
    this.connClose = false;
    this.connKeepAlive = false;
    return true;
  }

  private header(d: Buffer, s: number, e: number): boolean {
    const first = d[s];
    if (first === 32 || first === 9) return this.fail('folded header') >= 0;
    let colon = -1;
    for (let i = s; i < e; i++) {
      if (d[i] === 58) {
        colon = i;
        break;
      }
    }
    if (colon <= s) return this.fail('header without name') >= 0;
    let vs = colon + 1;
    let ve = e;
    while (vs < ve && (d[vs] === 32 || d[vs] === 9)) vs++;
    while (ve > vs && (d[ve - 1] === 32 || d[ve - 1] === 9)) ve--;
    const nameLen = colon - s;
    if (nameLen === 14 && eqLower(d, s, CONTENT_LENGTH)) {
      const n = parseDecimal(d, vs, ve);
      if (n < 0) return this.fail('bad content-length') >= 0;
      if (this.contentLength >= 0 && this.contentLength !== n)
        return this.fail('conflicting content-length') >= 0;
      this.contentLength = n;
    } else if (nameLen === 17 && eqLower(d, s, TRANSFER_ENCODING)) {
      // Chunked only when it is the final coding; any other coding means "read until close".
      this.chunked = endsWithTokenLower(d, vs, ve, 'chunked');
      if (!this.chunked) this.contentLength = -2;
    } else if (nameLen === 10 && eqLower(d, s, CONNECTION)) {
      // Fast path for the usual single-token values; the token split only for lists.
      if (ve - vs === 10 && eqLower(d, vs, KEEP_ALIVE)) this.connKeepAlive = true;
      else if (ve - vs === 5 && eqLower(d, vs, CLOSE)) this.connClose = true;
      else {
        if (hasTokenLower(d, vs, ve, 'close')) this.connClose = true;
        if (hasTokenLower(d, vs, ve, 'keep-alive')) this.connKeepAlive = true;
      }
    }
    return true;
  }

  private endOfHeaders(): boolean {
    const st = this.status;
    this.keepAlive = !this.connClose && (this.minor >= 1 || this.connKeepAlive);
    if (st < 200) {
      // Interim response (100 Continue, 103 Early Hints): the final one follows. 101 we never ask for.
      if (st === 101) return this.fail('unexpected 101 switching protocols') >= 0;
      this.state = State.Status;
      this.started = false;
      return true;
    }
    if (st === 204 || st === 304) {
      this.finish(0);
      return true;
    }
    if (this.chunked) {
      this.state = State.ChunkSize;
    } else if (this.contentLength >= 0) {
      if (this.contentLength === 0) {
        this.finish(0);
        return true;
      }
      this.remaining = this.contentLength;
      this.state = State.BodyLength;
    } else {
      // No length: the body runs until the server closes, so the connection cannot be reused.
      this.keepAlive = false;
      this.state = State.BodyUntilClose;
    }
    return true;
  }

  private chunkSize(d: Buffer, s: number, e: number): boolean {
    let n = 0;
    let i = s;
    for (; i < e; i++) {
      const c = d[i]!;
      let v: number;
      if (c >= 48 && c <= 57) v = c - 48;
      else if (c >= 97 && c <= 102) v = c - 87;
      else if (c >= 65 && c <= 70) v = c - 55;
      else break;
      n = n * 16 + v;
      if (n > MAX_LENGTH) return this.fail('chunk too large') >= 0;
    }
    if (i === s) return this.fail('bad chunk size') >= 0;
    while (i < e && (d[i] === 32 || d[i] === 9)) i++;
    // Anything else must be a chunk extension (";name=value"), which we ignore.
    if (i < e && d[i] !== 59) return this.fail('bad chunk size') >= 0;
    if (n === 0) {
      this.state = State.Trailer;
    } else {
      this.remaining = n;
      this.state = State.ChunkData;
    }
    return true;
  }
}

const STATUS_PREFIX = Buffer.from('HTTP/1.');

function startsLikeStatus(d: Buffer, s: number, e: number): boolean {
  const n = Math.min(e - s, STATUS_PREFIX.length);
  for (let i = 0; i < n; i++) if (d[s + i] !== STATUS_PREFIX[i]) return false;
  return true;
}

/** Case-insensitive compare of d[s..s+lower.length) with an already lower-case ASCII name. */
function eqLower(d: Buffer, s: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((d[s + i]! | 0x20) !== lower[i]) return false;
  }
  return true;
}

function parseDecimal(d: Buffer, s: number, e: number): number {
  if (s === e || e - s > 15) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = d[i]! - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Header values are short; these run only for the rare Connection / Transfer-Encoding headers. */
function tokens(d: Buffer, s: number, e: number): string[] {
  return d
    .toString('latin1', s, e)
    .toLowerCase()
    .split(',')
    .map((t) => t.trim());
}

function hasTokenLower(d: Buffer, s: number, e: number, token: string): boolean {
  return tokens(d, s, e).includes(token);
}

function endsWithTokenLower(d: Buffer, s: number, e: number, token: string): boolean {
  const t = tokens(d, s, e);
  return t[t.length - 1] === token;
}
