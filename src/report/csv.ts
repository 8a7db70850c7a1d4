// CSV exports for spreadsheets and notebooks: every measured point (points.csv) and every stack's headline figures
// per workload (headline.csv). RFC 4180: a header row, CRLF between records, a field quoted when it holds a comma,
// a quote or a line break (quotes doubled inside). Numbers are plain: no thousands separators, no exponent, the
// shortest digits that read back as the same number; an absent figure is an empty field. Columns only ever get
// added at the end, so a script that reads them by position keeps working.
import { analysisOf } from '../analysis/index.js';
import type { Point, Results, StackFigures } from '../results/types.js';

type Cell = string | number | boolean | null | undefined;

/** The digits String() gives, without its exponent form (1e-7 -> 0.0000001, 1e21 -> 1000000000000000000000). */
export function plainNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const sign = s.startsWith('-') ? '-' : '';
  const mantissa = s.slice(sign.length, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function field(v: Cell): string {
  if (v === undefined || v === null) return '';
  const text = typeof v === 'number' ? plainNumber(v) : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Columns as [header, value of a row]: the header and the cells cannot drift apart. */
type Columns<T> = ReadonlyArray<readonly [string, (row: T) => Cell]>;

function toCsv<T>(columns: Columns<T>, rows: readonly T[]): string {
  const lines = [columns.map(([name]) => field(name)).join(',')];
  for (const row of rows) lines.push(columns.map(([, value]) => field(value(row))).join(','));
  return lines.join('\r\n') + '\r\n';
}

const pct = (p: Point, key: string) => p.latency.percentilesMs[key];

const POINT_COLUMNS: Columns<Point> = [
  ['stack', (p) => p.stack],
  ['workload', (p) => p.workload],
  ['kind', (p) => p.kind],
  ['model', (p) => p.model],
  ['instances', (p) => p.instances],
  ['connections', (p) => p.connections],
  ['rate', (p) => p.rate],
  ['rep', (p) => p.rep],
  ['durationMs', (p) => p.durationMs],
  ['requests', (p) => p.requests],
  ['rps', (p) => p.rps],
  ['windowRps', (p) => p.windowRps],
  ['errorRate', (p) => p.errorRate],
  ['errorsConnect', (p) => p.errors.connect ?? 0],
  ['errorsReset', (p) => p.errors.reset ?? 0],
  ['errorsTimeout', (p) => p.errors.timeout ?? 0],
  ['errorsStatus', (p) => p.errors.status ?? 0],
  ['errorsMalformed', (p) => p.errors.malformed ?? 0],
  ['p50Ms', (p) => pct(p, '50')],
  ['p90Ms', (p) => pct(p, '90')],
  ['p99Ms', (p) => pct(p, '99')],
  ['p99.9Ms', (p) => pct(p, '99.9')],
  ['maxMs', (p) => p.latency.maxMs],
  ['serverCpuSeconds', (p) => p.server.cpuSeconds],
  ['cpuUsPerRequest', (p) => p.server.cpuUsPerRequest],
  ['peakPssMiB', (p) => p.server.peakPssMiB],
  ['generatorCpuPercent', (p) => p.generator.cpuPercent],
  ['saturated', (p) => p.generator.saturated],
  ['flags', (p) => p.flags.join(';')],
  // The size sweep's points differ only by these (empty on other points).
  ['sweepFamily', (p) => p.sweep?.family],
  ['sweepOp', (p) => p.sweep?.op],
  ['sweepSize', (p) => p.sweep?.size],
  ['sweepLabel', (p) => p.sweep?.label],
  ['sweepImpl', (p) => p.sweep?.impl],
];

/** One row per measured point, in the order measured. */
export function pointsCsv(results: Results): string {
  return toCsv(POINT_COLUMNS, results.points);
}

interface HeadlineRow {
  workload: string;
  winner: string | undefined;
  s: StackFigures;
}

const HEADLINE_COLUMNS: Columns<HeadlineRow> = [
  ['workload', (r) => r.workload],
  ['stack', (r) => r.s.stack],
  ['runtime', (r) => r.s.runtime],
  ['serverClass', (r) => r.s.serverClass],
  ['status', (r) => r.s.status],
  ['reason', (r) => r.s.reason],
  ['fix', (r) => r.s.fix],
  ['winner', (r) => r.winner === r.s.stack],
  ['rpsMedian', (r) => r.s.rps?.median],
  ['rpsLow', (r) => r.s.rps?.low],
  ['rpsHigh', (r) => r.s.rps?.high],
  ['rpsN', (r) => r.s.rps?.n],
  ['p99Ms', (r) => r.s.p99Ms],
  ['capacityRps', (r) => r.s.capacity?.value],
  ['capacityLow', (r) => r.s.capacity?.low],
  // Empty when no upper bound was found: the capacity is a lower bound.
  ['capacityHigh', (r) => r.s.capacity?.high],
  ['capacityResolved', (r) => r.s.capacity?.resolved],
  ['capacityLimitedBy', (r) => r.s.capacity?.limitedBy],
  ['cpuUsPerRequest', (r) => r.s.cpuUsPerRequest],
  ['peakPssMiB', (r) => r.s.peakPssMiB],
  ['saturated', (r) => r.s.saturated],
  ['flags', (r) => r.s.flags.join(';')],
];

/** One row per workload x stack of the analysis (the stored one, or a fresh one), in the reports' order. */
export function headlineCsv(results: Results): string {
  const rows: HeadlineRow[] = analysisOf(results).workloads.flatMap((w) =>
    w.stacks.map((s) => ({ workload: w.workload, winner: w.winner, s })),
  );
  return toCsv(HEADLINE_COLUMNS, rows);
}
