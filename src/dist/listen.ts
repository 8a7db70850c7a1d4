// `stackbench agent --listen PORT`: an agent on a TCP port (a Kubernetes pod, a host without ssh), serving one
// coordinator at a time — a second connection is told so and closed. A coordinator that disconnects while idle
// leaves the agent listening for the next; bye ends it (exit 0); a load cut by a lost coordinator ends it
// (exit 1). It listens on 127.0.0.1 unless --host says otherwise.
import { createServer, type Socket } from 'node:net';
import { serveAgent, type AgentExit, type AgentOptions } from './agent.js';
import { lineChannel } from './lines.js';

export interface ListenOptions extends AgentOptions {
  port: number;
  host: string;
  /** Called once listening, with the port (0 asks the kernel for one). */
  onListening?: (port: number) => void;
}

export function listenAgent(opts: ListenOptions): Promise<AgentExit> {
  return new Promise((resolve, reject) => {
    let busy = false;
    const server = createServer({ noDelay: true });
    const finish = (exit: AgentExit) => {
      opts.signal?.removeEventListener('abort', onSignal);
      server.close(() => resolve(exit));
    };
    const onSignal = () => {
      if (!busy) finish({ end: 'stopped', code: 0 });
    };
    opts.signal?.addEventListener('abort', onSignal, { once: true });
    server.on('connection', (socket: Socket) => {
      if (busy) {
        socket.end(
          JSON.stringify({
            t: 'error',
            code: 'SB_BAD_AGENTS',
            message: 'this agent serves another coordinator',
            hint: 'give each coordinator its own agents',
          }) + '\n',
        );
        return;
      }
      busy = true;
      void serveAgent(lineChannel(socket, socket), opts).then((exit) => {
        socket.destroy();
        busy = false;
        if (exit.end === 'closed' && exit.code === 0 && !opts.signal?.aborted) return;
        finish(exit);
      });
    });
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const addr = server.address();
      opts.onListening?.(typeof addr === 'object' && addr ? addr.port : opts.port);
    });
  });
}
