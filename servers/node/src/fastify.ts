/** Entry point of the fastify stack: Fastify 5, routes without schemas, logger off. */
import { Readable } from 'node:stream';
import Fastify, { type FastifyReply } from 'fastify';
import websocket from '@fastify/websocket';
import { BROKER_DOWN, roomParam, ROOM_ERROR, Rooms, UPGRADE_REQUIRED, WS_OPTIONS } from './workloads/chat.js';
import { fail } from './workloads/reply.js';
import { endStreams, scheduleEvents, SSE_HEADERS, sseEvent, streamParams } from './workloads/stream.js';
import { closeContext, loadContext } from './workloads/context.js';
import {
  cpuReply,
  dataReply,
  dataSizedReply,
  dbReply,
  infoReply,
  ioReply,
  mlReply,
  mlSizedReply,
  NOT_FOUND,
  serviceReply,
  type Reply,
} from './workloads/endpoints.js';
import { BODY_LIMIT, KEEP_ALIVE_MS } from './workloads/limits.js';
import { die, onShutdown, orDie, readListen } from './workloads/process.js';

type Query = Record<string, unknown>;

const { host, port } = readListen();
const ctx = orDie('fastify: cannot load servers/shared', loadContext);

const app = Fastify({ logger: false, keepAliveTimeout: KEEP_ALIVE_MS, bodyLimit: BODY_LIMIT });

const send = (reply: FastifyReply, r: Reply): FastifyReply => reply.code(r.status).send(r.body);

// onRequest runs for every request, the 404s included, so every answer names its server.
app.addHook('onRequest', (_req, reply, done) => {
  reply.header('server', 'fastify');
  done();
});

app.get('/json', async () => ({ message: 'Hello, World!' }));
app.get<{ Querystring: Query }>('/io', async (req, reply) => send(reply, await ioReply(req.query.ms)));
app.get<{ Querystring: Query }>('/cpu', async (req, reply) => send(reply, cpuReply(req.query.n)));
app.get<{ Querystring: Query }>('/data', async (req, reply) => send(reply, dataReply(ctx, req.query.rows)));
app.get<{ Querystring: Query }>('/data/sized', async (req, reply) =>
  send(reply, dataSizedReply(ctx, req.query.rows, req.query.op, req.query.impl)),
);
app.get<{ Querystring: Query }>('/ml/sized', async (req, reply) =>
  send(reply, mlSizedReply(req.query.batch, req.query.width)),
);
app.get('/info', async (_req, reply) => send(reply, infoReply()));
app.get('/db', async (_req, reply) => send(reply, await dbReply(ctx.db)));
app.get('/service', async (_req, reply) => send(reply, await serviceReply(ctx.downstream)));
app.post('/ml', async (req, reply) => send(reply, mlReply(ctx, req.body)));

// Fastify's documented way to stream is reply.send(a Readable): it pipes without a Content-Length, so the
// response is chunked. Events are pushed when due; Fastify destroys the Readable if the client goes away.
app.get<{ Querystring: Query }>('/stream', async (req, reply) => {
  const start = performance.now();
  const params = streamParams(req.query.n, req.query.interval);
  if (typeof params === 'string') return send(reply, fail(400, params));
  const body = new Readable({ read() {} });
  const n = params.n;
  const stop = scheduleEvents(
    params,
    start,
    (seq) => body.push(sseEvent(seq, n)),
    () => body.push(null),
  );
  body.on('close', stop);
  reply.headers(SSE_HEADERS).send(body);
  // send() has set the headers on the raw response; flushing them shows the client the stream is open now
  // rather than with the first event, as on the other Node stacks.
  reply.raw.flushHeaders();
  return reply;
});

// The room table of this process. @fastify/websocket routes the upgrade through Fastify (hooks included) and
// hands the socket to wsHandler; a plain GET runs handler. A bad room is refused before the handshake, and
// so is a join whose room the broker (STACKBENCH_REDIS) could not subscribe in time: preValidation awaits it.
const rooms = new Rooms('fastify');
await app.register(websocket, {
  options: WS_OPTIONS,
  preClose: async () => {
    await rooms.closeAll();
  },
});
app.route<{ Querystring: Query }>({
  method: 'GET',
  url: '/chat',
  preValidation: async (req, reply) => {
    if (!req.ws) return;
    const room = roomParam(req.query.room);
    if (room === undefined) return send(reply, fail(400, ROOM_ERROR));
    if (rooms.refusal) return send(reply, fail(503, rooms.refusal));
    // The raw upgrade socket: its close (refused, given up, or a member leaving) ends the hold on the room.
    const admitted = rooms.admit(room, req.raw.socket);
    if (admitted !== true && !(await admitted)) return send(reply, fail(503, BROKER_DOWN));
  },
  handler: async (_req, reply) =>
    rooms.refusal
      ? send(reply, fail(503, rooms.refusal))
      : send(reply.header('upgrade', 'websocket'), fail(426, UPGRADE_REQUIRED)),
  wsHandler: (socket, req) => rooms.join(roomParam(req.query.room) as string, socket),
});

app.setNotFoundHandler((_req, reply) => send(reply, NOT_FOUND));
// Fastify's own errors (malformed JSON, body too large, bad content type) keep their status but take the
// contract's {"error": ...} shape; anything unexpected is a 500.
app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  return reply.code(status).send({ error: status === 500 ? 'internal error' : err.message });
});

app
  .listen({ host, port })
  .catch((err: Error) => die(`fastify: cannot listen on ${host}:${port}: ${err.message}`, 1));
onShutdown(async () => {
  endStreams();
  await app.close();
  await closeContext(ctx);
});
