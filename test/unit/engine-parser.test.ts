// The HTTP/1.1 response parser: lengths, chunked bodies (extensions, trailers), keep-alive rules, every
// split position of a pipelined stream, and malformed input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PARSE_ERROR, ResponseParser } from '../../src/engine/http1/parser.js';

interface Parsed {
  status: number;
  keepAlive: boolean;
}

/** Feed the buffers in order; collect every complete response. Throws on a parse error. */
function parseAll(parts: Buffer[], p = new ResponseParser()): Parsed[] {
  const out: Parsed[] = [];
  for (const part of parts) {
    let off = 0;
    while (off < part.length) {
      const next = p.execute(part, off);
      if (next === PARSE_ERROR) throw new Error(`parse error: ${p.error}`);
      assert.ok(next > off || p.complete, 'parser made progress');
      off = next;
      if (p.complete) {
        p.complete = false;
        out.push({ status: p.status, keepAlive: p.keepAlive });
      }
    }
  }
  return out;
}

const b = (s: string) => Buffer.from(s, 'latin1');

const PIPELINE = [
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello',
  'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1;x\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nCONTENT-LENGTH: 3\r\n\r\nabc',
  'HTTP/1.1 204 No Content\r\n\r\n',
  'HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok',
].join('');

const EXPECTED: Parsed[] = [
  { status: 200, keepAlive: true },
  { status: 404, keepAlive: true },
  { status: 200, keepAlive: true },
  { status: 201, keepAlive: true },
  { status: 204, keepAlive: true },
  { status: 500, keepAlive: true },
  { status: 304, keepAlive: true },
  { status: 200, keepAlive: false },
];

test('parses a pipelined stream in one buffer', () => {
  assert.deepEqual(parseAll([b(PIPELINE)]), EXPECTED);
});

test('parses the same stream split at every byte position', () => {
  const all = b(PIPELINE);
  for (let i = 1; i < all.length; i++) {
    assert.deepEqual(parseAll([all.subarray(0, i), all.subarray(i)]), EXPECTED, `split at ${i}`);
  }
});

test('parses the stream fed one byte at a time', () => {
  const all = b(PIPELINE);
  const bytes: Buffer[] = [];
  for (let i = 0; i < all.length; i++) bytes.push(all.subarray(i, i + 1));
  assert.deepEqual(parseAll(bytes), EXPECTED);
});

test('stops right after each response so unsolicited bytes are visible', () => {
  const p = new ResponseParser();
  const buf = b('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA');
  const off = p.execute(buf, 0);
  assert.equal(p.complete, true);
  assert.equal(off, buf.length - 5);
});

test('keep-alive rules: HTTP/1.0 closes unless asked, Connection lists are tokens', () => {
  assert.deepEqual(parseAll([b('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')]), [
    { status: 200, keepAlive: false },
  ]);
  assert.deepEqual(parseAll([b('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n')]), [
    { status: 200, keepAlive: true },
  ]);
  assert.deepEqual(
    parseAll([b('HTTP/1.1 200 OK\r\nConnection: upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n')]),
    [{ status: 200, keepAlive: false }],
  );
});

test('a body without length runs until close and completes on end()', () => {
  const p = new ResponseParser();
  assert.deepEqual(parseAll([b('HTTP/1.1 200 OK\r\n\r\nsome'), b('thing')], p), []);
  assert.equal(p.end(), true);
  assert.equal(p.complete, true);
  assert.equal(p.keepAlive, false);
});

test('end() in the middle of a response reports it cut short', () => {
  for (const partial of [
    'HTTP/1.1 2',
    'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab',
  ]) {
    const p = new ResponseParser();
    assert.notEqual(p.execute(b(partial), 0), PARSE_ERROR);
    assert.equal(p.complete, false);
    assert.equal(p.end(), false, partial);
  }
  assert.equal(new ResponseParser().end(), true, 'nothing started: a clean close');
});

test('malformed input is an error, never an exception', () => {
  const bad = [
    'garbage\r\n',
    '\x00\x01\x02\r\n',
    'HTTP/2.0 200 OK\r\n\r\n',
    'HTTP/1.1 20 OK\r\n\r\n',
    'HTTP/1.1 999 OK\r\n\r\n',
    'HTTP/1.1 200OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
    'HTTP/1.1 200 OK\r\n: empty name\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY\r\n',
    'HTTP/1.1 200 OK\r\n folded: header\r\n\r\n',
    'HTTP/1.1 101 Switching Protocols\r\n\r\n',
  ];
  for (const s of bad) {
    const p = new ResponseParser();
    assert.equal(p.execute(b(s), 0), PARSE_ERROR, JSON.stringify(s));
    assert.ok(p.error.length > 0);
  }
});

test('an endless header line is rejected instead of buffered forever', () => {
  const p = new ResponseParser();
  assert.notEqual(p.execute(b('HTTP/1.1 200 OK\r\nX-Long: '), 0), PARSE_ERROR);
  let r = 0;
  for (let i = 0; i < 10 && r !== PARSE_ERROR; i++) r = p.execute(Buffer.alloc(4096, 0x61), 0);
  assert.equal(r, PARSE_ERROR);
});

test('bytes that cannot start a status line fail at once, without waiting for a newline', () => {
  assert.equal(new ResponseParser().execute(b('EXTRA'), 0), PARSE_ERROR);
  assert.notEqual(new ResponseParser().execute(b('HTTP/1'), 0), PARSE_ERROR);
});
