/** The lab's downstream service for /service: GET /item answers a fixed object, keep-alive, nothing else. */
import http from 'node:http';
import { closeHttpServer } from './http-app.js';
import { KEEP_ALIVE_MS } from './workloads/limits.js';
import { die, onShutdown, readListen } from './workloads/process.js';

const { host, port } = readListen();

const server = http.createServer((req, res) => {
  const found = req.method === 'GET' && req.url === '/item';
  const body = JSON.stringify(
    found ? { id: 7, name: 'downstream', tags: ['a', 'b', 'c'] } : { error: 'not found' },
  );
  res.writeHead(found ? 200 : 404, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    Server: 'downstream',
  });
  res.end(body);
});
server.keepAliveTimeout = KEEP_ALIVE_MS;
server.headersTimeout = KEEP_ALIVE_MS + 1000;
server.on('error', (err) => die(`downstream: cannot listen on ${host}:${port}: ${err.message}`, 1));
server.listen(port, host);
onShutdown(() => closeHttpServer(server));
