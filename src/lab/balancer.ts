// A private load balancer in front of N replicas of a stack: HAProxy (the default) or nginx, one process or
// thread, pinned, listening on 127.0.0.1 only, its config in a fresh 0700 folder removed on stop. Configured as
// production runs one in front of an app: HTTP/1.1 keep-alive to the upstreams (connections reused), WebSocket
// upgrades passed through, responses not buffered (server-sent events reach the client as each is written),
// long timeouts for streams and chat, no access log.
//
// Default kind, HAProxy: it counts per upstream server (requests forwarded, in flight, connections reused) on its
// stats socket, so the study can show how evenly the replicas were used; nginx OSS has no per-upstream counters
// (its status API is NGINX Plus; stub_status counts totals only). Rule, least connections on both: with one
// balancer thread it sends each request (or WebSocket/stream) to the replica with the fewest in flight, which
// keeps long-lived chat and stream connections even across replicas and steers short requests away from a
// replica that is behind (a throttled CPU budget, a GC pause); among equals it goes round robin. HAProxy's manual
// recommends leastconn for long sessions and round robin for short HTTP ones (configuration.txt, "balance");
// the workloads mix both, and for identical replicas under closed-loop load the two spread short requests
// alike, so the rule that is right for chat and streams wins.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { StackbenchError } from '../errors.js';
import { start, type Managed } from '../machine/process.js';
import { httpGetStatus, indentLog } from '../machine/net.js';

export type BalancerKind = 'haproxy' | 'nginx';
export const DEFAULT_BALANCER: BalancerKind = 'haproxy';

export interface BalancerFound {
  kind: BalancerKind;
  ok: boolean;
  bin?: string;
  version?: string;
  missing?: string;
  fix?: string;
}

// Debian puts both in /usr/sbin, which is not on every user's PATH.
const PLACES = ['', '/usr/sbin/', '/usr/local/sbin/'];

/** The balancer's binary and version, or what is missing and the command that installs it. */
export function findBalancer(kind: BalancerKind): BalancerFound {
  for (const dir of PLACES) {
    const bin = `${dir}${kind}`;
    // haproxy -v prints to stdout, nginx -v to stderr.
    const r = spawnSync(bin, ['-v'], { encoding: 'utf8', timeout: 5000 });
    if (r.error) continue;
    const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const m =
      kind === 'haproxy'
        ? /HA-?Proxy version (\d+\.\d+\.\d+)/.exec(text)
        : /nginx\/(\d+\.\d+\.\d+)/.exec(text);
    if (m) return { kind, ok: true, bin, version: m[1]! };
  }
  return {
    kind,
    ok: false,
    missing: `${kind} not found (looked on PATH and in /usr/sbin, /usr/local/sbin)`,
    fix: `apt-get install ${kind}`,
  };
}

export interface UpstreamStats {
  /** The replica's port. */
  port: number;
  /** Requests (HTTP mode: one per request or upgrade) forwarded to it so far. */
  requests: number;
  /** In flight now (a WebSocket or a stream counts until it closes). */
  current: number;
  /** Times the balancing rule picked it. */
  picked: number;
  /** Requests sent over an already open connection (keep-alive reuse). */
  reused: number;
  /** Connections to it open now: in use, and idle for reuse. */
  connectionsUsed: number;
  connectionsIdle: number;
}

export type BalancerStats = { perUpstream: UpstreamStats[] } | { perUpstream: null; reason: string };

export interface Balancer {
  kind: BalancerKind;
  port: number;
  url: string;
  version: string;
  proc: Managed;
  /** The private folder with its config (gone after stop). */
  dir: string;
  stats(): Promise<BalancerStats>;
  /**
   * Balance over the first n upstreams only, the others set aside (HAProxy's maintenance state): one deployment
   * of N replicas measured at 1, 2, .. N. Idle replicas take no CPU. HAProxy only (nginx reloads to change it).
   */
  /** Send to the first n upstreams (or to these indices) and set the others aside. */
  activate(n: number | readonly number[]): Promise<void>;
  stop(): Promise<void>;
}

export interface BalancerSpec {
  kind?: BalancerKind;
  port: number;
  upstreams: number[];
  cpus: number[];
  signal?: AbortSignal;
  /** Ready once a request through the balancer is answered by an upstream. */
  readyPath?: string;
  timeoutMs?: number;
  /** Wraps the command (an accounting cgroup's entry: its CPU read exactly, not from 10 ms ticks). */
  wrap?: (argv: string[]) => string[];
}

export class BalancerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BalancerError';
  }
}

/**
 * Where an HAProxy config differs between the one-host lab and a cluster (src/kube/haproxy.ts); the rules
 * (keep-alive, least connections, checks, timeouts) are the same text for both.
 */
