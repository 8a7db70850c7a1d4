// results.json on disk: written atomically (a temp file in the same folder, then rename) after every point,
// so an interrupted or crashed run keeps everything it measured and a reader never sees half a file; read
// back only when it is a results file of this schema version.
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StackbenchError } from '../errors.js';
import { RESULTS_SCHEMA, RESULTS_VERSION, type Results } from './types.js';

/** Create the out folder and prove it writable before any measuring starts (bad input: exit 2). */
export function prepareOutDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new StackbenchError('SB_OUT_NOT_WRITABLE', [dir, (e as NodeJS.ErrnoException).code ?? (e as Error).message]);
  }
}

let seq = 0;

/** Write `text` to dir/name through a temp file in the same folder (rename is atomic on one filesystem). */
export function writeFileAtomic(dir: string, name: string, text: string): string {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${++seq}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
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

/** Read and check a results.json; throws SB_BAD_RESULTS (exit 2) naming what is wrong. */
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
  for (const key of ['stacks', 'points', 'capacities', 'notes'] as const) {
    if (!Array.isArray(data[key])) throw bad(`"${key}" is missing or not a list`);
  }
  for (const key of ['machine', 'config', 'tool'] as const) {
    if (!isObject(data[key])) throw bad(`"${key}" is missing or not an object`);
  }
  const config = data.config as Record<string, unknown>;
  for (const key of ['stacks', 'workloads', 'connections'] as const) {
    if (!Array.isArray(config[key])) throw bad(`"config.${key}" is missing or not a list`);
  }
  if (data.analysis !== undefined && !isObject(data.analysis)) throw bad('"analysis" is not an object');
  return data as unknown as Results;
}
