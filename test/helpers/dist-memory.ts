// A real agent (serveAgent, the engine's runLoad) in this process, reached over in-memory streams instead of a
// pipe or a socket, with a tap on what it says: the coordinator's state machine meets a peer that dies (cut),
// goes quiet, repeats itself or never answers, exactly when a test wants it to.
import { PassThrough } from 'node:stream';
import { serveAgent, type AgentExit } from '../../src/dist/agent.js';
import { lineChannel } from '../../src/dist/lines.js';
import type { AgentLink } from '../../src/dist/transports/index.js';

export interface MemoryAgent {
  link: AgentLink;
  /** The agent's own end: how its session ended (never settles for an agent that was never started). */
  exit: Promise<AgentExit>;
  /** The agent dies: both streams end at once, as when its process is killed. */
  cut(): void;
}

export interface MemoryAgentOptions {
  label?: string;
  allowRemote?: string[];
  /** Each line the agent sends passes through here: return the lines the coordinator gets (none, it, twice). */
  tap?: (line: string) => string[];
  /** The agent never starts: nothing ever answers (a host that never becomes ready). */
  silent?: boolean;
}

export function memoryAgent(opts: MemoryAgentOptions = {}): MemoryAgent {
  const toAgent = new PassThrough();
  const fromAgentRaw = new PassThrough();
  const fromAgent = new PassThrough();
  let pending = '';
  fromAgentRaw.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      for (const out of opts.tap ? opts.tap(line) : [line])
        if (!fromAgent.writableEnded) fromAgent.write(out + '\n');
      nl = pending.indexOf('\n');
    }
  });
  let cut = false;
  const exit = opts.silent
    ? new Promise<AgentExit>(() => {})
    : serveAgent(lineChannel(toAgent, fromAgentRaw), { allowRemote: opts.allowRemote ?? [] });
  const link: AgentLink = {
    label: opts.label ?? 'memory',
    channel: lineChannel(fromAgent, toAgent),
    exitInfo: () => (cut ? 'it was cut by the test' : undefined),
    lastLines: () => [],
    destroy: async () => {
      toAgent.end();
      fromAgent.end();
    },
  };
  return {
    link,
    exit,
    cut: () => {
      cut = true;
      fromAgent.end();
      toAgent.end();
    },
  };
}
