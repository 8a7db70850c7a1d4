// stackbench setup: install the Python stacks and PostgreSQL. It says what it will do, then does it with --yes
// (or after a "y" on a terminal). pip + .venv where pip reaches its index; Debian's packages as root on Debian;
// otherwise it prints the exact commands.
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { ExitCode, StackbenchError } from '../../errors.js';
import { ROOT } from '../../paths.js';
import {
  DEBIAN_PYTHON,
  isDebian,
  isRoot,
  pipReachesIndex,
  postgresGaps,
  pythonGaps,
} from '../../setup/detect.js';
import { defineCommand } from '../command.js';

interface Step {
  say: string;
  argv: string[];
}

export function planSetup(): { steps: Step[]; manual: string[] } {
  const steps: Step[] = [];
  const manual: string[] = [];
  const needPython = pythonGaps().length > 0;
  const needPg = postgresGaps().length > 0;
  const apt = isDebian() && isRoot();
  const aptPkgs: string[] = [];
  if (needPython) {
    const pip = pipReachesIndex();
    if (pip) {
      steps.push({
        say: 'create a virtual environment .venv',
        argv: [pip.python, '-m', 'venv', `${ROOT}/.venv`],
      });
      steps.push({
        say: 'install the Python stacks from servers/python/requirements.txt',
        argv: [`${ROOT}/.venv/bin/pip`, 'install', '-r', `${ROOT}/servers/python/requirements.txt`],
      });
    } else if (apt) aptPkgs.push('python3', ...DEBIAN_PYTHON);
    else {
      manual.push('python3 -m venv .venv && .venv/bin/pip install -r servers/python/requirements.txt');
      if (isDebian())
        manual.push(`sudo apt-get install -y ${DEBIAN_PYTHON.join(' ')}   (if pip cannot reach its index)`);
    }
  }
  if (needPg) {
    if (apt) aptPkgs.push('postgresql');
    else
      manual.push(
        isDebian()
          ? 'sudo apt-get install -y postgresql'
          : 'install PostgreSQL server binaries (initdb, postgres)',
      );
  }
  if (aptPkgs.length) {
    steps.unshift(
      { say: "refresh Debian's package lists", argv: ['apt-get', 'update', '-q'] },
      {
        say: `install ${aptPkgs.join(' ')}`,
        argv: ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...aptPkgs],
      },
    );
  }
  return { steps, manual };
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(question);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

export const setupCommand = defineCommand({
  name: 'setup',
  summary: 'install the Python stacks and PostgreSQL (says what it will do first)',
  about:
    'Installs what the stacks need: a .venv from servers/python/requirements.txt where pip reaches its index;\n' +
    "Debian's python3-* packages and postgresql when pip cannot and this is Debian as root; otherwise prints the\n" +
    'exact commands. Without --yes it shows the plan and asks (or just shows it when not on a terminal).',
  flags: { yes: { type: 'boolean', short: 'y', help: 'do it without asking' } },
  async run(values) {
    const { steps, manual } = planSetup();
    if (!steps.length && !manual.length) {
      process.stdout.write(
        'nothing to do: the Python stacks and PostgreSQL are installed (see `stackbench doctor`)\n',
      );
      return ExitCode.ok;
    }
    if (steps.length) {
      process.stdout.write('stackbench setup will:\n');
      steps.forEach((s, i) => process.stdout.write(`  ${i + 1}. ${s.say}\n     $ ${s.argv.join(' ')}\n`));
    }
    if (manual.length) {
      process.stdout.write(
        `${steps.length ? '\nand cannot do itself' : 'stackbench setup cannot install this itself'}; run:\n`,
      );
      for (const m of manual) process.stdout.write(`  $ ${m}\n`);
    }
    if (!steps.length) return ExitCode.failure;
    if (!values.yes && !(await confirm('proceed? [y/N] '))) {
      process.stdout.write('nothing done; run `stackbench setup --yes` to do it\n');
      return ExitCode.ok;
    }
    for (const s of steps) {
      process.stderr.write(`→ ${s.say}\n`);
      const r = spawnSync(s.argv[0]!, s.argv.slice(1), {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      if (r.status !== 0)
        throw new StackbenchError('SB_SETUP_FAILED', [
          `"${s.argv.join(' ')}" exited with ${r.status ?? r.signal}`,
        ]);
    }
    const left = [...pythonGaps(), ...postgresGaps()];
    if (left.length)
      throw new StackbenchError('SB_SETUP_FAILED', [`still missing: ${left.map((g) => g.what).join('; ')}`]);
    process.stdout.write(
      'done: the Python stacks and PostgreSQL are ready (`stackbench stacks` lists them)\n',
    );
    return manual.length ? ExitCode.failure : ExitCode.ok;
  },
});
