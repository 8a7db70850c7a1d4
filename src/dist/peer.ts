// The coordinator's view of one agent: its hello, pings and their answers, the probe it runs, when it was last
// heard from, and whether it is lost (and why). It reads the agent's lines and settles what waits on them; the
// rules of when to wait and when to give up are the coordinator's.
import { monoMs } from '../engine/shard.js';
import { wallClockMs, type PingSample } from './clock.js';
import {
  parseFromAgent,
  type AgentReport,
  type Beat,
  type FromAgent,
  type Hello,
  type ToAgent,
} from './protocol.js';
import type { AgentLink } from './transports/index.js';

/** How long a closed stream waits for its process's exit status. */
const EXIT_WAIT_MS = 300;

/** An agent refused a plan (a target it may not load, a bad option): its own error, code and hint. */
export class AgentRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** The agent is gone: its stream closed, its process died, it went silent. */
export class AgentLost extends Error {}

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: Error): void;
}

interface Deferred<T> extends Waiter<T> {
  promise: Promise<T>;
}

function deferred<T>(): Deferred<T> {
  let resolve: (v: T) => void = () => {};
  let reject: (e: Error) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface ProbeHandle {
  ready: Promise<void>;
  result: Promise<AgentReport>;
}

export class AgentPeer {
  hello: Hello | undefined;
  /** Why and when (our wall clock, wallClockMs) it was lost; undefined while it is alive. */
  lost: { why: string; at: number } | undefined;
  /** monoMs() of its last line. */
  lastHeard = monoMs();
  /** Its last heartbeat of the probe under way (counts so far, its CPU). */
  lastBeat: Beat | undefined;
  private helloWaiter: Waiter<Hello> | undefined;
  private readonly pings = new Map<number, Waiter<PingSample> & { sentAt: number }>();
  private nextPing = 1;
  private probe: { id: number; ready: Deferred<void>; result: Deferred<AgentReport> } | undefined;
  private readonly lostHandlers: Array<(why: string) => void> = [];

  constructor(
    readonly index: number,
    readonly link: AgentLink,
  ) {
    link.channel.onLine((line) => this.onLine(line));
    link.channel.onClose((why) => this.streamClosed(why));
  }

  get label(): string {
    return this.link.label;
  }

  send(m: ToAgent): void {
    this.link.channel.send(m);
  }

  /** Resolves with its hello; rejects when it is lost first or none comes in time. */
  waitHello(timeoutMs: number): Promise<Hello> {
    if (this.hello) return Promise.resolve(this.hello);
    if (this.lost) return Promise.reject(new AgentLost(this.lost.why));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.helloWaiter = undefined;
        reject(new AgentLost(`no hello within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const done = () => clearTimeout(timer);
      this.helloWaiter = {
        resolve: (h) => (done(), resolve(h)),
        reject: (e) => (done(), reject(e)),
      };
    });
  }

  /** One ping: when it left, when its answer came back (our clock) and the agent's clock in between. */
  ping(timeoutMs: number): Promise<PingSample> {
    if (this.lost) return Promise.reject(new AgentLost(this.lost.why));
    const id = this.nextPing++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pings.delete(id);
        reject(new AgentLost(`no answer to a ping within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pings.set(id, {
        sentAt: wallClockMs(),
        resolve: (s) => (clearTimeout(timer), resolve(s)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.send({ t: 'ping', id });
    });
  }

  /** A ping whose answer only counts as "heard" (while a load runs). */
  keepAlive(): void {
    if (!this.lost) this.send({ t: 'ping', id: 0 });
  }

  /**
   * Send a probe. `ready` resolves when the agent is ready to start (then it waits for `start`), `result` with
   * what it measured; both reject with AgentRefusal or AgentLost.
   */
  run(m: Extract<ToAgent, { t: 'run' }>): ProbeHandle {
    this.lastBeat = undefined;
    const ready = deferred<void>();
    const result = deferred<AgentReport>();
    // Whoever waits sees the rejection; none is left unhandled when nobody does.
    ready.promise.catch(() => {});
    result.promise.catch(() => {});
    if (this.lost) {
      ready.reject(new AgentLost(this.lost.why));
      result.reject(new AgentLost(this.lost.why));
    } else {
      this.probe = { id: m.probe, ready, result };
      this.send(m);
    }
    return { ready: ready.promise, result: result.promise };
  }

  onLost(handler: (why: string) => void): void {
    this.lostHandlers.push(handler);
  }

  /**
   * Its stream closed. A process transport knows more — the exit code or the signal — once the process is
   * reaped, which can be a moment after its pipe closed: wait for that (briefly), and date the loss from the close.
   */
  private streamClosed(why: string): void {
    const at = wallClockMs();
    const withExit = () => {
      const exit = this.link.exitInfo();
      this.markLost(exit ? `${why}; ${exit}` : why, at);
    };
    if (this.link.exitInfo() !== undefined || !this.link.exited) return withExit();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, EXIT_WAIT_MS)));
    void Promise.race([this.link.exited, waited]).then(() => {
      clearTimeout(timer);
      withExit();
    });
  }

  /** Lost, once: everything waiting on it fails with the reason. */
  markLost(why: string, at = wallClockMs()): void {
    if (this.lost) return;
    this.lost = { why, at };
    const e = new AgentLost(why);
    this.helloWaiter?.reject(e);
    for (const p of this.pings.values()) p.reject(e);
    this.pings.clear();
    this.probe?.ready.reject(e);
    this.probe?.result.reject(e);
    this.probe = undefined;
    this.link.channel.close(why);
    for (const h of this.lostHandlers) h(why);
  }

  private onLine(line: string): void {
    this.lastHeard = monoMs();
    const m = parseFromAgent(line);
    if (typeof m === 'string') return this.markLost(`a garbled message: ${m}`);
    this.handle(m);
  }

  private handle(m: FromAgent): void {
    switch (m.t) {
      case 'hello':
        this.hello = m;
        this.helloWaiter?.resolve(m);
        this.helloWaiter = undefined;
        return;
      case 'pong': {
        const p = this.pings.get(m.id);
        if (!p) return;
        this.pings.delete(m.id);
        p.resolve({ sentAt: p.sentAt, receivedAt: wallClockMs(), agentClock: m.clock });
        return;
      }
      case 'ready':
        if (this.probe?.id === m.probe) this.probe.ready.resolve();
        return;
      case 'beat':
        if (this.probe?.id === m.probe) this.lastBeat = m;
        return;
      case 'result':
        // A result for another probe, or a second one for this probe, is ignored.
        if (this.probe?.id !== m.probe) return;
        this.probe.ready.resolve();
        this.probe.result.resolve(m.report);
        this.probe = undefined;
        return;
      case 'error': {
        // Its own failure (not a plan it refused) loses it, as a crash would.
        if (m.code === 'SB_AGENT_FAILED') return this.markLost(`it failed: ${m.message}`);
        const refusal = new AgentRefusal(m.code, m.message, m.hint);
        if (this.probe && (m.probe === undefined || m.probe === this.probe.id)) {
          this.probe.ready.reject(refusal);
          this.probe.result.reject(refusal);
          this.probe = undefined;
        } else this.markLost(`it reported an error: ${m.message}`);
        return;
      }
    }
  }
}
