// stackbench doctor: the machine, the tools, each stack — what is missing and the command that fixes it.
import { totalmem, platform, release } from 'node:os';
import { existsSync } from 'node:fs';
import { findBalancer } from '../../lab/balancer.js';
import { findPostgres } from '../../lab/postgres.js';
import { findRedis } from '../../lab/redis.js';
import { NODE_SERVERS } from '../../paths.js';
import { color, textTable } from '../../report/table.js';
import { planCpus } from '../../machine/cpuset.js';
import { choosePython } from '../../stacks/python.js';
import * as detect from '../../setup/detect.js';
import { defineCommand } from '../command.js';
import { stackInventory } from './stacks.js';

export function diagnose() {
  const cpus = planCpus();
  // The same choice setup and run make: the stacks run on this interpreter.
  const py = choosePython();
  const pg = findPostgres();
  const redis = findRedis();
  const haproxy = findBalancer('haproxy');
  const gaps: detect.Gap[] = [...detect.pythonGaps(py), ...detect.serviceGaps()];
  if (!existsSync(NODE_SERVERS))
    gaps.push({ what: 'Node reference servers are not built', fix: 'npm run build' });
  for (const tool of ['taskset', 'setpriv']) {
    if (!detect.has(tool))
      gaps.push({
        what: `${tool} missing: no CPU pinning / child cleanup on crash`,
        fix: 'apt-get install util-linux',
      });
  }
  const tools = Object.fromEntries(
    ['taskset', 'setpriv', 'chromium', 'nginx', 'wrk'].map((t) => [t, detect.has(t)]),
  );
  return {
    machine: {
      os: `${platform()} ${release()}`,
      cores: cpus.all.length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      split: cpus.note,
      node: process.versions.node,
    },
    python: py.info
      ? {
          path: py.info.path,
          version: py.info.version,
          executable: py.info.executable,
          source: py.source,
          complete: py.missing.length === 0,
          missing: py.missing,
          packages: py.info.packages,
          blas: py.info.blas,
          summary: detect.pythonLine(py),
        }
      : null,
    pythonCandidates: py.candidates.map((c) => ({
      path: c.path,
      source: c.source,
      version: c.info?.version ?? null,
      runs: c.info !== null,
      missing: c.missing,
      ...(c.note ? { note: c.note } : {}),
    })),
    pythonNotes: detect.pythonNotes(py),
    optional: detect.pythonOptional(py),
    postgres: pg.ok ? { bin: pg.bin, version: pg.version } : null,
    redis: redis.ok ? { bin: redis.bin, version: redis.version } : null,
    haproxy: haproxy.ok ? { bin: haproxy.bin, version: haproxy.version } : null,
    tools,
    stacks: stackInventory(),
    gaps,
    /** Not needed to run stackbench, only its tests (`setup --dev` installs them). */
    forTests: detect.devGaps(),
  };
}

export const doctorCommand = defineCommand({
  name: 'doctor',
  summary: 'check this machine: cores, memory, Python, PostgreSQL, stacks, and how to fix gaps',
  about: 'The machine, the tools and each stack: what is missing, and the command that fixes it.',
  flags: { json: { type: 'boolean', help: 'print one JSON document on stdout, nothing else' } },
  footer: 'Exit 0 when everything is in place, 1 when something is missing (each with its fix).',
  async run(values) {
    const d = diagnose();
    if (values.json) {
      process.stdout.write(JSON.stringify(d, null, 2) + '\n');
      return d.gaps.length ? 1 : 0;
    }
    const ok = (b: boolean) => (b ? color.green('ok') : color.red('missing'));
    const pyLine = d.python?.summary ?? `none found (${d.pythonCandidates.map((c) => c.path).join(', ')})`;
    const lines = [
      `machine   ${d.machine.os}, ${d.machine.cores} cores, ${d.machine.memoryGiB} GiB, node ${d.machine.node}`,
      `cpu sets  ${d.machine.split}`,
      `python    ${d.python?.complete ? pyLine : color.red(pyLine)}`,
      ...d.pythonNotes.map((n) => `          ${color.yellow('note:')} ${n}`),
      `postgres  ${d.postgres ? `${d.postgres.version} (${d.postgres.bin})` : color.red('not found')}`,
      `redis     ${d.redis ? `${d.redis.version} (${d.redis.bin})` : color.red('not found')}`,
      `haproxy   ${d.haproxy ? `${d.haproxy.version} (${d.haproxy.bin})` : color.red('not found')}`,
      `tools     ${Object.entries(d.tools)
        .map(([t, b]) => `${t} ${ok(b)}`)
        .join(', ')}`,
      '',
      textTable(
        ['stack', 'available', 'versions'],
        d.stacks.map((s) => [
          s.id,
          s.available ? color.green('yes') : color.red('no'),
          [...new Set(Object.values(s.versions))].join(', '),
        ]),
      ),
    ];
    if (d.optional.length) {
      lines.push('', 'optional (not needed; each adds something):');
      for (const o of d.optional) lines.push(`  - ${o.what}\n    install: ${o.fix}`);
    }
    if (d.forTests.length) {
      lines.push('', 'for the tests only (`stackbench setup --yes --dev` installs them):');
      for (const g of d.forTests) lines.push(`  - ${g.what}\n    install: ${g.fix}`);
    }
    if (d.gaps.length) {
      lines.push('', color.bold('missing:'));
      for (const g of d.gaps) lines.push(`  - ${g.what}\n    fix: ${g.fix}`);
    } else lines.push('', color.green('everything stackbench needs is here'));
    process.stdout.write(lines.join('\n') + '\n');
    return d.gaps.length ? 1 : 0;
  },
});
