// Where load goes: the URL parsed once, and the safety rule that load only goes to loopback unless the user
// names the remote host with --allow-remote. The rule is checked on the addresses a name resolves to — every one
// of them, before any connection — and the engine then connects to the address it checked, never to a name
// the resolver might answer differently a moment later.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
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

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1, in any spelling, the IPv4-mapped forms (::ffff:127.0.0.1, ::ffff:7f00:1) included. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

const normalize = (h: string) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1');

function allowed(target: Target, allowRemote: string[]): boolean {
  return allowRemote.map(normalize).includes(normalize(target.host));
}

/**
 * Throws SB_REMOTE_TARGET unless the host is a loopback address or exactly one the user allowed. A name is not
 * judged here (only by resolveTarget, on what it resolves to): this is the early check flags get.
 */
export function assertAllowedTarget(target: Target, allowRemote: string[] = []): void {
  if (isIP(target.host) === 0 || isLoopbackAddress(target.host) || allowed(target, allowRemote)) return;
  throw new StackbenchError('SB_REMOTE_TARGET', [target.host], [target.host]);
}

/**
 * The address to connect to: the target's own when it is an address, else what its name resolves to — and only
 * if every address it resolves to is loopback, or the user named this host with --allow-remote.
 */
export async function resolveTarget(target: Target, allowRemote: string[] = []): Promise<string> {
  assertAllowedTarget(target, allowRemote);
  if (isIP(target.host) !== 0) return target.host;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(target.host, { all: true });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new StackbenchError('SB_BAD_URL', [target.hostHeader, `cannot resolve ${target.host} (${why})`]);
  }
  if (addresses.length === 0)
    throw new StackbenchError('SB_BAD_URL', [target.hostHeader, `${target.host} resolves to nothing`]);
  if (!allowed(target, allowRemote)) {
    const remote = addresses.find((a) => !isLoopbackAddress(a.address));
    if (remote) {
      throw new StackbenchError('SB_REMOTE_RESOLVED', [target.host, remote.address], [target.host]);
    }
  }
  return addresses[0]!.address;
}
