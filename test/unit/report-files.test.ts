// Writing and reading the run's files: atomic writes leave no temp files, results.json reads back equal, a file
// of another schema version (or not a results file at all) is refused with exit 2, and `stackbench report`
// re-renders from a results file.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { reportCommand } from '../../src/cli/commands/report.js';
import { StackbenchError } from '../../src/errors.js';
import { loadResults, writeReports, writeResultsAtomic } from '../../src/report/index.js';
import { resultsJsonSchema } from '../../src/results/schema.js';
import { RESULTS_VERSION } from '../../src/results/types.js';
import { sampleResults } from '../fixtures/report-sample.js';

const sample = sampleResults();
const root = mkdtempSync(join(tmpdir(), 'sb-report-files-'));
after(() => rmSync(root, { recursive: true, force: true }));

function rejects(fn: () => unknown, code: string, why: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StackbenchError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.exit, 2);
    assert.match(e.message, why);
    return true;
  });
}

/** Run a command with stdout captured. */
async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await reportCommand.run(argv), out };
  } finally {
    process.stdout.write = write;
  }
}

describe('writing reports', () => {
  it('writes results.json, report.md, report.html and the CSV exports and leaves no temp files', () => {
    const dir = join(root, 'out', 'nested');
    const paths = writeReports(sample, dir);
    assert.deepEqual(readdirSync(dir).sort(), [
      'headline.csv',
      'points.csv',
      'report.html',
      'report.md',
      'results.json',
    ]);
    assert.equal(paths.pointsCsv, join(dir, 'points.csv'));
    assert.match(readFileSync(paths.headlineCsv, 'utf8'), /^workload,stack,/);
    assert.equal(paths.json, join(dir, 'results.json'));
    assert.deepEqual(loadResults(paths.json), JSON.parse(JSON.stringify(sample)));
    assert.match(readFileSync(paths.md, 'utf8'), /^# stackbench report/);
  });

  it('rewrites results.json after every point without leaving temp files behind', () => {
    const dir = join(root, 'points');
    const r = structuredClone(sample);
    const all = r.points;
    for (let i = 1; i <= 20; i++) {
      r.points = all.slice(0, i);
      writeResultsAtomic(r, dir);
      assert.deepEqual(readdirSync(dir), ['results.json']);
      assert.equal(loadResults(join(dir, 'results.json')).points.length, i);
    }
  });

  it('refuses a folder it cannot write: SB_OUT_NOT_WRITABLE, exit 2, no temp file', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    rejects(() => writeReports(sample, join(file, 'sub')), 'SB_OUT_NOT_WRITABLE', /a-file/);
    // The target exists as a folder: the temp file is written, the rename fails, and the temp file is removed.
    const dir = join(root, 'blocked');
    mkdirSync(join(dir, 'results.json', 'inside'), { recursive: true });
    rejects(() => writeResultsAtomic(sample, dir), 'SB_OUT_NOT_WRITABLE', /blocked": EISDIR/);
    assert.deepEqual(readdirSync(dir), ['results.json']);
  });
});

describe('loadResults', () => {
  const write = (name: string, text: string) => {
    const p = join(root, name);
    writeFileSync(p, text);
    return p;
  };

  it('rejects another schema version with exit 2', () => {
    const p = write('v99.json', JSON.stringify({ ...sample, version: 99 }));
    rejects(
      () => loadResults(p),
      'SB_BAD_RESULTS',
      new RegExp(`schema version 99, this stackbench reads version ${RESULTS_VERSION}`),
    );
  });

  it('rejects what is not JSON, not a results file, incomplete, or missing', () => {
    rejects(() => loadResults(write('bad.json', '{"schema":')), 'SB_BAD_RESULTS', /not JSON/);
    rejects(
      () => loadResults(write('pkg.json', '{"name":"x"}')),
      'SB_BAD_RESULTS',
      /not a stackbench results file/,
    );
    rejects(() => loadResults(write('arr.json', '[1,2]')), 'SB_BAD_RESULTS', /not a stackbench results file/);
    const { points: _points, ...noPoints } = sample;
    rejects(
      () => loadResults(write('nopoints.json', JSON.stringify(noPoints))),
      'SB_BAD_RESULTS',
      /1 problem against its schema: points: Invalid input: expected array, received undefined/,
    );
    rejects(() => loadResults(join(root, 'nope.json')), 'SB_BAD_RESULTS', /no such file/);
  });
});

describe('stackbench report', () => {
  const dir = join(root, 'run');
  // A stale analysis in the file: `report` must recompute it, not copy it.
  const stale = structuredClone(sample);
  stale.analysis!.verdicts[0]!.summary = 'STALE VERDICT FROM THE FILE';
  writeResultsAtomic(stale, dir);
  const file = join(dir, 'results.json');

  it('re-renders report.md, report.html and the CSV exports beside the results and prints the summary', async () => {
    const { code, out } = await run([file]);
    assert.equal(code, 0);
    assert.deepEqual(readdirSync(dir).sort(), [
      'headline.csv',
      'points.csv',
      'report.html',
      'report.md',
      'results.json',
    ]);
    assert.ok(out.includes(`wrote ${join(dir, 'points.csv')}`));
    assert.ok(out.includes(`wrote ${join(dir, 'headline.csv')}`));
    assert.match(out, /^stackbench quick suite · complete/);
    assert.match(out, /verdicts on the article/);
    assert.ok(out.includes(`wrote ${join(dir, 'report.html')}`));
    // The analysis was recomputed by src/analysis, not copied from the file.
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    assert.ok(!md.includes('STALE VERDICT FROM THE FILE'), 'the stored verdict text was replaced');
    assert.ok(md.includes(sample.analysis!.verdicts[0]!.summary), 'by the recomputed one');
  });

  it('writes to --out and refuses an unwritable one with exit 2', async () => {
    const out = join(root, 'elsewhere');
    assert.equal((await run([file, '--out', out])).code, 0);
    assert.deepEqual(readdirSync(out).sort(), ['headline.csv', 'points.csv', 'report.html', 'report.md']);
    const blocker = join(root, 'blocker');
    writeFileSync(blocker, '');
    await assert.rejects(
      run([file, '--out', join(blocker, 'x')]),
      (e: unknown) => e instanceof StackbenchError && e.code === 'SB_OUT_NOT_WRITABLE' && e.exit === 2,
    );
  });

  it('refuses bad input with exit 2', async () => {
    await assert.rejects(
      run([]),
      (e: unknown) => e instanceof StackbenchError && e.code === 'SB_BAD_FLAG' && e.exit === 2,
    );
    const bad = join(root, 'old.json');
    writeFileSync(bad, JSON.stringify({ ...sample, version: 0 }));
    await assert.rejects(
      run([bad]),
      (e: unknown) => e instanceof StackbenchError && e.code === 'SB_BAD_RESULTS' && e.exit === 2,
    );
  });
});

describe('the published schema', () => {
  it('docs/results.schema.json is the schema the files are checked against (npm run schema writes it)', () => {
    const file = fileURLToPath(new URL('../../../docs/results.schema.json', import.meta.url));
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), resultsJsonSchema());
  });
});
