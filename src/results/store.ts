// results.json on disk: written atomically (temp file in the same folder, then rename) after every point,
// so an interrupted or crashed run keeps everything it measured and a reader never sees half a file.
import { mkdirSync, renameSync, writeFileSync, accessSync, constants, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StackbenchError } from '../errors.js';

export function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

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
