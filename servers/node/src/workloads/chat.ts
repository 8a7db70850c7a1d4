/**
 * The chat workload, framework-free: room names, the ws server options every stack shares, and the room
 * table of this process (node-cluster has one per worker: the contract leaves cross-worker fan-out out).
 */
import WebSocket, { type ServerOptions } from 'ws';

const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
export const DEFAULT_ROOM = 'lobby';
export const ROOM_ERROR = 'room must be 1..64 characters of A-Z a-z 0-9 _ -';
export const UPGRADE_REQUIRED = 'WebSocket upgrade required';

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

export class Rooms {
  private readonly rooms = new Map<string, Set<WebSocket>>();

  /** Adds a freshly upgraded socket to its room; it leaves on close, and an empty room is dropped. */
  join(name: string, ws: WebSocket): void {
    let members = this.rooms.get(name);
    if (!members) {
      members = new Set();
      this.rooms.set(name, members);
    }
    members.add(ws);
    const room = members;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return; // the contract relays text messages only
      // The received bytes go out as they came, one Buffer for every member: no decode, no re-encode.
      for (const member of room) {
        if (member.readyState === WebSocket.OPEN) member.send(data, { binary: false });
      }
    });
    ws.on('close', () => {
      room.delete(ws);
      if (room.size === 0 && this.rooms.get(name) === room) this.rooms.delete(name);
    });
    // A reset connection emits 'error' then 'close'; without a listener the error would crash the process.
    ws.on('error', () => {});
  }

  /** Graceful stop: close frame 1001 (going away) to everyone, then cut whoever has not closed in time. */
  closeAll(): Promise<void> {
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
