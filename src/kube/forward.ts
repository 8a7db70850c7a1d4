// A pod's port on this machine: a listener on 127.0.0.1 whose every connection is carried to the pod by the
// API server's port-forward (kubectl port-forward's mechanism, through @kubernetes/client-node). The agents are
// reached this way — the coordinator dials 127.0.0.1:PORT, one per pod — and so is the balancer's stats page.
import { createServer, type Server, type Socket } from 'node:net';
import { PortForward, type KubeConfig } from '@kubernetes/client-node';

export interface Forward {
  pod: string;
  /** The local port on 127.0.0.1. */
  port: number;
  close(): Promise<void>;
}

/** Opens a forward to one pod's port; injectable, so the orchestration can be tested without a cluster. */
export type Forwarder = (namespace: string, pod: string, port: number) => Promise<Forward>;

export function portForwarder(kc: KubeConfig): Forwarder {
  const pf = new PortForward(kc);
  return async (namespace, pod, targetPort) => {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      pf.portForward(namespace, pod, [targetPort], socket, null, socket).then(
        (ws) => {
          const w = typeof ws === 'function' ? ws() : ws;
          socket.on('close', () => w?.close());
        },
        (e: Error) => socket.destroy(e),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return {
      pod,
      port,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  };
}