export interface HaproxyLayout {
  /** The first comment line. */
  title: string;
  /** `global` lines: threads, and how the counters are reached (a stats socket, a stats page). */
  global: string[];
  /** `bind` address of the frontend. */
  bind: string;
  checkPath: string;
  /**
   * The Host header the health check sends (HTTP/1.1). Unset: HTTP/1.0 without one, which a replica bound to
   * 127.0.0.1 answers; one bound to all addresses may not (Django checks the host it would fall back to).
   */
  checkHost?: string;
  /** The replicas: `server` lines, or a `server-template` that resolves them. */
  servers: string[];
  /** Whole sections after the backend (a `resolvers` section, a stats frontend). */
  extra?: string[];
}

function haproxyConfig(port: number, upstreams: number[], dir: string, checkPath: string): string {
  return renderHaproxyConfig({
    title: 'private balancer, generated; removed on stop',
    global: [
      "# one thread: the balancer's cost stays on the cores it is pinned to",
      'nbthread 1',
      '# admin: the study sets replicas aside by this socket (in a 0700 folder of ours)',
      `stats socket ${dir}/stats.sock mode 600 level admin`,
    ],
    bind: `127.0.0.1:${port}`,
    checkPath,
    servers: upstreams.map((p, i) => `server r${i + 1} 127.0.0.1:${p}`),
  });
}

/** The HAProxy config of a balancer in front of replicas, as both the lab and the cluster run one. */
export function renderHaproxyConfig(layout: HaproxyLayout): string {
  const indent = (lines: string[]) => lines.map((l) => `  ${l}`).join('\n');
  const checkPath = layout.checkPath;
  return `# stackbench: ${layout.title}
global
${indent(layout.global)}
  # no "log" line: nothing is logged per request

defaults
  mode http
  # keep-alive on both sides; idle server connections are pooled and reused ("safe" is HAProxy's default)
  option http-keep-alive
  http-reuse safe
  # Send each chunk at once. Without it HAProxy 2.6 sends a chunked response's data with MSG_MORE while more is
  # expected, and the kernel holds it: server-sent events 200 ms apart arrived in pairs, one 200 ms late.
  # Complete responses (Content-Length) go out in one write either way.
  option http-no-delay
  timeout connect 5s
  # long enough for an idle keep-alive client and a 10 s gap between server-sent events
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 120s
  # a WebSocket is a tunnel after the upgrade: chat rooms may be quiet for long
  timeout tunnel 1h
  timeout client-fin 5s

frontend replicas_in
  bind ${layout.bind}
  default_backend replicas

backend replicas
  balance leastconn
  # Health checks, as a deployment has them: a replica that dies refuses the check at once and is out of
  # rotation within half a second; a request whose connection it refused goes to another one (redispatch)
  # instead of failing. A replica that is only slow is not taken out: under a CPU quota at its ceiling a check
  # waits behind the queue, and with the default check timeout (= inter) a busy replica was marked down and
  # every request answered 503 — the checks themselves turned overload into an outage.
  option httpchk${layout.checkHost ? `\n  http-check send meth GET uri ${checkPath} ver HTTP/1.1 hdr Host ${layout.checkHost}` : ` GET ${checkPath}`}
  http-check expect status 200
  timeout check 10s
  default-server check inter 250ms fall 2 rise 1
  option redispatch
  retries 2
${indent(layout.servers)}
${(layout.extra ?? []).map((section) => `\n${section.trimEnd()}\n`).join('')}`;
}

