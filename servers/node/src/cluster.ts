/**
 * Entry point of the node-cluster stack: a primary forks WORKERS node:http workers and the primary hands out
 * connections round-robin. The primary restarts nothing: a crashed worker is a finding, not something to hide.
 * Chat rooms are per worker: with STACKBENCH_REDIS each worker fans out through Redis (its own publisher and
 * subscriber connections), without it a worker of several refuses /chat with 503 (workloads/chat.ts). The
 * primary serves nothing and connects to nothing.
 */
import cluster from 'node:cluster';
import { closeHttpServer, createHttpServer } from './http-app.js';
import { closeContext, loadContext } from './workloads/context.js';
import { die, onShutdown, orDie, readListen, readWorkers } from './workloads/process.js';

function runPrimary(): void {
  const workers = readWorkers();
  readListen(); // fail fast in the primary rather than once per worker
  // Must be set before the first fork; it is the Linux default, set here so the stack means what it says.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  let stopping = false;
  let alive = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork();
    alive++;
  }
  cluster.on('exit', (worker, code, signal) => {
    alive--;
    if (stopping) {
      if (alive === 0) process.exit(0);
      return;
    }
    process.stderr.write(
      `node-cluster: worker ${worker.process.pid} died (${signal ?? code}), not restarted\n`,
    );
    if (alive === 0) die('node-cluster: no workers left', 1);
  });
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    // A worker that ignores SIGTERM is killed outright; the lab must never be left with orphans.
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(0);
    }, 3000).unref();
    if (alive === 0) process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function runWorker(): void {
  const { host, port } = readListen();
  const ctx = orDie('node-cluster: cannot load servers/shared', loadContext);
  const server = createHttpServer(ctx, 'node-cluster');
  server.on('error', (err) => die(`node-cluster: cannot listen on ${host}:${port}: ${err.message}`, 1));
  server.listen(port, host);
  onShutdown(async () => {
    await closeHttpServer(server);
    await closeContext(ctx);
  });
  // The primary is gone (even by SIGKILL): a worker without it must not linger on the port.
  process.on('disconnect', () => process.exit(0));
}

if (cluster.isPrimary) runPrimary();
else runWorker();
