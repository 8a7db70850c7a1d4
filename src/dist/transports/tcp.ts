// tcp:HOST:PORT: an agent already listening (`stackbench agent --listen PORT`), such as a Kubernetes pod reached
// through a port-forward. The connection is the session: closing it is the agent's EOF.
import { connect } from 'node:net';
import { lineChannel } from '../lines.js';
import { specLabel, type AgentLink, type AgentSpec } from './spec.js';

const CONNECT_TIMEOUT_MS = 5000;

export function tcpTransport(spec: AgentSpec): Promise<AgentLink> {
  const at = spec.target.lastIndexOf(':');
  const host = spec.target.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(spec.target.slice(at + 1));
  const label = specLabel(spec);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to ${spec.target} within ${CONNECT_TIMEOUT_MS / 1000} s`));
    }, CONNECT_TIMEOUT_MS);
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot connect to ${spec.target}: ${e.message}`));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      let closedAt: string | undefined;
      socket.once('close', () => (closedAt = 'its connection closed'));
      resolve({
        label,
        channel: lineChannel(socket, socket),
        exitInfo: () => closedAt,
        lastLines: () => [],
        destroy: async () => {
          socket.destroy();
        },
      });
    });
  });
}
