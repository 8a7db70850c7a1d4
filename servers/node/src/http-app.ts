/**
 * The node:http server, shared by the node-http stack (one process) and each node-cluster worker.
 * Routing is a plain switch on the path: no framework, so this is the floor the frameworks are compared to.
 */
import http from 'node:http';
import type { Context } from './workloads/context.js';
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
import { queryValue } from './workloads/params.js';
import { fail } from './workloads/reply.js';
import { BODY_LIMIT, KEEP_ALIVE_MS } from './workloads/limits.js';
import { UPGRADE_REQUIRED } from './workloads/chat.js';
import { endStreams, streamParams } from './workloads/stream.js';
import { attachChat, chatRefusal, closeChat, sendSse } from './realtime.js';

type Res = http.ServerResponse;

export function createHttpServer(ctx: Context, serverName: string): http.Server {
  // writeHead with all headers at once is the cheapest way to answer in node:http; Date is added by node.
  const send = (res: Res, status: number, body: string, close = false): void => {
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      Server: serverName,
    };
    if (close) headers.Connection = 'close';
    res.writeHead(status, headers);
    res.end(body);
  };
  const sendReply = (res: Res, reply: Reply): void => send(res, reply.status, JSON.stringify(reply.body));

  const readJson = (req: http.IncomingMessage, res: Res, done: (body: unknown) => void): void => {
    const tooBig = (): void =>
      send(res, 413, JSON.stringify({ error: `body over ${BODY_LIMIT} bytes` }), true);
    if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) return tooBig();
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > BODY_LIMIT) {
        refused = true;
        chunks.length = 0;
        tooBig();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
      } catch {
        return sendReply(res, fail(400, 'body is not valid JSON'));
      }
      done(body);
    });
  };

  const handler = (req: http.IncomingMessage, res: Res): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    if (req.method === 'GET') {
      switch (path) {
        case '/json':
          return send(res, 200, JSON.stringify({ message: 'Hello, World!' }));
        case '/io':
          ioReply(queryValue(query, 'ms')).then((r) => sendReply(res, r));
          return;
        case '/cpu':
          return sendReply(res, cpuReply(queryValue(query, 'n')));
        case '/data':
          return sendReply(res, dataReply(ctx, queryValue(query, 'rows')));
        case '/data/sized':
          return sendReply(
            res,
            dataSizedReply(
              ctx,
              queryValue(query, 'rows'),
              queryValue(query, 'op'),
              queryValue(query, 'impl'),
            ),
          );
        case '/ml/sized':
          return sendReply(res, mlSizedReply(queryValue(query, 'batch'), queryValue(query, 'width')));
        case '/info':
          return sendReply(res, infoReply());
        case '/db':
          dbReply(ctx.db).then((r) => sendReply(res, r));
          return;
        case '/service':
          serviceReply(ctx.downstream).then((r) => sendReply(res, r));
          return;
        case '/stream': {
          const start = performance.now();
          const params = streamParams(queryValue(query, 'n'), queryValue(query, 'interval'));
          if (typeof params === 'string') return sendReply(res, fail(400, params));
          return sendSse(res, params, start, serverName);
        }
        case '/chat': {
          // Reached only without an Upgrade header: upgrades arrive on the server's 'upgrade' event.
          const refusal = chatRefusal();
          if (refusal) return sendReply(res, fail(503, refusal));
          res.setHeader('Upgrade', 'websocket');
          return sendReply(res, fail(426, UPGRADE_REQUIRED));
        }
      }
    } else if (req.method === 'POST' && path === '/ml') {
      return readJson(req, res, (body) => sendReply(res, mlReply(ctx, body)));
    }
    sendReply(res, NOT_FOUND);
  };

  const server = http.createServer(handler);
  // Load generators hold connections for a whole run; headersTimeout must stay above the keep-alive timeout.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  attachChat(server, serverName);
  return server;
}

/**
 * Closes the listener and idle keep-alive sockets; in-flight requests get a moment, then are cut. Open event
 * streams end now and WebSocket clients get a 1001 close: the listener's close waits for their sockets too.
 * The chat broker's Redis connections, if any, are dropped.
 */
export async function closeHttpServer(server: http.Server): Promise<void> {
  endStreams();
  const closed = new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
  await Promise.all([closed, closeChat()]);
}
