// The registry of transports (after k6's outputs): how the coordinator reaches an agent. Each one yields an
// AgentLink — a JSON-lines channel to a `stackbench agent` and a way to end it — so the coordinator never asks
// how an agent was reached. Process transports speak over the agent's stdin/stdout, so they work through any
// pipe (ssh, `ip netns exec`, `kubectl exec`) without opening a port, and an agent's death is an EOF.
//   local          a child `stackbench agent`, pinned to the generator cores
//   netns:NAME     the same inside the network namespace NAME (`ip netns exec`)
//   ssh:HOST       `ssh -T -o BatchMode=yes HOST stackbench agent` (stackbench on the remote PATH)
//   tcp:HOST:PORT  an agent already listening (`stackbench agent --listen PORT`), e.g. a Kubernetes pod
import { processTransport } from './process.js';
import type { AgentLink, AgentSpec, TransportContext, TransportKind } from './spec.js';
import { tcpTransport } from './tcp.js';

export { parseAgents, parseSpec, specLabel } from './spec.js';
export type { AgentLink, AgentSpec, TransportContext, TransportKind } from './spec.js';

export type Transport = (spec: AgentSpec, ctx: TransportContext) => Promise<AgentLink>;

export const transports: Record<TransportKind, Transport> = {
  local: processTransport,
  netns: processTransport,
  ssh: processTransport,
  tcp: tcpTransport,
};
