// compare's targets brought up: a command started as the lab starts a stack (its own process group, pinned to
// the server cores, tied to our life, stopped with its whole tree), ready when it answers; a URL checked to
// answer. Every request to be measured is sent once first: a target that answers it with an error is named
// before any load, with what it said.
import { StackbenchError } from '../errors.js';
import { resolveTarget, parseTarget } from '../engine/target.js';
import { indentLog, httpGetStatus, type PortAllocator } from '../machine/net.js';
import { start, type Managed } from '../machine/process.js';
import { listeningPorts } from '../probes/listening.js';
import type { CompareConfig, CompareRequest } from '../results/types.js';
import type { Runtime } from '../stacks/registry.js';
import { isUrlTarget, type TargetSpec } from './targets.js';
import { firstRequest, probeRequest } from './requests.js';

export interface RunningTarget {
  name: string;
  runtime: Runtime;
  /** Where load goes: an address (resolved and allowed) and port. */
  host: string;
  port: number;
  /** The Host header. */
  hostHeader: string;
  /** Started by us: its process group (sampled for CPU and memory); absent for a URL. */
  proc?: Managed;
  /** Scheme, host and port for the engine's URL (a URL target's own host name, checked again by the engine). */
  origin: string;
  /** What it is, in words: the command or the URL. */
  what: string;
  stop(): Promise<void>;
}

export interface StartContext {
  cpus: number[];
  ports: PortAllocator;
  allowRemote: string[];
  signal?: AbortSignal;
  readyTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start (or reach) one target and check that it answers every request to be measured. */
export async function startTarget(
  t: TargetSpec,
  send: Pick<CompareConfig, 'requests' | 'values'>,
  ctx: StartContext,
): Promise<RunningTarget> {
  const { requests, values } = send;
  const runtime = t.runtime ?? 'other';
  if (isUrlTarget(t)) {
    const parsed = parseTarget(t.url);
    const host = await resolveTarget(parsed, ctx.allowRemote);
    const running: RunningTarget = {
      name: t.name,
      runtime,
      host,
      port: parsed.port,
      hostHeader: parsed.hostHeader,
      // A base path (http://host/api/) goes in front of every request's path.
      origin: `${new URL(t.url).origin}${new URL(t.url).pathname.replace(/\/+$/, '')}`,
      what: t.url,
      stop: async () => {},
    };
    await checkAnswers(running, requests, values, []);
    return running;
  }
  const port = await ctx.ports.take();
  const command = t.command.replaceAll('{port}', String(port));
  const proc = start({
    name: t.name,
    cmd: 'sh',
    args: ['-c', command],
    cwd: t.cwd,
    env: { ...t.env, PORT: String(port) },
    cpus: ctx.cpus,
  });
  const running: RunningTarget = {
    name: t.name,
    runtime,
    host: '127.0.0.1',
    port,
    hostHeader: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    proc,
    what: t.command,
    stop: () => proc.stop(),
  };
  try {
    await waitAnswering(running, t.readyPath ?? '/', ctx);
    await checkAnswers(running, requests, values, proc.log());
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return running;
}

/** Until GET path answers anything at all; a process that exits or never listens on its port is named. */
async function waitAnswering(t: RunningTarget, path: string, ctx: StartContext): Promise<void> {
  const proc = t.proc!;
  const started = Date.now();
  const deadline = started + (ctx.readyTimeoutMs ?? 30_000);
  let delay = 20;
  while (Date.now() < deadline) {
    if (ctx.signal?.aborted) throw new StackbenchError('SB_INTERRUPTED');
    if (proc.exited) {
      const how = proc.exitSignal ?? `code ${proc.exitCode}`;
      throw new StackbenchError('SB_TARGET_FAILED', [
        t.name,
        `exited (${how}) before answering\n${indentLog(proc.log())}`,
      ]);
    }
    if ((await httpGetStatus(t.port, path, 2000)) > 0) return;
    // Listening, but elsewhere (a hard-coded port): said at once rather than after the whole timeout.
    const elsewhere = Date.now() - started > 1000 ? listeningPorts(proc.pid) : [];
    if (elsewhere.length && !elsewhere.includes(t.port)) break;
    await sleep(delay);
    delay = Math.min(delay * 1.5, 250);
  }
  const other = listeningPorts(proc.pid).filter((p) => p !== t.port);
  const why = other.length
    ? `listens on ${other.join(', ')}, not on the port it was given (${t.port}): put {port} where the command takes its port`
    : `did not answer on 127.0.0.1:${t.port}${path} within ${(ctx.readyTimeoutMs ?? 30_000) / 1000} s`;
  throw new StackbenchError('SB_TARGET_FAILED', [t.name, `${why}\n${indentLog(proc.log())}`], ['command']);
}

/** Each request once: refused, or answered with a 4xx/5xx, is bad input naming the target and the request. */
async function checkAnswers(
  t: RunningTarget,
  requests: CompareRequest[],
  values: CompareConfig['values'],
  log: string[],
): Promise<void> {
  for (const r of requests.map((x) => firstRequest(x, values))) {
    const { method, path } = r;
    const got = await probeRequest(t, {
      ...r,
      path: new URL(t.origin).pathname.replace(/\/+$/, '') + r.path,
    });
    const tail = log.length ? `\n${indentLog(log)}` : '';
    const kind = [t.proc ? 'command' : 'url'];
    if (got.error)
      throw new StackbenchError(
        'SB_TARGET_FAILED',
        [t.name, `${got.error} at ${t.hostHeader} (${method} ${path})${tail}`],
        kind,
      );
    if (got.status >= 400)
      throw new StackbenchError(
        'SB_TARGET_FAILED',
        [t.name, `answered ${got.status} to ${method} ${path}${got.body ? `: ${got.body}` : ''}${tail}`],
        kind,
      );
  }
}