function nginxConfig(port: number, upstreams: number[], dir: string, asRoot: boolean): string {
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join('\n');
  return `# stackbench: private balancer, generated; removed on stop
daemon off;
worker_processes 1;
${asRoot ? `# the worker keeps our user: the 0700 folder stays closed to others\nuser ${userInfo().username};\n` : ''}pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 16384; }
http {
  access_log off;
  # connection churn would measure reconnects, not the balancer (nginx closes after 1000 requests by default)
  keepalive_timeout 120s;
  keepalive_requests 100000000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream replicas {
    least_conn;
    # max_fails=0: a failing replica shows as errors, not as load silently moved to the others
${servers}
    # idle connections kept per worker for reuse
    keepalive 512;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
  }
  # Connection: upgrade for a WebSocket, otherwise cleared so the upstream connection is kept alive
  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' '';
  }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      # each server-sent event goes out as it arrives
      proxy_buffering off;
      # a quiet stream or chat room is not a dead upstream
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
      proxy_connect_timeout 5s;
    }
  }
}
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One command on HAProxy's stats socket; resolves with everything it answered. */
function haproxyCommand(socketPath: string, command: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    let out = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new BalancerError(`HAProxy stats socket did not answer "${command}" within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${command}\n`));
    sock.on('data', (d: string) => (out += d));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(new BalancerError(`HAProxy stats socket: ${e.message}`));
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** `show stat` CSV (management.txt, 9.1): one row per server of the replicas backend. */
export function parseHaproxyStat(csv: string, upstreams: number[]): UpstreamStats[] {
  const lines = csv.split('\n').filter((l) => l.trim());
  const head = (lines[0] ?? '').replace(/^#\s*/, '').split(',');
  const col = (row: string[], name: string) => Number(row[head.indexOf(name)] || 0);
  const out: UpstreamStats[] = [];
  for (const line of lines.slice(1)) {
    const row = line.split(',');
    const m = /^r(\d+)$/.exec(row[1] ?? '');
    if (row[0] !== 'replicas' || !m) continue;
    out.push({
      port: upstreams[Number(m[1]) - 1] ?? 0,
      requests: col(row, 'stot'),
      current: col(row, 'scur'),
      picked: col(row, 'lbtot'),
      reused: col(row, 'reuse'),
      connectionsUsed: col(row, 'used_conn_cur'),
      connectionsIdle: col(row, 'srv_icur'),
    });
  }
  return out;
}

/** Start the balancer; resolves once a request through it is answered by an upstream. */
export async function startBalancer(spec: BalancerSpec): Promise<Balancer> {
  const kind = spec.kind ?? DEFAULT_BALANCER;
  const found = findBalancer(kind);
  if (!found.ok) throw new BalancerError(`${found.missing} — ${found.fix}`);
  if (spec.upstreams.length === 0) throw new BalancerError('a balancer needs at least one upstream port');
  const dir = mkdtempSync(join(tmpdir(), 'stackbench-lb-')); // mode 0700
  const conf = join(dir, `${kind}.conf`);
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    conf,
    kind === 'haproxy'
      ? haproxyConfig(spec.port, spec.upstreams, dir, spec.readyPath ?? '/json')
      : nginxConfig(spec.port, spec.upstreams, dir, asRoot),
  );
  // haproxy -db: foreground, no master: the process we start is the one that balances. nginx: daemon off,
  // a master (idle) and one worker, in one process group; -e: errors before the config is read go to stderr.
  const args = kind === 'haproxy' ? ['-db', '-f', conf] : ['-e', 'stderr', '-p', dir, '-c', conf];
  const proc = start({ name: kind, cmd: found.bin!, args, cpus: spec.cpus, wrap: spec.wrap });
  const stop = async () => {
    await proc.stop(3000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitThrough(proc, spec);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    kind,
    port: spec.port,
    url: `http://127.0.0.1:${spec.port}`,
    version: found.version!,
    proc,
    dir,
    stop,
    async activate(n) {
      if (kind !== 'haproxy') throw new BalancerError('only HAProxy can set replicas aside at run time');
      const on = (i: number) => (typeof n === 'number' ? i < n : n.includes(i));
      // The new set ready before the others go aside: the other order left a moment with no replica ready
      // (going from [2] to [1] answered 1-3 requests of a slice with 503s).
      const all = spec.upstreams.map((_, i) => i);
      for (const i of [...all.filter(on), ...all.filter((k) => !on(k))]) {
        const said = await haproxyCommand(
          join(dir, 'stats.sock'),
          `set server replicas/r${i + 1} state ${on(i) ? 'ready' : 'maint'}`,
        );
        if (said.trim())
          throw new BalancerError(`HAProxy refused to set replica ${i + 1} aside: ${said.trim()}`);
      }
    },
    async stats() {
      if (kind === 'nginx') {
        return {
          perUpstream: null,
          reason:
            'nginx OSS keeps no per-upstream counters (the upstream status API is NGINX Plus; stub_status counts totals only)',
        };
      }
      return {
        perUpstream: parseHaproxyStat(
          await haproxyCommand(join(dir, 'stats.sock'), 'show stat'),
          spec.upstreams,
        ),
      };
    },
  };
}

/** Ready when a request through the balancer gets an upstream's answer (not 502/503/504, which are its own). */
async function waitThrough(proc: Managed, spec: BalancerSpec): Promise<void> {
  const timeoutMs = spec.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const path = spec.readyPath ?? '/';
  let last = 0;
  while (Date.now() < deadline) {
    if (spec.signal?.aborted) throw new StackbenchError('SB_INTERRUPTED');
    if (proc.exited) {
      const why = proc.exitSignal ?? `code ${proc.exitCode}`;
      throw new BalancerError(`${proc.name} exited (${why}) before answering\n${indentLog(proc.log())}`);
    }
    last = await httpGetStatus(spec.port, path, 2000);
    if (last !== 0 && last !== 502 && last !== 503 && last !== 504) return;
    await sleep(25);
  }
  throw new BalancerError(
    `${proc.name} on 127.0.0.1:${spec.port}: no upstream answered ${path} through it within ${timeoutMs / 1000} s ` +
      `(last status ${last || 'none'}; upstreams ${spec.upstreams.join(', ')})\n${indentLog(proc.log())}`,
  );
}
