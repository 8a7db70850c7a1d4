// A node:http server that stalls ALL processing for S ms every P ms, like a stop-the-world GC pause: a request
// arriving during a stall waits in the kernel until the stall ends, then is answered at once. Stall k covers
// [origin + kP, origin + kP + S) exactly: a timer wakes up 2 ms early and the rest is a busy wait on the
// monotonic clock, so the windows do not drift with timer lateness.
// Usage: node dist/bench/lib/stall-server.js STALL_MS PERIOD_MS [HOST]  -> prints "listening PORT"
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const stallMs = Number(process.argv[2] ?? 150);
const periodMs = Number(process.argv[3] ?? 200);
if (!(stallMs > 0 && periodMs > stallMs)) {
  console.error('usage: stall-server STALL_MS PERIOD_MS (0 < STALL_MS < PERIOD_MS)');
  process.exit(2);
}

const server = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '2' });
  res.end('ok');
});
server.keepAliveTimeout = 120_000;

const origin = performance.now();
let lateStarts = 0;
let stalls = 0;
let drainSumMs = 0;
let drainMaxMs = 0;

function scheduleNext(): void {
  const now = performance.now();
  const start = origin + (Math.floor((now - origin) / periodMs) + 1) * periodMs;
  setTimeout(() => stall(start), Math.max(0, start - now - 2));
}

function stall(start: number): void {
  while (performance.now() < start) {
    /* spin up to the exact start */
  }
  if (performance.now() - start > 1) lateStarts++;
  const end = start + stallMs;
  while (performance.now() < end) {
    /* the pause: nothing else runs */
  }
  // How long after the pause the loop gets round again (backlog processed, or the core taken by another
  // process): the server's own departure from the model, reported on exit.
  setImmediate(() => {
    const d = performance.now() - end;
    stalls++;
    drainSumMs += d;
    drainMaxMs = Math.max(drainMaxMs, d);
  });
  scheduleNext();
}

process.on('SIGTERM', () => {
  const mean = stalls ? drainSumMs / stalls : 0;
  console.error(
    `stall-server: stalls ${stalls}, late starts ${lateStarts}, drain mean ${mean.toFixed(2)} ms max ${drainMaxMs.toFixed(2)} ms`,
  );
  process.exit(0);
});

server.listen(0, process.argv[4] ?? '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
  scheduleNext();
});
