/**
 * The chat workload, framework-free: room names, the ws server options every stack shares, and the room
 * table of this process. Fan-out is in-process by default; with STACKBENCH_REDIS it goes through Redis
 * pub/sub (chat-redis.ts), so a room spans replicas and workers. A process that knows it is one of several
 * workers and has no broker refuses /chat (503) rather than split rooms silently.
 */
import cluster from 'node:cluster';
import type { Duplex } from 'node:stream';
import WebSocket, { type ServerOptions } from 'ws';
import { RedisBroker } from './chat-redis.js';
import { readWorkers } from './process.js';

const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
export const DEFAULT_ROOM = 'lobby';
export const ROOM_ERROR = 'room must be 1..64 characters of A-Z a-z 0-9 _ -';
export const UPGRADE_REQUIRED = 'WebSocket upgrade required';
export const BROKER_DOWN = 'chat broker unavailable: Redis did not confirm the room subscription in time';

/** The room to join, or undefined when the name is not allowed (a repeated parameter included). */
export function roomParam(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return DEFAULT_ROOM;
  return typeof raw === 'string' && ROOM.test(raw) ? raw : undefined;
}

/**
 * No compression (ws' default, stated so it stays off: it costs CPU and memory per connection and the
 * Python side does not negotiate it either); 64 KiB is plenty for a chat line and bounds a client's memory.
 * clientTracking is off because the room table already knows every member.
 */
export const WS_OPTIONS = {
  perMessageDeflate: false,
  maxPayload: 64 * 1024,
  clientTracking: false,
} satisfies ServerOptions;

/** How long a graceful stop waits for clients to answer the close frame before cutting them. */
const CLOSE_WAIT_MS = 1000;

/** Options of every relayed send, allocated once: the bytes go out as a text frame. */
const TEXT = { binary: false } as const;

export class Rooms {
  private readonly rooms = new Map<string, Set<WebSocket>>();
  private readonly broker: RedisBroker | undefined;
  /** Set when this process must refuse /chat with 503: several workers and no broker to join their rooms. */
  readonly refusal: string | undefined;

  constructor(serverName: string, env: NodeJS.ProcessEnv = process.env) {
    const workers = cluster.isWorker ? readWorkers() : 1;
    if (env.STACKBENCH_REDIS) {
      this.broker = new RedisBroker(env.STACKBENCH_REDIS, (room, m) => this.deliver(room, m), serverName);
    } else if (workers > 1) {
      this.refusal = `chat across ${workers} workers needs a broker: set STACKBENCH_REDIS`;
    }
  }

  /**
   * Before the handshake. `true`: go ahead. With Redis, a promise: true once this process is subscribed to
   * the room (so the new member, the sender included, misses nothing published after its handshake), false
   * when the broker could not subscribe in time (the caller refuses with 503 BROKER_DOWN). The hold on the
   * room ends when the raw socket closes, whether the handshake happened or not.
   */
  admit(name: string, socket: Duplex): true | Promise<boolean> {
    const broker = this.broker;
    if (!broker) return true;
    socket.once('close', () => broker.release(name));
    return broker.hold(name);
  }

  /** Adds a freshly upgraded socket to its room; it leaves on close, and an empty room is dropped. */
  join(name: string, ws: WebSocket): void {
    let members = this.rooms.get(name);
    if (!members) {
      members = new Set();
      this.rooms.set(name, members);
    }
    members.add(ws);
    const room = members;
    const broker = this.broker;
    if (broker) {
      // Through Redis, the sender included: deliver() hands it out when it comes back on the channel.
      const channel = broker.channelOf(name);
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) broker.publish(channel, data);
      });
    } else {
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return; // the contract relays text messages only
        // The received bytes go out as they came, one Buffer for every member: no decode, no re-encode.
        for (const member of room) {
          if (member.readyState === WebSocket.OPEN) member.send(data, TEXT);
        }
      });
    }
    ws.on('close', () => {
      room.delete(ws);
      if (room.size === 0 && this.rooms.get(name) === room) this.rooms.delete(name);
    });
    // A reset connection emits 'error' then 'close'; without a listener the error would crash the process.
    ws.on('error', () => {});
  }

  /** A message of `name` from Redis, to every member of the room in this process, as it came. */
  private deliver(name: string, message: Buffer): void {
    const members = this.rooms.get(name);
    if (!members) return;
    for (const member of members) {
      if (member.readyState === WebSocket.OPEN) member.send(message, TEXT);
    }
  }

  /**
   * Graceful stop: close frame 1001 (going away) to everyone, then cut whoever has not closed in time; the
   * broker's connections are dropped.
   */
  async closeAll(): Promise<void> {
    await this.closeMembers();
    this.broker?.close();
  }

  private closeMembers(): Promise<void> {
    const all = [...this.rooms.values()].flatMap((members) => [...members]);
    if (all.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let left = all.length;
      const timer = setTimeout(() => {
        for (const ws of all) ws.terminate();
      }, CLOSE_WAIT_MS);
      for (const ws of all) {
        ws.once('close', () => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        ws.close(1001, 'server stopping');
      }
    });
  }
}
