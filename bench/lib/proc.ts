// Processes for benchmarks: every command runs pinned to one core with taskset, with the open-file limit
// limit, bounded in time, and its RSS sampled from /proc while it runs. Servers are started the same way and
// stopped by their process id.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RunOutput {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** VmRSS of the last sample before exit, in KiB (0 when never sampled). */
  rssLastKb: number;
  /** VmHWM (peak RSS) of the last sample, in KiB. */
  rssPeakKb: number;
}

/** argv wrapped so that it runs with the open-file limit raised to the hard limit, pinned to `core`; exec keeps the pid. */
export function pinnedArgv(core: number, argv: string[]): string[] {
  return ['-c', 'ulimit -n "$(ulimit -Hn)" && exec taskset -c "$0" "$@"', String(core), ...argv];
}

export function readRssKb(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/^VmRSS:\s*(\d+)/m.exec(s)?.[1] ?? 0);
    const hwm = Number(/^VmHWM:\s*(\d+)/m.exec(s)?.[1] ?? 0);
    return { rss, hwm };
  } catch {
    return undefined;
  }
}

/** Run argv pinned to `core` until it exits; killed after timeoutMs. */
export function runPinned(
  core: number,
  argv: string[],
  timeoutMs: number,
  env?: NodeJS.ProcessEnv,
): Promise<RunOutput> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('bash', pinnedArgv(core, argv), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    let rssLastKb = 0;
    let rssPeakKb = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const sampler = setInterval(() => {
      const s = child.pid ? readRssKb(child.pid) : undefined;
      if (s && s.rss > 0) {
        rssLastKb = s.rss;
        rssPeakKb = Math.max(rssPeakKb, s.hwm);
      }
    }, 200);
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - t0, rssLastKb, rssPeakKb });
    });
  });
}

export interface Server {
  child: ChildProcess;
  /** The line that told us it was ready. */
  readyLine: string;
  /** Everything it wrote to stderr so far (complete after stop). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Start a long-running process pinned to `core`; ready when a stdout line matches `ready`, or when the `ready`
 * probe answers true (polled every 50 ms).
 */
export function startPinned(
  core: number,
  argv: string[],
  ready: RegExp | (() => Promise<boolean>),
  timeoutMs = 10_000,
  env: Record<string, string> = {},
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', pinnedArgv(core, argv), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    const stop = () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        const force = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('close', () => {
          clearTimeout(force);
          res();
        });
        child.kill('SIGTERM');
      });
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`not ready after ${timeoutMs} ms: ${argv.join(' ')}\n${err}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = ready instanceof RegExp ? out.split('\n').find((l) => ready.test(l)) : undefined;
      if (line !== undefined) {
        clearTimeout(timer);
        resolve({ child, readyLine: line, stderr: () => err, stop });
      }
    });
    if (!(ready instanceof RegExp)) {
      const poll = async () => {
        if (child.exitCode !== null) return;
        if (await ready()) {
          clearTimeout(timer);
          resolve({ child, readyLine: '', stderr: () => err, stop });
        } else setTimeout(() => void poll(), 50);
      };
      void poll();
    }
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ready: ${argv.join(' ')}\n${err}`));
    });
  });
}
