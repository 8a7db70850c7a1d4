// Where load goes: the URL parsed once, and the safety rule that load only goes to loopback unless the user
// names the remote host with --allow-remote.
import { StackbenchError } from '../errors.js';

export interface Target {
  protocol: 'http:' | 'ws:';
  /** Host to connect to, without IPv6 brackets. */
  host: string;
  port: number;
  /** Path with query, as sent on the request line. */
  path: string;
  /** Value of the Host header. */
  hostHeader: string;
}

export function parseTarget(url: string, protocols: Array<'http:' | 'ws:'> = ['http:']): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StackbenchError('SB_BAD_URL', [url, 'not a URL']);
  }
  if (!protocols.includes(u.protocol as 'http:' | 'ws:')) {
    const why =
      u.protocol === 'https:' || u.protocol === 'wss:'
        ? 'TLS is not supported; use http:// against a loopback port'
        : `scheme ${u.protocol} not supported (use ${protocols.map((p) => p + '//').join(' or ')})`;
    throw new StackbenchError('SB_BAD_URL', [url, why]);
  }
  if (!u.hostname) throw new StackbenchError('SB_BAD_URL', [url, 'no host']);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port ? Number(u.port) : 80;
  return {
    protocol: u.protocol as 'http:' | 'ws:',
    host,
    port,
    path: (u.pathname || '/') + u.search,
    hostHeader: u.host,
  };
}

/** 127.0.0.0/8, ::1, localhost (and the IPv4-mapped form of 127/8). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Throws SB_REMOTE_TARGET unless the host is loopback or exactly the one the user allowed. */
export function assertAllowedTarget(target: Target, allowRemote: string[] = []): void {
  if (isLoopback(target.host)) return;
  const allowed = allowRemote.map((h) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
  if (allowed.includes(target.host.toLowerCase())) return;
  throw new StackbenchError('SB_REMOTE_TARGET', [target.host]);
}
