// Agents as processes: local, netns:NAME and ssh:HOST start `stackbench agent` and speak over its stdin/stdout.
// Started through machine/process.ts (own process group, parent-death signal, stopped on exit), so no agent
// outlives the coordinator; local and netns agents run on this host and are pinned to the generator cores.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from '../../machine/process.js';
import { parseCpuList } from '../../machine/cpuset.js';
import { ROOT } from '../../paths.js';
import { lineChannel } from '../lines.js';
import { specLabel, type AgentLink, type AgentSpec, type TransportContext } from './spec.js';

/** The cores this process may use: where agents on this host go unless told otherwise. */
export function ownCpus(): number[] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    return parseCpuList(/^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '') ?? [];
  } catch {
    return [];
  }
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command that runs an agent for this spec. */
export function agentArgv(spec: AgentSpec, allowRemote: string[]): string[] {
  const allow = allowRemote.flatMap((h) => ['--allow-remote', h]);
  const here = [process.execPath, join(ROOT, 'bin/stackbench.js'), 'agent', ...allow];
  if (spec.kind === 'local') return here;
  if (spec.kind === 'netns') return ['ip', 'netns', 'exec', spec.target, ...here];
  // ssh runs the remote command through the remote shell: every word quoted. -T: no terminal (stdin/stdout are
  // the protocol); BatchMode: fail instead of asking for a password nobody can type.
  const remote = ['stackbench', 'agent', ...allow].map(shellQuote).join(' ');
  return ['ssh', '-T', '-o', 'BatchMode=yes', '-o', 'ServerAliveInterval=1', spec.target, remote];
}

export function processTransport(spec: AgentSpec, ctx: TransportContext): Promise<AgentLink> {
  const [cmd, ...args] = agentArgv(spec, ctx.allowRemote);
  const onThisHost = spec.kind !== 'ssh';
  const cpus = onThisHost ? (ctx.cpus ?? ownCpus()) : undefined;
  const label = specLabel(spec);
  const m = start({
    name: `agent ${label}`,
    cmd: cmd!,
    args,
    ...(spec.env ? { env: spec.env } : {}),
    ...(cpus?.length ? { cpus } : {}),
    protocol: true,
  });
  const channel = lineChannel(m.child.stdout!, m.child.stdin!);
  const exited = new Promise<void>((resolve) => {
    if (m.exited) resolve();
    else m.child.once('exit', () => resolve());
  });
  return Promise.resolve({
    label,
    channel,
    exitInfo: () => {
      if (!m.exited) return undefined;
      return m.exitSignal
        ? `its process was killed (${m.exitSignal})`
        : `its process exited (code ${m.exitCode})`;
    },
    exited,
    lastLines: () => m.log(),
    destroy: () => m.stop(2000),
  });
}
