/**
 * Chat fan-out through Redis pub/sub, as deployments spread a room over replicas and workers: a text message
 * is PUBLISHed, bytes unchanged, on `stackbench:chat:<room>`; this process SUBSCRIBEs (on its one subscriber
 * connection) to the channels of the rooms it has members in, and hands what arrives to the room table.
 * Every member, the sender included, gets a message exactly once, through Redis.
 *
 * Redis being away never stops the server: it starts without waiting for Redis, messages published while
 * Redis is unreachable are lost (the load engine counts them as drops), a join waits at most JOIN_WAIT_MS
 * for its room's subscription and is refused otherwise, and node-redis reconnects on its own and
 * re-subscribes the channels it had confirmed.
 */
import type { RedisClientType } from 'redis';

export const CHANNEL_PREFIX = 'stackbench:chat:';
/** How long a join waits for its room's subscription (Redis down or slow) before the upgrade is refused. */
export const JOIN_WAIT_MS = 2000;
/** Reconnect backoff: quick at first, then once a second; loopback Redis comes back fast or not at all. */
const reconnectDelay = (retries: number): number => Math.min(50 * 2 ** retries, 1000);

type Client = RedisClientType;
type Listener = (message: Buffer) => void;

/** A room this process holds: sockets admitted (handshaking or joined) and its subscription. */
interface Held {
  channel: string;
  /** One listener per room for the life of the entry: node-redis keeps listeners in a Set, so subscribing
   * twice with it never delivers twice, and it needs no per-message lookup of the channel. */
  listener: Listener;
  holds: number;
  /** Resolves once Redis confirmed the SUBSCRIBE; undefined while unsubscribed. */
  subscription: Promise<void> | undefined;
}

const ignore = (): void => {};

export class RedisBroker {
  private readonly held = new Map<string, Held>();
  private pub: Client | undefined;
  private sub: Client | undefined;
  private readonly ready: Promise<void>;
  private closed = false;

  /** `deliver` gets every message of a held room; it must not keep the Buffer beyond the call's sends. */
  constructor(
    url: string,
    private readonly deliver: (room: string, message: Buffer) => void,
    private readonly name: string,
  ) {
    this.ready = this.open(url);
    this.ready.catch((e: unknown) => {
      if (!this.closed) this.log(`cannot use Redis: ${(e as Error).message}`);
    });
  }

  /** The client library is loaded only when a broker is configured: stacks without one do not pay for it. */
  private async open(url: string): Promise<void> {
    const { createClient } = await import('redis');
    const options = { url, socket: { reconnectStrategy: reconnectDelay, connectTimeout: 2000 } };
    // PUBLISH fails at once while Redis is away rather than queueing messages to deliver late.
    const pub = createClient({ ...options, disableOfflineQueue: true }) as Client;
    // SUBSCRIBE and UNSUBSCRIBE wait in node-redis' queue and go out on reconnection.
    const sub = createClient(options) as Client;
    this.watch(pub, 'publisher');
    this.watch(sub, 'subscriber');
    this.pub = pub;
    this.sub = sub;
    if (this.closed) return;
    // connect() retries per reconnectStrategy until Redis answers: the server is already serving meanwhile.
    await Promise.all([pub.connect(), sub.connect()]);
  }

  /** An 'error' listener is what keeps a lost connection from crashing the process; one line per outage. */
  private watch(client: Client, role: string): void {
    let up = false;
    let said = false;
    client.on('error', (e: Error) => {
      if (this.closed || said) return;
      said = true;
      this.log(`${role} connection ${up ? 'lost' : 'not ready'} (${e.message}); retrying`);
      up = false;
    });
    client.on('ready', () => {
      if (said) this.log(`${role} connection back`);
      up = true;
      said = false;
    });
  }

  private log(line: string): void {
    process.stderr.write(`${this.name}: redis: ${line}\n`);
  }

  /**
   * A socket wants to join `room`: resolves true once this process is subscribed to the room's channel (so
   * nothing published after the handshake can be missed), false when that did not happen within
   * JOIN_WAIT_MS. Every hold is ended by exactly one release(), when the socket closes.
   */
  hold(room: string): Promise<boolean> {
    let h = this.held.get(room);
    if (!h) {
      h = {
        channel: this.channelOf(room),
        listener: (m) => this.deliver(room, m),
        holds: 0,
        subscription: undefined,
      };
      this.held.set(room, h);
    }
    h.holds++;
    h.subscription ??= this.subscribe(room, h);
    return within(h.subscription, JOIN_WAIT_MS);
  }

  release(room: string): void {
    const h = this.held.get(room);
    if (!h || --h.holds > 0) return;
    const s = h.subscription;
    if (!s) {
      // Its SUBSCRIBE failed (the joins were refused): node-redis holds no listener for it, nothing to undo.
      this.held.delete(room);
      return;
    }
    // Unsubscribe once the SUBSCRIBE in flight (if any) is answered, unless someone joined meanwhile.
    s.then(() => {
      if (h.holds === 0 && h.subscription === s) this.unsubscribe(room, h);
    }, ignore);
  }

  private subscribe(room: string, h: Held): Promise<void> {
    const p: Promise<void> = this.ready
      .then(() => this.sub!.subscribe(h.channel, h.listener, true))
      .catch((e: unknown) => {
        if (h.subscription === p) h.subscription = undefined; // the next join tries again
        throw e;
      });
    p.catch(ignore); // a failed subscription is answered by refusing the joins that wait on it
    return p;
  }

  private unsubscribe(room: string, h: Held): void {
    h.subscription = undefined;
    if (this.closed) return; // shutting down: the connection goes, and its subscriptions with it
    // If this fails (Redis away), node-redis keeps the listener and re-subscribes on reconnection; the room
    // then has no members, so what arrives is dropped, until a later join and leave settle it.
    this.sub!.unsubscribe(h.channel, h.listener, true).then(() => {
      if (h.holds === 0 && h.subscription === undefined && this.held.get(room) === h) this.held.delete(room);
    }, ignore);
  }

  /** The channel of a room, computed once per member rather than once per message. */
  channelOf(room: string): string {
    return CHANNEL_PREFIX + room;
  }

  /** The hot path: one PUBLISH of the received bytes; nothing is queued while Redis is away. */
  publish(channel: string, message: Buffer): void {
    const pub = this.pub;
    if (!pub?.isReady) return; // lost: every member misses it alike, which the load engine counts
    pub.publish(channel, message).catch(ignore);
  }

  /** Shutdown: drop both connections at once (nothing to flush: a chat message is not worth waiting for). */
  close(): void {
    this.closed = true;
    for (const client of [this.pub, this.sub]) {
      if (client?.isOpen) client.destroy();
    }
  }
}

/** true when `p` resolves within `ms`; false when it rejects or takes longer. */
function within(p: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}
