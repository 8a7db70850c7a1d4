// Ports and readiness: a free loopback port from the kernel, and readiness by probing (never a fixed sleep).
import { createServer } from 'node:net';
import { request } from 'node:http';
import { StackbenchError } from '../errors.js';
import type { Managed } from './process.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Throws SB_PORT_IN_USE (exit 2) when something already listens on the port. */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', () => reject(new StackbenchError('SB_PORT_IN_USE', [String(port)])));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

/** Ports for a run: from --base-port upward (each checked), or free ones picked by the kernel. */
export class PortAllocator {
  private next: number | undefined;
  constructor(basePort?: number) {
    this.next = basePort;
  }
  async take(): Promise<number> {
    if (this.next === undefined) return freePort();
    const port = this.next++;
    await assertPortFree(port);
    return port;
  }
}

export function httpGetStatus(port: number, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Wait until GET path answers 200 on the port, or the process exits, or the timeout passes. Multi-worker
 * stacks must answer several probes in a row, so that more than one worker is up before load starts.
 */
export async function waitReady(
  proc: Managed,
  port: number,
  path: string,
  {
    timeoutMs = 30_000,
    streak = 3,
    signal,
  }: { timeoutMs?: number; streak?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ok = 0;
  let delay = 20;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new StackbenchError('SB_INTERRUPTED');
    if (proc.exited) {
      const why = `exited (${proc.exitSignal ?? `code ${proc.exitCode}`}) before answering`;
      throw new StackbenchError('SB_STACK_START', [proc.name, `${why}\n${indentLog(proc.log())}`]);
    }
    const status = await httpGetStatus(port, path, 2000);
    if (status === 200) {
      if (++ok >= streak) return;
      continue;
    }
    ok = 0;
    await sleep(delay);
    delay = Math.min(delay * 1.5, 250);
  }
  throw new StackbenchError('SB_STACK_START', [
    proc.name,
    `no answer on 127.0.0.1:${port}${path} within ${timeoutMs / 1000} s\n${indentLog(proc.log())}`,
  ]);
}

/**
 * Every instance up: `instances` concurrent GET /io?ms=100 must all finish within 190 ms. A pre-fork server
 * answers single probes as soon as its first worker is up, while the others may still be importing pandas;
 * load must not start before all of them serve.
 */
export async function waitAllInstances(
  proc: Managed,
  port: number,
  instances: number,
  { timeoutMs = 30_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new StackbenchError('SB_INTERRUPTED');
    if (proc.exited) break;
    if (await instancesFree(port, instances, 100, 90)) return;
    await sleep(100);
  }
  throw new StackbenchError('SB_STACK_START', [
    proc.name,
    `not all ${instances} instances answered within ${timeoutMs / 1000} s\n${indentLog(proc.log())}`,
  ]);
}

/** `instances` concurrent GET /io?ms=MS all answer within MS + slackMs: every instance is free to serve. */
export async function instancesFree(
  port: number,
  instances: number,
  ms: number,
  slackMs: number,
): Promise<boolean> {
  const t0 = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: instances }, () => httpGetStatus(port, `/io?ms=${ms}`, ms + 2000)),
  );
  return statuses.every((s) => s === 200) && performance.now() - t0 < ms + slackMs;
}

export function indentLog(lines: string[]): string {
  return lines.length
    ? lines
        .slice(-12)
        .map((l) => `    | ${l}`)
        .join('\n')
    : '    | (no output)';
}
