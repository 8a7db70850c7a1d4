/** Entry point of the fastify stack: Fastify 5, routes without schemas, logger off. */
import Fastify, { type FastifyReply } from 'fastify';
import { closeContext, loadContext } from './workloads/context.js';
import {
  cpuReply,
  dataReply,
  dbReply,
  ioReply,
  mlReply,
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
app.get('/db', async (_req, reply) => send(reply, await dbReply(ctx.db)));
app.get('/service', async (_req, reply) => send(reply, await serviceReply(ctx.downstream)));
app.post('/ml', async (req, reply) => send(reply, mlReply(ctx, req.body)));

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
  await app.close();
  await closeContext(ctx);
});
