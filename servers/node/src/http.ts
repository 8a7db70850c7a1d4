/** Entry point of the node-http stack: one process, node:http. */
import { closeHttpServer, createHttpServer } from './http-app.js';
import { closeContext, loadContext } from './workloads/context.js';
import { die, onShutdown, orDie, readListen } from './workloads/process.js';

const { host, port } = readListen();
const ctx = orDie('node-http: cannot load servers/shared', loadContext);
const server = createHttpServer(ctx, 'node-http');
server.on('error', (err) => die(`node-http: cannot listen on ${host}:${port}: ${err.message}`, 1));
server.listen(port, host);
onShutdown(async () => {
  await closeHttpServer(server);
  await closeContext(ctx);
});
