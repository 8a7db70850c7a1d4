// results.json on disk: written atomically (a temp file in the same folder, then rename) after every point,
// so an interrupted or crashed run keeps everything it measured and a reader never sees half a file; read
// back only when it is a results file of this schema version.
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StackbenchError } from '../errors.js';
import { problemsOf } from './schema.js';
import { RESULTS_SCHEMA, RESULTS_VERSION, type Results } from './types.js';

/** Filesystems that are views of the kernel, not storage: no results folder belongs there (statfs magic). */
const SPECIAL_FS: Record<number, string> = {
  0x9fa0: 'procfs',
  0x62656572: 'sysfs',
  0x27e0eb: 'cgroupfs',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0x1cd1: 'devpts',
};

/**
 * mkdir -p without its traps: the nearest existing ancestor must be a folder on a real filesystem (Node's own
 * recursive mkdir loops forever under /proc), then each missing component is made in turn.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  const refuse = (why: string) => new StackbenchError('SB_OUT_NOT_WRITABLE', [resolve(dir), why]);
  if (!statSync(at).isDirectory()) throw refuse(`${at} is not a folder`);
  const fs = SPECIAL_FS[statfsSync(at).type];
  if (fs) throw refuse(`${at} is on ${fs}, a view of the kernel, not a place for files`);
  for (const d of missing) mkdirSync(d);
}

/**
 * Create the out folder and prove it writable before any measuring starts (bad input: exit 2). A folder that
 * already holds a run's results.json is refused unless `replace`: a measured run is never lost by accident.
 */
export function prepareOutDir(dir: string, { replace = true }: { replace?: boolean } = {}): void {
  if (!replace && existsSync(join(dir, 'results.json'))) throw new StackbenchError('SB_OUT_EXISTS', [dir]);
  try {
    makeDirs(dir);
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    if (e instanceof StackbenchError) throw e;
    throw new StackbenchError('SB_OUT_NOT_WRITABLE', [dir, (e as NodeJS.ErrnoException).code ?? (e as Error).message]);
  }
}

let seq = 0;

/** Write `text` to dir/name through a temp file in the same folder (rename is atomic on one filesystem). */
export function writeFileAtomic(dir: string, name: string, text: string): string {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${++seq}.tmp`);
  try {
    makeDirs(dir);
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
    if (e instanceof StackbenchError) throw e;
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The folder itself is unusable (a file, gone): there is no temp file to remove.
    }
    throw new StackbenchError('SB_OUT_NOT_WRITABLE', [
      resolve(dir),
      (e as NodeJS.ErrnoException).code ?? (e as Error).message,
    ]);
  }
  return target;
}

/** results.json only: the runner calls this after every point. */
export function writeResultsAtomic(results: Results, outDir: string): string {
  return writeFileAtomic(outDir, 'results.json', JSON.stringify(results, null, 2) + '\n');
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** How many problems a bad file's message lists before "and N more". */
const SHOWN = 8;

/** Read and check a results.json against its schema; throws SB_BAD_RESULTS (exit 2) naming every problem. */
export function loadResults(file: string): Results {
  const bad = (why: string) => new StackbenchError('SB_BAD_RESULTS', [file, why]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw bad(
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isObject(data) || data.schema !== RESULTS_SCHEMA) throw bad('not a stackbench results file');
  if (data.version !== RESULTS_VERSION) {
    const v = JSON.stringify(data.version);
    const wrote = isObject(data.tool) ? ` (written by stackbench ${String(data.tool.version)})` : '';
    const how =
      typeof data.version === 'number' && data.version < RESULTS_VERSION
        ? `: an older file${wrote} — re-run \`stackbench run\` to measure again, or render it with the stackbench that wrote it (version 1 called its PSS memory figure peakRssMiB)`
        : '';
    throw bad(`schema version ${v}, this stackbench reads version ${RESULTS_VERSION}${how}`);
  }
  const problems = problemsOf(data);
  if (problems.length) {
    const more = problems.length > SHOWN ? `; and ${problems.length - SHOWN} more` : '';
    const n = problems.length;
    throw bad(`${n} problem${n > 1 ? 's' : ''} against its schema: ${problems.slice(0, SHOWN).join('; ')}${more}`);
  }
  return data as unknown as Results;
}
