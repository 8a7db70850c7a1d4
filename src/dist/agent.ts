// The agent: runs shards of a load for one coordinator over a JSON-lines channel (protocol.ts), probe after
// probe, with the engine's own runLoad. It never loads a server on its own: the session ends when the
// coordinator says bye, when its stream closes, or — while a load runs — when it has heard nothing from the
// coordinator for 3 s (the load is stopped, and the session ends "silent", exit 1). Targets are checked
// against the agent's own --allow-remote list, never one a coordinator sends.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { StackbenchError } from '../errors.js';
import { runLoad } from '../engine/index.js';
import { monoMs } from '../engine/shard.js';
import { parseCpuList } from '../machine/cpuset.js';
import { VERSION } from '../version.js';
import { wallClockMs } from './clock.js';
import type { Channel } from './lines.js';
import {
  AGENT_SILENCE_MS,
  BEAT_MS,
  PROTOCOL_VERSION,
  parseToAgent,
  type AgentReport,
  type FromAgent,
  type Hello,
  type ToAgent,
} from './protocol.js';

/** A start further ahead than this is refused (a coordinator whose clock estimate is broken). */
const MAX_START_WAIT_MS = 60_000;

export interface AgentOptions {
  /** Non-loopback hosts this agent may load (its own --allow-remote). */
  allowRemote: string[];
  /** Ends the session (the agent's process was told to stop). */
  signal?: AbortSignal;
  /** Where the agent says why it ended (stderr). */
  log?: (line: string) => void;
}

export type SessionEnd = 'bye' | 'closed' | 'silent' | 'broken' | 'stopped';

