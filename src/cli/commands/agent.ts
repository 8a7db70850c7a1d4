// `stackbench agent`: run shards of a load for a coordinator (`load --agents`), over stdin/stdout by default or
// on a TCP port with --listen. Thin: the agent itself is src/dist/agent.ts. stdout carries the protocol only;
// what the agent has to say goes to stderr.
import { StackbenchError } from '../../errors.js';
import { serveAgent } from '../../dist/agent.js';
import { lineChannel } from '../../dist/lines.js';
import { listenAgent } from '../../dist/listen.js';
import { interrupt } from '../../machine/process.js';
import { parseIntFlag } from '../../options/units.js';
import { defineCommand } from '../command.js';

const flags = {
  listen: {
    type: 'string',
    value: 'PORT',
    help: 'serve one coordinator at a time on TCP PORT (a pod, a host without ssh)\ninstead of stdin/stdout; bye ends it, a dropped idle coordinator does not',
  },
  host: {
    type: 'string',
    value: 'ADDR',
    help: 'with --listen: the address to listen on (default 127.0.0.1)',
  },
  'allow-remote': {
    type: 'string',
    multiple: true,
    value: 'H',
    help: 'this agent may load the non-loopback host H (repeatable); a coordinator\ncannot widen the list',
  },
} as const;

export const agentCommand = defineCommand({
  name: 'agent',
  summary: 'run shards of a load for a coordinator (load --agents), on stdin/stdout or a TCP port',
  about:
    'Speak the agents protocol (JSON lines) with one coordinator and run the load shards it sends, probe\n' +
    'after probe. The agent never loads a server on its own: it ends when told to, when its stream closes,\n' +
    'or, while a load runs, when it has heard nothing from the coordinator for 3 s (exit 1).',
  flags,
  async run(f) {
    const allowRemote = f['allow-remote'] ?? [];
    const log = (line: string) => process.stderr.write(`${line}\n`);
    if (f.listen !== undefined) {
      const port = parseIntFlag('--listen', f.listen, 0, 65535);
      const host = f.host ?? '127.0.0.1';
      const exit = await listenAgent({
        port,
        host,
        allowRemote,
        signal: interrupt.signal,
        log,
        onListening: (p) => log(`stackbench agent: listening on ${host}:${p}`),
      });
      return exit.code;
    }
    if (f.host !== undefined)
      throw new StackbenchError('SB_BAD_FLAG', ['--host is the address of --listen; give both'], ['agent']);
    const exit = await serveAgent(lineChannel(process.stdin, process.stdout), {
      allowRemote,
      signal: interrupt.signal,
      log,
    });
    // The coordinator may still hold our stdin open: nothing more is read from it.
    process.stdin.destroy();
    return exit.code;
  },
});
