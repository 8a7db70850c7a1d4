// compare's targets, checked before anything starts: NAME=URL (a service already running) or NAME=COMMAND (one
// stackbench starts, with {port} where the port goes). Names are unique; a URL goes to loopback unless its host
// was allowed; a command says where its port goes.
import { StackbenchError } from '../errors.js';
import { assertAllowedTarget, parseTarget } from '../engine/target.js';
import type { Runtime } from '../stacks/registry.js';

export interface UrlTarget {
  name: string;
  url: string;
  runtime?: Runtime;
}

export interface CommandTarget {
  name: string;
  /** Run by sh, {port} replaced by the port stackbench chose (also in $PORT). */
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Ready once GET readyPath answers (any status): "/" unless given. */
  readyPath?: string;
  runtime?: Runtime;
}

export type TargetSpec = UrlTarget | CommandTarget;

export const isUrlTarget = (t: TargetSpec): t is UrlTarget => 'url' in t;

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** "api=http://127.0.0.1:3000" or "api=node server.js --port {port}". */
export function parseTargetArg(arg: string): TargetSpec {
  const eq = arg.indexOf('=');
  if (eq <= 0)
    throw new StackbenchError('SB_BAD_TARGET', [
      arg,
      'expected NAME=URL or NAME=COMMAND (a command holds {port})',
    ]);
  const name = arg.slice(0, eq);
  const what = arg.slice(eq + 1).trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(what) ? { name, url: what } : { name, command: what };
}

/** Every target well formed, names unique, URLs allowed: bad input (exit 2) naming the target otherwise. */
export function checkTargets(targets: TargetSpec[], allowRemote: string[] = []): void {
  if (targets.length === 0)
    throw new StackbenchError('SB_BAD_TARGET', ['(none)', 'compare needs at least one target']);
  const seen = new Set<string>();
  for (const t of targets) {
    if (!NAME.test(t.name))
      throw new StackbenchError('SB_BAD_TARGET', [t.name, 'a name is 1 to 64 of A-Z a-z 0-9 . _ -']);
    if (seen.has(t.name))
      throw new StackbenchError('SB_BAD_TARGET', [t.name, 'two targets have this name; give each its own']);
    seen.add(t.name);
    if (isUrlTarget(t)) {
      const parsed = parseTarget(t.url);
      assertAllowedTarget(parsed, allowRemote);
    } else {
      if (!t.command) throw new StackbenchError('SB_BAD_TARGET', [t.name, 'the command is empty']);
      if (!t.command.includes('{port}'))
        throw new StackbenchError('SB_BAD_TARGET', [
          t.name,
          `the command "${t.command}" has no {port}: put {port} where it takes the port to listen on (it is also in $PORT)`,
        ]);
    }
  }
}
