// Checks of the real-time workloads: server-sent events that arrive over time, and WebSocket chat fan-out.
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { STREAM_EVENTS, STREAM_INTERVAL_MS } from '../workloads.js';

type Problems = string[];
/** A stack that cannot do the workload by its model (WebSocket on WSGI): a finding, not a failure. */
export interface Unsupported {
  unsupported: string;
}

interface Timed {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  firstDataMs: number;
  totalMs: number;
  error?: string;
}

function timedGet(port: number, path: string, timeoutMs = 5000): Promise<Timed> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      let firstDataMs = -1;
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (firstDataMs < 0) firstDataMs = performance.now() - t0;
        body += c;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          firstDataMs,
          totalMs: performance.now() - t0,
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) =>
      resolve({ status: 0, headers: {}, body: '', firstDataMs: -1, totalMs: 0, error: e.message }),
    );
    req.end();
  });
}

export function expectedStream(n: number): string {
  let s = '';
  for (let i = 1; i <= n; i++) s += `data: {"seq":${i},"n":${n}}\n\n`;
  return s;
}

/** The "error" of a JSON body, if it has one. */
function errorOf(body: string): string | undefined {
  try {
    const err = (JSON.parse(body) as { error?: unknown }).error;
    return typeof err === 'string' ? err : undefined;
  } catch {
    return undefined;
  }
}

export async function checkStream(port: number): Promise<Problems | Unsupported> {
  const n = STREAM_EVENTS;
  const gap = STREAM_INTERVAL_MS;
  const path = `/stream?n=${n}&interval=${gap}`;
  const what = `GET ${path}`;
  const x = await timedGet(port, path);
  if (x.error) return [`${what}: ${x.error}`];
  // 501 with a reason: the stack cannot stream without blocking (Django 3.2 on ASGI), a finding like chat's.
  if (x.status === 501) return { unsupported: errorOf(x.body) ?? 'server-sent events are not supported' };
  const problems: Problems = [];
  const h = (k: string) => String(x.headers[k] ?? '');
  if (x.status !== 200) problems.push(`${what}: status ${x.status} (body: ${x.body.slice(0, 100)})`);
  if (!/^text\/event-stream\s*(;|$)/i.test(h('content-type')))
    problems.push(`${what}: Content-Type "${h('content-type')}"`);
  if (!/chunked/i.test(h('transfer-encoding')) || x.headers['content-length'] !== undefined) {
    problems.push(
      `${what}: not chunked (Transfer-Encoding "${h('transfer-encoding')}", Content-Length "${h('content-length')}")`,
    );
  }
  if (!/no-cache/i.test(h('cache-control')))
    problems.push(`${what}: Cache-Control "${h('cache-control')}", expected no-cache`);
  if (!h('server')) problems.push(`${what}: no Server header`);
  if (!h('date') || Number.isNaN(Date.parse(h('date'))))
    problems.push(`${what}: missing or invalid Date header`);
  if (x.body !== expectedStream(n))
    problems.push(`${what}: events ${JSON.stringify(x.body.slice(0, 120))} differ from the contract`);
  // Events arrive over time: the first after about one interval, the whole after about n intervals.
  if (x.firstDataMs < gap * 0.8)
    problems.push(`${what}: first event after ${x.firstDataMs.toFixed(0)} ms, expected ~${gap} ms`);
  if (x.totalMs < n * gap * 0.9)
    problems.push(`${what}: ended after ${x.totalMs.toFixed(0)} ms, expected ~${n * gap} ms`);
  if (x.firstDataMs > x.totalMs - (n - 2) * gap)
    problems.push(`${what}: events were buffered, not sent as they happened`);
  for (const bad of ['n=0', 'n=1001', 'interval=foo', 'n=1000&interval=100']) {
    const b = await timedGet(port, `/stream?${bad}`, 3000);
    if (b.status !== 400 || errorOf(b.body) === undefined)
      problems.push(`GET /stream?${bad}: status ${b.error ?? b.status}, expected 400 with {"error"}`);
  }
  return problems;
}

interface Client {
  ws: WebSocket;
  got: string[];
}

function connect(port: number, room: string): Promise<Client | { status: number; body: string } | Error> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat?room=${room}`, { handshakeTimeout: 3000 });
    const c: Client = { ws, got: [] };
    ws.on('message', (m) => c.got.push(m.toString()));
    ws.once('open', () => resolve(c));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (e) => resolve(e));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A refused handshake is a finding, not a failure, when the stack says why with 501 (no WebSocket in its
 * model) or 503 (rooms would be split across worker processes without a broker: STACKBENCH_REDIS). Where the
 * server lets the application refuse a handshake only with 403 (uvicorn 0.17), a plain GET /chat gives the
 * reason.
 */
async function refusedChat(
  port: number,
  room: string,
  refusal: { status: number; body: string },
): Promise<Problems | Unsupported> {
  const explained = (status: number, body: string) =>
    status === 501 || status === 503 ? errorOf(body) : undefined;
  let why = explained(refusal.status, refusal.body);
  if (why === undefined && refusal.status === 501) why = 'WebSocket is not supported by this server model';
  if (why === undefined && refusal.status === 403) {
    const plain = await timedGet(port, `/chat?room=${room}`, 3000);
    const reason = explained(plain.status, plain.body);
    if (reason !== undefined) why = `${reason} (handshake refused with 403, GET /chat ${plain.status})`;
  }
  if (why !== undefined) return { unsupported: why };
  return [`WS /chat: upgrade refused with status ${refusal.status}`];
}

export async function checkChat(port: number): Promise<Problems | Unsupported> {
  const room = `verify-${randomUUID().slice(0, 8)}`;
  const clients: Client[] = [];
  try {
    const first = await connect(port, room);
    if (first instanceof Error) return [`WS /chat: ${first.message}`];
    if (!('ws' in first)) return refusedChat(port, room, first);
    clients.push(first);
    for (const r of [room, `${room}-other`]) {
      const c = await connect(port, r);
      if (!('ws' in c))
        return [`WS /chat?room=${r}: ${c instanceof Error ? c.message : `status ${c.status}`}`];
      clients.push(c);
    }
    const [a1, a2, b1] = clients as [Client, Client, Client];
    const text = `hello ${randomUUID()}`;
    a1.ws.send(text);
    const until = Date.now() + 2000;
    while (Date.now() < until && (a1.got.length < 1 || a2.got.length < 1)) await sleep(10);
    await sleep(300); // anything more, or anything to the other room, would show by now
    const problems: Problems = [];
    const want = JSON.stringify([text]);
    if (JSON.stringify(a1.got) !== want)
      problems.push(
        `WS /chat: the sender got ${JSON.stringify(a1.got).slice(0, 80)}, expected its message back once`,
      );
    if (JSON.stringify(a2.got) !== want)
      problems.push(
        `WS /chat: a room member got ${JSON.stringify(a2.got).slice(0, 80)}, expected the message once`,
      );
    if (b1.got.length) problems.push('WS /chat: a client of another room received the message');
    const bad = await connect(port, 'bad%20room');
    if ('ws' in bad) {
      const closed = await new Promise<boolean>((r) => {
        bad.ws.once('close', () => r(true));
        setTimeout(() => r(false), 1000);
      });
      if (!closed) problems.push('WS /chat?room=bad%20room: accepted, expected a refusal');
      bad.ws.terminate();
    }
    return problems;
  } finally {
    for (const c of clients) c.ws.terminate();
  }
}