/** The session's end and the exit code it means: 0 after bye, or a close or stop while idle; 1 when a load was cut. */
export interface AgentExit {
  end: SessionEnd;
  code: number;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

export function helloMessage(): Hello {
  const status = readOr('/proc/self/status', '');
  const cpus = parseCpuList(/^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '') ?? [];
  return {
    t: 'hello',
    v: PROTOCOL_VERSION,
    version: VERSION,
    host: hostname(),
    pid: process.pid,
    bootId: readOr('/proc/sys/kernel/random/boot_id', 'unknown').trim(),
    cpus,
  };
}

interface Running {
  probe: number;
  abort: AbortController;
  /** The coordinator's start, on our own clock. */
  start(startAt: number): void;
  done: Promise<void>;
}

/** Serve one coordinator until the session ends. */
export function serveAgent(channel: Channel, opts: AgentOptions): Promise<AgentExit> {
  return new Promise((resolve) => {
    let running: Running | undefined;
    let lastHeard = monoMs();
    let ended = false;
    const send = (m: FromAgent) => channel.send(m);
    const end = (why: SessionEnd, detail: string) => {
      if (ended) return;
      ended = true;
      clearInterval(watchdog);
      opts.signal?.removeEventListener('abort', onSignal);
      const cut = running !== undefined;
      if (cut) opts.log?.(`stackbench agent: ${detail}: the load was stopped`);
      running?.abort.abort();
      channel.close(detail);
      const code = why === 'bye' || ((why === 'closed' || why === 'stopped') && !cut) ? 0 : 1;
      void (running?.done ?? Promise.resolve()).then(() => resolve({ end: why, code }));
    };
    const watchdog = setInterval(() => {
      if (running && monoMs() - lastHeard > AGENT_SILENCE_MS)
        end('silent', `no word from the coordinator for ${AGENT_SILENCE_MS / 1000} s`);
    }, 250);
    const onSignal = () => end('stopped', 'told to stop');
    opts.signal?.addEventListener('abort', onSignal, { once: true });
    channel.onClose((why) => end('closed', `the coordinator's stream closed (${why})`));
    channel.onLine((line) => {
      lastHeard = monoMs();
      const m = parseToAgent(line);
      if (typeof m === 'string') return end('broken', `a garbled message from the coordinator: ${m}`);
      handle(m);
    });
    const handle = (m: ToAgent) => {
      if (m.t === 'ping') send({ t: 'pong', id: m.id, clock: wallClockMs() });
      else if (m.t === 'bye') end('bye', 'bye');
      else if (m.t === 'stop') {
        if (running?.probe === m.probe) running.abort.abort();
      } else if (m.t === 'start') {
        if (running?.probe === m.probe) running.start(m.startAt);
      } else if (m.t === 'run') {
        if (running) return refuse(m.probe, 'a load is already running');
        running = startProbe(m, opts, send, () => (running = undefined));
      }
    };
    const refuse = (probe: number, why: string) =>
      send({ t: 'error', probe, code: 'SB_BAD_AGENTS', message: why, hint: 'one probe at a time' });
    send(helloMessage());
  });
}

function startProbe(
  m: Extract<ToAgent, { t: 'run' }>,
  opts: AgentOptions,
  send: (m: FromAgent) => void,
  finished: () => void,
): Running {
  const abort = new AbortController();
  const progress = { requests: 0, errors: 0 };
  let cpu = process.cpuUsage();
  let cpuAt = monoMs();
  const beat = setInterval(() => {
    const used = process.cpuUsage(cpu);
    const now = monoMs();
    const cpuPercent = ((used.user + used.system) / 1000 / Math.max(1, now - cpuAt)) * 100;
    cpu = process.cpuUsage();
    cpuAt = now;
    send({ t: 'beat', probe: m.probe, ...progress, cpuPercent: Math.round(cpuPercent * 10) / 10 });
  }, BEAT_MS);
  // The start arrives once every agent is ready; a stop before it releases the wait (the load then ends at once).
  let release: (deadline: number) => void = () => {};
  const started = new Promise<number>((resolve) => (release = resolve));
  abort.signal.addEventListener('abort', () => release(monoMs()), { once: true });
  const ready = () => {
    send({ t: 'ready', probe: m.probe });
    return started;
  };
  const done = runProbe(m, opts, abort.signal, progress, ready)
    .then(
      (report) => send({ t: 'result', probe: m.probe, report }),
      (e: unknown) => send(errorMessage(m.probe, e)),
    )
    .finally(() => {
      clearInterval(beat);
      finished();
    });
  const start = (startAt: number) => {
    // The start, on the agent's own clock, as a deadline on its monotonic clock.
    const waitMs = startAt - wallClockMs();
    if (Math.abs(waitMs) <= MAX_START_WAIT_MS) return release(monoMs() + waitMs);
    send({
      t: 'error',
      probe: m.probe,
      code: 'SB_BAD_AGENTS',
      message: `a start ${Math.round(waitMs)} ms away from now`,
      hint: "the coordinator's clock estimate is broken",
    });
    abort.abort();
  };
  return { probe: m.probe, abort, start, done };
}

async function runProbe(
  m: Extract<ToAgent, { t: 'run' }>,
  opts: AgentOptions,
  signal: AbortSignal,
  progress: { requests: number; errors: number },
  ready: () => Promise<number>,
): Promise<AgentReport> {
  const { index, count } = m.segment;
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 0 && index < count))
    throw new StackbenchError('SB_BAD_AGENTS', [`a bad segment ${index} of ${count}`], []);
  let deadline = 0;
  let startLateMs: number | null = null;
  let monoStartMs: number | null = null;
  const result = await runLoad(
    {
      ...m.opts,
      allowRemote: opts.allowRemote,
      signal,
      onProgress: (p) => {
        progress.requests = p.requests;
        progress.errors = p.errors;
      },
    },
    {
      segment: m.segment,
      startAt: async () => (deadline = await ready()),
      onBegin: (lateMs) => {
        startLateMs = lateMs;
        monoStartMs = deadline + lateMs;
      },
    },
  );
  return { result, startLateMs, monoStartMs };
}

function errorMessage(probe: number, e: unknown): FromAgent {
  if (e instanceof StackbenchError)
    return { t: 'error', probe, code: e.code, message: e.message, hint: e.hint };
  return {
    t: 'error',
    probe,
    code: 'SB_AGENT_FAILED',
    message: (e as Error)?.message ?? String(e),
    hint: 'see the agent’s stderr',
  };
}
