/**
 * stream and chat on a plain node:http server: used by http-app.ts (node-http, node-cluster workers) and by
 * express.ts, whose response object is an http.ServerResponse and whose server is an http.Server.
 * Fastify does the same with its own APIs (fastify.ts).
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { queryValue } from './workloads/params.js';
import { BROKER_DOWN, roomParam, ROOM_ERROR, Rooms, WS_OPTIONS } from './workloads/chat.js';
import { scheduleEvents, SSE_HEADERS, sseEvent, type StreamParams } from './workloads/stream.js';

/**
 * The room table of this process (one per cluster worker), made by attachChat: only a process that serves
 * HTTP holds rooms (a cluster primary, which imports this module too, must not connect to Redis).
 */
let chatRooms: Rooms | undefined;

/** The 503 error /chat answers in this process (several workers, no broker), if it must refuse. */
export function chatRefusal(): string | undefined {
  return chatRooms?.refusal;
}

/** Graceful stop of the chat: a close frame to every member, then the broker's connections dropped. */
export function closeChat(): Promise<void> {
  return chatRooms ? chatRooms.closeAll() : Promise.resolve();
}

/**
 * Starts an SSE response. `start` is the request's arrival (performance.now()), which the events are timed
 * from. Headers go out at once so the client sees the stream open; each event is its own chunk, written
 * when due (node:http sends a write at once: no Nagle, no buffering). The timers stop when the response
 * closes, whether it finished or the client went away.
 */
export function sendSse(
  res: http.ServerResponse,
  params: StreamParams,
  start: number,
  serverName?: string,
): void {
  res.writeHead(200, serverName ? { ...SSE_HEADERS, Server: serverName } : SSE_HEADERS);
  res.flushHeaders();
  const n = params.n;
  const stop = scheduleEvents(
    params,
    start,
    (seq) => res.write(sseEvent(seq, n)),
    () => res.end(),
  );
  res.on('close', stop);
}

/** A plain HTTP answer on a socket that asked to upgrade, then the socket is closed. */
function refuseUpgrade(socket: Duplex, status: number, error: string, serverName: string): void {
  const body = JSON.stringify({ error });
  socket.on('error', () => {}); // node removed its own listener before 'upgrade'; a reset must not crash us
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
      `Server: ${serverName}\r\nDate: ${new Date().toUTCString()}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/**
 * Serves WebSocket /chat?room=NAME on the server's upgrade requests; any other upgrade path is a 404 and a
 * bad room a 400, both before the handshake; so is a 503 when this process must refuse chat, or when the
 * broker could not subscribe the room in time. ws' handleUpgrade answers malformed handshakes itself.
 */
export function attachChat(server: http.Server, serverName: string): void {
  const rooms = (chatRooms ??= new Rooms(serverName));
  const wss = new WebSocketServer({ ...WS_OPTIONS, noServer: true });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path !== '/chat') return refuseUpgrade(socket, 404, 'not found', serverName);
    const room = roomParam(q === -1 ? undefined : queryValue(url.slice(q + 1), 'room'));
    if (room === undefined) return refuseUpgrade(socket, 400, ROOM_ERROR, serverName);
    if (rooms.refusal) return refuseUpgrade(socket, 503, rooms.refusal, serverName);
    const admitted = rooms.admit(room, socket);
    if (admitted === true) return wss.handleUpgrade(req, socket, head, (ws) => rooms.join(room, ws));
    // Waiting for the room's subscription: node removed its own listener before 'upgrade', so a reset
    // meanwhile needs ours; a client that gave up has closed its socket, which released its hold.
    socket.on('error', () => {});
    void admitted.then((ok) => {
      if (socket.destroyed) return;
      if (ok) wss.handleUpgrade(req, socket, head, (ws) => rooms.join(room, ws));
      else refuseUpgrade(socket, 503, BROKER_DOWN, serverName);
    });
  });
}
