/** Entry point of the express stack: Express 5 with its own router and body parser. */
import express, { type NextFunction, type Request, type Response } from 'express';
import { closeHttpServer } from './http-app.js';
import { attachChat, sendSse } from './realtime.js';
import { UPGRADE_REQUIRED } from './workloads/chat.js';
import { fail } from './workloads/reply.js';
import { streamParams } from './workloads/stream.js';
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

const { host, port } = readListen();
const ctx = orDie('express: cannot load servers/shared', loadContext);

const app = express();
app.disable('x-powered-by');
app.disable('etag'); // no response caching: no ETag, no 304s

const send = (res: Response, r: Reply): void => {
  res.status(r.status).json(r.body);
};

app.use((_req, res, next) => {
  res.setHeader('Server', 'express');
  next();
});

app.get('/json', (_req, res) => {
  res.json({ message: 'Hello, World!' });
});
app.get('/io', async (req, res) => send(res, await ioReply(req.query.ms)));
app.get('/cpu', (req, res) => send(res, cpuReply(req.query.n)));
app.get('/data', (req, res) => send(res, dataReply(ctx, req.query.rows)));
app.get('/data/sized', (req, res) =>
  send(res, dataSizedReply(ctx, req.query.rows, req.query.op, req.query.impl)),
);
app.get('/ml/sized', (req, res) => send(res, mlSizedReply(req.query.batch, req.query.width)));
app.get('/info', (_req, res) => send(res, infoReply()));
app.get('/db', async (_req, res) => send(res, await dbReply(ctx.db)));
app.get('/service', async (_req, res) => send(res, await serviceReply(ctx.downstream)));
app.get('/stream', (req, res) => {
  const start = performance.now();
  const params = streamParams(req.query.n, req.query.interval);
  if (typeof params === 'string') return send(res, fail(400, params));
  sendSse(res, params, start);
});
// Upgrades go to the http.Server's 'upgrade' event (attachChat below); Express sees only plain GETs.
app.get('/chat', (_req, res) => {
  res.setHeader('Upgrade', 'websocket');
  send(res, fail(426, UPGRADE_REQUIRED));
});
// strict: false so a bare JSON value (e.g. "x" or 3) reaches the shape check and gets the same 400 text.
app.post('/ml', express.json({ limit: BODY_LIMIT, strict: false }), (req, res) =>
  send(res, mlReply(ctx, req.body)),
);

app.use((_req, res) => send(res, NOT_FOUND));
// body-parser errors carry a 4xx status (400 malformed JSON, 413 too large); keep it, in the contract's shape.
app.use((err: { status?: number; message: string }, _req: Request, res: Response, _next: NextFunction) => {
  const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
  res.status(status).json({ error: status === 500 ? 'internal error' : err.message });
});

const server = app.listen(port, host);
server.keepAliveTimeout = KEEP_ALIVE_MS;
server.headersTimeout = KEEP_ALIVE_MS + 1000;
attachChat(server, 'express');
server.on('error', (err) => die(`express: cannot listen on ${host}:${port}: ${err.message}`, 1));
onShutdown(async () => {
  await closeHttpServer(server);
  await closeContext(ctx);
});
