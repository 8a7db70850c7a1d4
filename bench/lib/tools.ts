// The three generators, each run pinned on the generator core, parsed into one shape: requests per second and
// latency percentiles in ms. wrk is Debian's plain wrk 4.1 (closed loop only; wrk2 is not packaged here), its
// percentiles read through a Lua done() hook; autocannon's from --json; stackbench's from `load --json`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runPinned, type RunOutput } from './proc.js';

export type Tool = 'stackbench' | 'autocannon' | 'wrk';

export interface ToolRun {
  tool: Tool;
  rps: number;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  p999: number;
  maxMs: number;
  /** Generator RSS at its last sample and its peak, KiB. */
  rssLastKb: number;
  rssPeakKb: number;
  /** stackbench only: the generator's own health verdict. */
  note?: string;
}

export interface LoadSpec {
  url: string;
  connections: number;
  durationS: number;
  /** Open loop at this total rate (stackbench --rate, autocannon -R); wrk has no rate and ignores it. */
  rate?: number;
}

export const ROOT = resolve(import.meta.dirname, '../../..');
const STACKBENCH = join(ROOT, 'bin/stackbench.js');
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');

let wrkScript: string | undefined;
function wrkLua(): string {
  if (wrkScript) return wrkScript;
  const dir = mkdtempSync(join(tmpdir(), 'sb-wrk-'));
  wrkScript = join(dir, 'report.lua');
  // Only done() is defined, so wrk keeps its fast path (no per-request Lua).
  writeFileSync(
    wrkScript,
    `done = function(s, l, r)
  local e = s.errors
  io.write(string.format('SBJSON {"requests":%d,"duration_us":%d,"errors":%d,"p50":%d,"p99":%d,"p999":%d,"max":%d}\\n',
    s.requests, s.duration, e.connect + e.read + e.write + e.status + e.timeout,
    l:percentile(50), l:percentile(99), l:percentile(99.9), l.max))
end
`,
  );
  return wrkScript;
}

function fail(tool: Tool, out: RunOutput): never {
  throw new Error(`${tool} failed (exit ${out.code}): ${out.stderr.slice(-500)} ${out.stdout.slice(-500)}`);
}

export async function runTool(tool: Tool, spec: LoadSpec, core: number): Promise<ToolRun> {
  const timeout = (spec.durationS + 30) * 1000;
  const rss = (o: RunOutput) => ({ rssLastKb: o.rssLastKb, rssPeakKb: o.rssPeakKb });
  if (tool === 'wrk') {
    const argv = ['wrk', '-t1', `-c${spec.connections}`, `-d${spec.durationS}s`, '-s', wrkLua(), spec.url];
    const out = await runPinned(core, argv, timeout);
    const line = out.stdout.split('\n').find((l) => l.startsWith('SBJSON '));
    if (out.code !== 0 || !line) fail(tool, out);
    const j = JSON.parse(line.slice(7)) as Record<string, number>;
    return {
      tool,
      requests: j.requests!,
      rps: j.requests! / (j.duration_us! / 1e6),
      errors: j.errors!,
      p50: j.p50! / 1000,
      p99: j.p99! / 1000,
      p999: j.p999! / 1000,
      maxMs: j.max! / 1000,
      ...rss(out),
    };
  }
  if (tool === 'autocannon') {
    const argv = ['node', AUTOCANNON, '-c', String(spec.connections), '-d', String(spec.durationS), '--json'];
    if (spec.rate) argv.push('-R', String(spec.rate));
    argv.push(spec.url);
    const out = await runPinned(core, argv, timeout);
    if (out.code !== 0) fail(tool, out);
    const j = JSON.parse(out.stdout) as {
      requests: { total: number; average: number };
      latency: Record<string, number>;
      errors: number;
      timeouts: number;
      non2xx: number;
      duration: number;
    };
    return {
      tool,
      requests: j.requests.total,
      rps: j.requests.total / j.duration,
      errors: j.errors + j.timeouts + j.non2xx,
      p50: j.latency.p50!,
      p99: j.latency.p99!,
      p999: j.latency.p99_9!,
      maxMs: j.latency.max!,
      ...rss(out),
    };
  }
  const argv = [
    'node',
    STACKBENCH,
    'load',
    spec.url,
    '-c',
    String(spec.connections),
    '-d',
    `${spec.durationS}s`,
  ];
  if (spec.rate) argv.push('--rate', String(spec.rate));
  argv.push('--json');
  const out = await runPinned(core, argv, timeout, { ...process.env, NODE_ENV: 'production' });
  if (out.code !== 0) fail(tool, out);
  const j = JSON.parse(out.stdout) as {
    rps: number;
    requests: number;
    errors: Record<string, number>;
    latency: { maxMs: number; percentilesMs: Record<string, number> };
    generator: { saturated: boolean; reason: string; threads: number; cpuPercent: number };
  };
  return {
    tool,
    requests: j.requests,
    rps: j.rps,
    errors: Object.values(j.errors).reduce((a, b) => a + b, 0),
    p50: j.latency.percentilesMs['50']!,
    p99: j.latency.percentilesMs['99']!,
    p999: j.latency.percentilesMs['99.9']!,
    maxMs: j.latency.maxMs,
    ...rss(out),
    note:
      `${j.generator.threads} thread(s), CPU ${j.generator.cpuPercent.toFixed(0)}%` +
      (j.generator.saturated ? `, saturated: ${j.generator.reason}` : ''),
  };
}

/** stackbench's side exists once the colleague's `load` command is built and registered. */
export async function stackbenchReady(): Promise<boolean> {
  const { spawnSync } = await import('node:child_process');
  const out = spawnSync('node', [STACKBENCH, '--help'], { encoding: 'utf8', timeout: 10_000 });
  return /^\s*load\b/m.test(out.stdout ?? '');
}
