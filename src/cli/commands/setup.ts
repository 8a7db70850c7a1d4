// stackbench setup: install the Python stacks and the lab's services (PostgreSQL, Redis, HAProxy). It says which
// Python the stacks run on and what it will do, then does it with --yes (or after a "y" on a terminal): a .venv
// where pip reaches its index; Debian's packages as root on Debian; otherwise it prints the exact commands.
// After installing it probes every interpreter again and chooses again (choosePython, as doctor and run do).
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { ExitCode, StackbenchError } from '../../errors.js';
import { ROOT } from '../../paths.js';
import {
  DEBIAN_PYTHON,
  blasGaps,
  debianMissing,
  devGaps,
  isDebian,
  isRoot,
  pipReachesIndex,
  pythonGaps,
  pythonLine,
  pythonNotes,
  pythonOptional,
  serviceGaps,
  type Gap,
} from '../../setup/detect.js';
import {
  choosePython,
  forgetPythons,
  installCommand,
  isSystemPython,
  type PythonChoice,
} from '../../stacks/python.js';
import { defineCommand } from '../command.js';

interface Step {
  say: string;
  argv: string[];
}

export interface SetupPlan {
  /** The interpreter the stacks run on now (before any step). */
  choice: PythonChoice;
  steps: Step[];
  /** Commands setup cannot run itself (not root, not Debian, an interpreter it must not touch). */
  manual: string[];
}

const REQUIREMENTS = `${ROOT}/servers/python/requirements.txt`;

/** How the Python stacks get their packages: pip into a .venv, Debian's packages, or commands for the user. */
function planPython(choice: PythonChoice, steps: Step[], manual: string[], aptPkgs: string[]) {
  const explicit = process.env.STACKBENCH_PYTHON;
  if (explicit && !isSystemPython(explicit)) {
    // The user chose this interpreter: fill it, or say how; never quietly switch to another.
    if (!choice.info)
      manual.push(`point STACKBENCH_PYTHON (now ${explicit}) to a Python 3.9+ that runs, or unset it`);
    else if (pipReachesIndex())
      steps.push({
        say: `install the Python stacks into ${explicit} (STACKBENCH_PYTHON)`,
        argv: [explicit, '-m', 'pip', 'install', '-r', REQUIREMENTS],
      });
    else manual.push(installCommand(explicit, choice.missing));
    return;
  }
  const pip = explicit ? undefined : pipReachesIndex();
  if (pip) {
    steps.push({
      say: 'create a virtual environment .venv',
      argv: [pip.python, '-m', 'venv', `${ROOT}/.venv`],
    });
    steps.push({
      say: 'install the Python stacks from servers/python/requirements.txt',
      argv: [`${ROOT}/.venv/bin/pip`, 'install', '-r', REQUIREMENTS],
    });
  } else if (isDebian() && isRoot()) aptPkgs.push(...DEBIAN_PYTHON);
  else {
    manual.push('python3 -m venv .venv && .venv/bin/pip install -r servers/python/requirements.txt');
    if (isDebian())
      manual.push(`sudo apt-get install -y ${DEBIAN_PYTHON.join(' ')}   (if pip cannot reach its index)`);
  }
}

/** What setup will do; `dev`: also what the tests need (Chromium, nginx, iproute2, procps). */
export function planSetup({ dev = false }: { dev?: boolean } = {}): SetupPlan {
  const choice = choosePython();
  const steps: Step[] = [];
  const manual: string[] = [];
  const aptPkgs: string[] = [];
  if (!choice.info || choice.missing.length) planPython(choice, steps, manual, aptPkgs);
  // The rest: Debian's package as root on Debian, else the gap's own command.
  const rest: Gap[] = [...blasGaps(choice), ...serviceGaps(), ...(dev ? devGaps() : [])];
  for (const g of rest) {
    if (g.deb && isDebian() && isRoot()) aptPkgs.push(...g.deb);
    else manual.push(g.deb && isDebian() ? `sudo apt-get install -y ${g.deb.join(' ')}` : g.fix);
  }
  const install = debianMissing([...new Set(aptPkgs)]);
  if (install.length)
    steps.unshift(
      { say: "refresh Debian's package lists", argv: ['apt-get', 'update', '-q'] },
      {
        say: `install ${install.join(' ')}`,
        argv: ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...install],
      },
    );
  else if (aptPkgs.length) {
    // dpkg lists every package as installed, yet something is missing: nothing apt-get can do; say what.
    for (const g of [...pythonGaps(choice), ...rest]) manual.push(`${g.fix}   (${g.what})`);
  }
  return { choice, steps, manual };
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(question);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

/** "Python: …" and the plain words about the other interpreters. */
function describe(choice: PythonChoice): string {
  const lines = [`Python: ${pythonLine(choice)}`, ...pythonNotes(choice).map((n) => `  note: ${n}`)];
  for (const o of pythonOptional(choice)) lines.push(`  optional: ${o.what} — ${o.fix}`);
  return lines.join('\n') + '\n';
}

export const setupCommand = defineCommand({
  name: 'setup',
  summary: 'install the Python stacks, PostgreSQL, Redis and HAProxy (says what it will do first)',
  about:
    'Installs what the stacks and the lab need: a .venv from servers/python/requirements.txt where pip reaches\n' +
    "its index; Debian's python3-* packages (and postgresql, redis-server, haproxy, libopenblas0-pthread) when\n" +
    'pip cannot and this is Debian as root; otherwise prints the exact commands. It names the Python the stacks\n' +
    'run on (the same one doctor and run use), and probes again after installing.\n' +
    'With --dev, also what the tests need (Chromium, nginx, iproute2, procps).\n' +
    'Without --yes it shows the plan and asks (or just shows it when not on a terminal).',
  flags: {
    yes: { type: 'boolean', short: 'y', help: 'do it without asking' },
    dev: {
      type: 'boolean',
      help: "also what the tests need: Debian's Chromium, nginx, iproute2 and procps (npm test then passes)",
    },
  },
  async run(values) {
    const dev = values.dev === true;
    const { choice, steps, manual } = planSetup({ dev });
    if (!steps.length && !manual.length) {
      process.stdout.write(describe(choice));
      process.stdout.write(
        `nothing to do: the Python stacks, PostgreSQL, Redis and HAProxy${dev ? ' and what the tests need' : ''} are installed (see \`stackbench doctor\`)\n`,
      );
      return ExitCode.ok;
    }
    process.stdout.write(describe(choice));
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
    // What was installed is not in the probes taken before: probe every interpreter again, and choose again.
    forgetPythons();
    const after = choosePython();
    const left = [...pythonGaps(after), ...serviceGaps(), ...(dev ? devGaps() : [])];
    if (left.length)
      throw new StackbenchError('SB_SETUP_FAILED', [`still missing: ${left.map((g) => g.what).join('; ')}`]);
    process.stdout.write(describe(after));
    process.stdout.write(
      `done: the Python stacks and the lab${dev ? ', and what the tests need,' : ''} are ready (\`stackbench stacks\` lists them)\n`,
    );
    return manual.length ? ExitCode.failure : ExitCode.ok;
  },
});
