// stackbench stacks: the seven stacks, how each runs, and whether it is available here (with versions).
import { planCpus } from '../../machine/cpuset.js';
import { stackRecord } from '../../lab/session.js';
import { BUILTIN_IDS } from '../../stacks/registry.js';
import { choosePython } from '../../stacks/python.js';
import { pythonLine } from '../../setup/detect.js';
import { color, textTable } from '../../report/table.js';
import { defineCommand } from '../command.js';

export function stackInventory() {
  const cores = planCpus().server.length;
  return BUILTIN_IDS.map((id) => {
    const r = stackRecord(id, cores);
    return {
      id,
      runtime: r.runtime,
      serverClass: r.serverClass,
      framework: r.framework,
      server: r.server,
      model: r.model,
      instances: r.workerRule,
      workersHere: r.workers,
      available: r.available,
      versions: r.versions,
      missing: r.failure?.reason,
      fix: r.failure?.fix,
    };
  });
}

export const stacksCommand = defineCommand({
  name: 'stacks',
  summary: 'list the stacks, their versions and whether each is available',
  about: 'Each stack with its concurrency model, instance rule, availability and versions.',
  flags: { json: { type: 'boolean', help: 'print one JSON document on stdout, nothing else' } },
  async run(values) {
    const inv = stackInventory();
    // The interpreter every Python stack runs on (the one doctor, setup and run name).
    const py = choosePython();
    if (values.json) {
      const python = py.info
        ? { path: py.info.path, version: py.info.version, complete: py.missing.length === 0 }
        : null;
      process.stdout.write(JSON.stringify({ python, stacks: inv }, null, 2) + '\n');
      return 0;
    }
    const rows = inv.map((s) => [
      s.id,
      s.available ? color.green('yes') : color.red('no'),
      s.model,
      `${s.instances} → ${s.workersHere}`,
      [
        s.versions.runtime,
        s.versions.framework,
        s.versions.server === s.versions.framework ? '' : s.versions.server,
      ]
        .filter(Boolean)
        .join(', '),
    ]);
    process.stdout.write(
      textTable(['stack', 'available', 'model', 'instances → here', 'versions'], rows) + '\n',
    );
    process.stdout.write(`\nPython: ${pythonLine(py)}\n`);
    for (const s of inv.filter((x) => !x.available))
      process.stdout.write(`\n${s.id}: ${s.missing}\n  fix: ${s.fix}`);
    process.stdout.write(inv.some((x) => !x.available) ? '\n' : '');
    return 0;
  },
});
