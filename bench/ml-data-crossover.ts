// Where ML and data work flips between Node.js and Python: per-request latency of GET /ml/sized and
// GET /data/sized at a few sizes, node-http (plain loops; arquero for data) against flask-gunicorn and
// fastapi-uvicorn (NumPy, pandas). Closed loop, one connection, one server process alone on core 1 with one
// BLAS thread (STACKBENCH_BLAS_THREADS=1), the client (stackbench's engine, one thread) on core 0.
// Each size is asked for once before it is measured: that first request generates the model or the 1M-row
// table in that process, which is not the work being compared.
// Usage: node dist/bench/ml-data-crossover.js [seconds per cell = 1.5] [ml|data|all = all]
// The BLAS NumPy uses is whatever the Python servers load: /info says which, and the table header repeats it
// (Debian's python3-numpy uses the reference BLAS unless libopenblas0 is installed; LD_LIBRARY_PATH reaches
// the servers, so another libblas.so.3 can be tried without installing it).
import { availableParallelism } from 'node:os';
import { runLoad } from '../src/engine/index.js';
import { startStack, type RunningStack } from '../src/stacks/adapter.js';
import { pinSelf } from '../src/machine/cpuset.js';
import { freePort } from '../src/machine/net.js';
import { stackDef, type StackId } from '../src/stacks/registry.js';
import { fmt, publish, table } from './lib/report.js';

const seconds = Number(process.argv[2] ?? 1.5);
const only = process.argv[3] ?? 'all';
if (!['ml', 'data', 'all'].includes(only)) throw new Error(`second argument: ml, data or all (got ${only})`);
const twoCores = availableParallelism() >= 2;
const SERVER_CORE = twoCores ? 1 : 0;
if (twoCores) pinSelf([0]);

const ML_SIZES: Array<[number, number]> =
  only === 'data'
    ? []
    : [
        [1, 64],
        [64, 64],
        [64, 256],
        [256, 256],
        [64, 1024],
        [256, 1024],
      ];
const DATA_ROWS = only === 'ml' ? [] : [10_000, 50_000, 200_000, 1_000_000];
const DATA_OPS = ['groupby', 'join', 'sort'];

interface Column {
  label: string;
  stack: StackId;
  /** Query added to /data/sized (the implementation); null when the column has no data measurement. */
  dataImpl: string | null;
  ml: boolean;
}
const COLUMNS: Column[] = [
  { label: 'node-http (loops)', stack: 'node-http', dataImpl: 'loops', ml: true },
  { label: 'node-http (arquero)', stack: 'node-http', dataImpl: 'arquero', ml: false },
  { label: 'flask-gunicorn (NumPy/pandas)', stack: 'flask-gunicorn', dataImpl: 'pandas', ml: true },
  { label: 'fastapi-uvicorn (NumPy/pandas)', stack: 'fastapi-uvicorn', dataImpl: 'pandas', ml: true },
];

interface Cell {
  p50: number;
  requests: number;
}

/**
 * One measured cell: a priming request (timed), then a closed loop of one connection for `seconds`, or longer
 * when a request is slow, so that at least about four requests complete in the window.
 */
async function measure(port: number, path: string): Promise<Cell> {
  const url = `http://127.0.0.1:${port}${path}`;
  const t0 = performance.now();
  const first = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  await first.arrayBuffer();
  const primeMs = performance.now() - t0;
  if (first.status !== 200) throw new Error(`${path}: status ${first.status}`);
  const r = await runLoad({
    url,
    model: 'closed',
    connections: 1,
    threads: 1,
    warmupMs: 300,
    durationMs: Math.min(30_000, Math.max(seconds * 1000, Math.ceil(primeMs * 5))),
    timeoutMs: 30_000,
  });
  const bad = r.requests - (r.statusCodes['200'] ?? 0);
  if (bad > 0) throw new Error(`${path}: ${bad} answers were not 200`);
  const count = r.latency.count;
  return { p50: count > 0 ? (r.latency.percentilesMs['50'] ?? NaN) : NaN, requests: count };
}

const results = new Map<string, Cell>(); // `${column}|${path}`
const blas = new Map<StackId, string>();

