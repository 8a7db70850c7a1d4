// What an agent to reach is (a transport and its argument, as --agents spells it) and what reaching it yields.
import { StackbenchError } from '../../errors.js';
import type { Channel } from '../lines.js';

export type TransportKind = 'local' | 'netns' | 'ssh' | 'tcp';

/** One agent to reach: the transport, its argument, and (tests) environment for a process the transport starts. */
export interface AgentSpec {
  kind: TransportKind;
  /** netns: the namespace; ssh: the host; tcp: HOST:PORT; local: empty. */
  target: string;
  env?: Record<string, string>;
}

export interface TransportContext {
  /** Passed to the agents a transport starts (--allow-remote): the hosts they may load. */
  allowRemote: string[];
  /** Cores the agents a transport starts on this host are pinned to. */
  cpus?: number[];
}

/** A connection to one agent. */
export interface AgentLink {
  /** How it was reached, as the user wrote it: "netns:sb-g1". */
  label: string;
  channel: Channel;
  /** Why the agent is gone, beyond its stream (a process's exit code or signal); undefined while it runs. */
  exitInfo(): string | undefined;
  /** Process transports: settles when the process has exited (its stream may close a moment before). */
  exited?: Promise<void>;
  /** The agent's last stderr lines (process transports), for error messages. */
  lastLines(): string[];
  /** End the agent (its process group) or the connection, whatever it is doing. */
  destroy(): Promise<void>;
}

export function specLabel(spec: AgentSpec): string {
  return spec.kind === 'local' ? 'local' : `${spec.kind}:${spec.target}`;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
// A host never starts with "-" (ssh would read it as an option).
const HOST = /^([A-Za-z0-9_.-]+@)?[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** One spec as written: local, netns:NAME, ssh:[USER@]HOST, tcp:HOST:PORT. */
export function parseSpec(text: string): AgentSpec {
  const bad = (why: string) => new StackbenchError('SB_BAD_AGENTS', [`"${text}": ${why}`], []);
  const [kind, ...rest] = text.trim().split(':');
  const arg = rest.join(':');
  if (kind === 'local' && rest.length === 0) return { kind: 'local', target: '' };
  if (kind === 'netns') {
    if (!NAME.test(arg)) throw bad('a namespace name is letters, digits, _ . - (ip netns list)');
    return { kind, target: arg };
  }
  if (kind === 'ssh') {
    if (!HOST.test(arg)) throw bad('give ssh:HOST or ssh:USER@HOST');
    return { kind, target: arg };
  }
  if (kind === 'tcp') {
    const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9_.-]*):(\d{1,5})$/.exec(arg);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw bad('give tcp:HOST:PORT');
    return { kind, target: arg };
  }
  throw bad('unknown transport (local, netns:NAME, ssh:HOST, tcp:HOST:PORT)');
}

/** --agents: a count of local agents ("3"), or specs separated by commas. */
export function parseAgents(text: string): AgentSpec[] {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n < 1 || n > 64) throw new StackbenchError('SB_BAD_AGENTS', [`"${text}": a count is 1..64`], []);
    return Array.from({ length: n }, () => ({ kind: 'local', target: '' }));
  }
  const specs = t
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(parseSpec);
  if (specs.length === 0) throw new StackbenchError('SB_BAD_AGENTS', [`"${text}": no agent given`], []);
  if (specs.length > 64) throw new StackbenchError('SB_BAD_AGENTS', [`"${text}": at most 64 agents`], []);
  return specs;
}
