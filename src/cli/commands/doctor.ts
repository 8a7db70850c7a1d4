// stackbench doctor: the machine, the tools, each stack — what is missing and the command that fixes it.
import { totalmem, platform, release } from 'node:os';
import { existsSync } from 'node:fs';
import { findPostgres } from '../../lab/postgres.js';
import { NODE_SERVERS } from '../../paths.js';
import { color, textTable } from '../../report/table.js';
import { planCpus } from '../../machine/cpuset.js';
import { findPython, PY_PACKAGES } from '../../stacks/python.js';
import { has, postgresGaps, pythonGaps, type Gap } from '../../setup/detect.js';
import { defineCommand } from '../command.js';
import { stackInventory } from './stacks.js';

export function diagnose() {
  const cpus = planCpus();
  const py = findPython(Object.keys(PY_PACKAGES));
  const pg = findPostgres();
  const gaps: Gap[] = [...pythonGaps(), ...postgresGaps()];
  if (!existsSync(NODE_SERVERS))
    gaps.push({ what: 'Node reference servers are not built', fix: 'npm run build' });
  for (const tool of ['taskset', 'setpriv']) {
    if (!has(tool))
      gaps.push({
        what: `${tool} missing: no CPU pinning / child cleanup on crash`,
        fix: 'apt-get install util-linux',
      });
  }
  const tools = Object.fromEntries(
    ['taskset', 'setpriv', 'chromium', 'nginx', 'wrk'].map((t) => [t, has(t)]),
  );
  return {
    machine: {
      os: `${platform()} ${release()}`,
      cores: cpus.all.length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      split: cpus.note,
      node: process.versions.node,
    },
    python: py.info ? { path: py.info.path, version: py.info.version, packages: py.info.packages } : null,
    postgres: pg.ok ? { bin: pg.bin, version: pg.version } : null,
    tools,
    stacks: stackInventory(),
    gaps,
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
    const lines = [
      `machine   ${d.machine.os}, ${d.machine.cores} cores, ${d.machine.memoryGiB} GiB, node ${d.machine.node}`,
      `cpu sets  ${d.machine.split}`,
      `python    ${d.python ? `${d.python.path} (${d.python.version})` : color.red('none found')}`,
      `postgres  ${d.postgres ? `${d.postgres.version} (${d.postgres.bin})` : color.red('not found')}`,
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
    if (d.gaps.length) {
      lines.push('', color.bold('missing:'));
      for (const g of d.gaps) lines.push(`  - ${g.what}\n    fix: ${g.fix}`);
    } else lines.push('', color.green('everything stackbench needs is here'));
    process.stdout.write(lines.join('\n') + '\n');
    return d.gaps.length ? 1 : 0;
  },
});