const wanted = COLUMNS.filter((c) => (c.ml && ML_SIZES.length > 0) || (c.dataImpl && DATA_ROWS.length > 0));
for (const stack of [...new Set(wanted.map((c) => c.stack))]) {
  const port = await freePort();
  let running: RunningStack | undefined;
  try {
    // One process: each request lands on the process that already holds the model and the table.
    running = await startStack(stackDef(stack)!, {
      port,
      cpus: [SERVER_CORE],
      workers: 1,
      env: { STACKBENCH_BLAS_THREADS: '1' },
    });
    const info = (await (await fetch(`http://127.0.0.1:${port}/info`)).json()) as {
      blas?: { library?: string; version?: string; threads?: number };
    };
    if (info.blas)
      blas.set(stack, `${info.blas.library} ${info.blas.version ?? ''}, ${info.blas.threads} thread(s)`);
    for (const col of COLUMNS.filter((c) => c.stack === stack)) {
      const paths: string[] = [];
      if (col.ml) paths.push(...ML_SIZES.map(([b, w]) => `/ml/sized?batch=${b}&width=${w}`));
      if (col.dataImpl) {
        for (const rows of DATA_ROWS)
          for (const op of DATA_OPS) paths.push(`/data/sized?rows=${rows}&op=${op}&impl=${col.dataImpl}`);
      }
      for (const path of paths) {
        const cell = await measure(port, path);
        results.set(`${col.label}|${path.replace(/&impl=.*/, '')}`, cell);
        process.stderr.write(
          `${col.label} ${path}: p50 ${fmt(cell.p50, 2)} ms (${cell.requests} requests)\n`,
        );
      }
    }
  } finally {
    await running?.stop();
  }
}

const cellText = (c: Cell | undefined, best: number) =>
  c && c.requests > 0
    ? `${fmt(c.p50, c.p50 < 10 ? 2 : 1)}${c.p50 === best ? ' **' : ''} (${c.requests})`
    : '-';

function rowsFor(
  paths: Array<{ label: string; path: string }>,
  cols: Column[],
): Array<Array<string | number>> {
  return paths.map(({ label, path }) => {
    const cells = cols.map((c) => results.get(`${c.label}|${path}`));
    const best = Math.min(...cells.map((c) => (c && c.requests > 0 ? c.p50 : Infinity)));
    const winner = cols[cells.findIndex((c) => c?.p50 === best)]?.label ?? '-';
    return [label, ...cells.map((c) => cellText(c, best)), winner];
  });
}

const mlCols = COLUMNS.filter((c) => c.ml);
const md: string[] = [];
if (ML_SIZES.length > 0) {
  md.push(
    '#### ML at size: GET /ml/sized, median latency in ms (requests measured); ** = fastest',
    '',
    table(
      ['batch x width', 'MFLOP', ...mlCols.map((c) => c.label), 'fastest'],
      rowsFor(
        ML_SIZES.map(([b, w]) => ({ label: `${b} x ${w}`, path: `/ml/sized?batch=${b}&width=${w}` })),
        mlCols,
      ).map((row, i) => {
        const [b, w] = ML_SIZES[i]!;
        return [row[0]!, fmt((2 * b * (w * w + 10 * w)) / 1e6, 1), ...row.slice(1)];
      }),
    ),
    '',
  );
}
if (DATA_ROWS.length > 0) {
  md.push(
    '#### Data at size: GET /data/sized, median latency in ms (requests measured); ** = fastest',
    '',
    table(
      ['rows', 'op', ...COLUMNS.map((c) => c.label), 'fastest'],
      rowsFor(
        DATA_ROWS.flatMap((rows) =>
          DATA_OPS.map((op) => ({ label: `${rows}|${op}`, path: `/data/sized?rows=${rows}&op=${op}` })),
        ),
        COLUMNS,
      ).map((row) => [...String(row[0]).split('|'), ...row.slice(1)]),
    ),
    '',
  );
}
md.push(
  `BLAS behind NumPy: ${[...blas].map(([s, b]) => `${s}: ${b}`).join('; ') || 'not reported'}. ` +
    `One server process on core ${SERVER_CORE}, client on core 0` +
    `${twoCores ? '' : ' (one core only: shared)'}, ${seconds} s per cell after a 0.3 s warm-up.`,
);
publish('ml-data-crossover', md.join('\n'));
