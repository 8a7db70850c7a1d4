// A verdict's headline: one line of at most ~20 words — the verdict, the decisive figure with its interval, the
// pair it comes from — and that figure as data. Each rule (verdicts.ts) calls the maker for what it decided,
// from its own rows; nothing here reads a summary. The decisive figure is one that decided the verdict, never a
// lean the noise cannot settle: a claim of winning everywhere is as strong as its narrowest decided win, a
// refuted one as the other side's narrowest decided win; leans are only counted in words.
import type { Headline, HeadlineFigure, Span, VerdictRow, VerdictValue } from '../results/types.js';
import type { StackId } from '../stacks/registry.js';
import type { WorkloadId } from '../workloads.js';
import type { Crossover, CrossoverStep } from './crossover.js';
import { sizeText } from './crossover.js';
import { invert, sweepAt } from './verdict-rows.js';
import { fmtInt, fmtRatio } from './stats.js';

/** An end of an interval in the figure's precision, one decimal at least below 10; an open end is 0 or ∞. */
function end(x: number | null, of: number): string {
  if (x === null || !Number.isFinite(x)) return '∞';
  if (x === 0) return '0';
  return fmtRatio(x, x < 10 ? Math.min(of, 9) : x);
}

/** "2.3x (2.0–2.6)"; "3.0x (0–4.8)" and "3.0x (0.8–∞)" for open ends; "2.3x" without an interval. */
export function spanX(s: Span): string {
  const v = `${fmtRatio(s.value)}x`;
  if (s.low === s.value && s.high === s.value) return v;
  return `${v} (${end(s.low, s.value)}–${end(s.high, s.value)})`;
}

const pct = (x: number) => `${Math.round(x * 100)}`;

/** "92% (80–100%)": a share with its interval. */
export function spanPct(s: Span): string {
  if (s.low === s.value && s.high === s.value) return `${pct(s.value)}%`;
  return `${pct(s.value)}% (${pct(s.low)}–${s.high === null ? '∞' : pct(s.high)}%)`;
}

/** At most `words` words of a free-form reason, parentheses dropped: a headline is one line. */
export function brief(text: string, words = 14): string {
  const plain = text
    .replace(/\s*\([^)]*\)/g, '')
    .replace(/[.;:]\s.*$/, '')
    .trim();
  const ws = plain.split(/\s+/);
  return ws.length <= words ? plain : `${ws.slice(0, words).join(' ')}…`;
}

/** The figure of a row, from the side it names first: a / b. */
export function rowFigure(row: VerdictRow, aheadFirst: boolean): HeadlineFigure | undefined {
  if (!row.ratio) return undefined;
  const flip = aheadFirst && row.ratio.value < 1;
  const r = flip ? invert(row.ratio) : row.ratio;
  const [fa, fb] = flip ? [row.opponentFigure, row.favouredFigure] : [row.favouredFigure, row.opponentFigure];
  const open = (x: Span | undefined) => x?.high === null;
  const sides =
    fa && fb && (open(fa) || open(fb))
      ? {
          a: open(fa) ? fa.low : fa.value,
          b: open(fb) ? fb.low : fb.value,
          aFloor: open(fa),
          bFloor: open(fb),
        }
      : undefined;
  return {
    ...(sides ? { sides } : {}),
    value: r.value,
    low: r.low,
    high: r.high,
    unit: 'x',
    a: flip ? row.opponent : row.favoured,
    b: flip ? row.favoured : row.opponent,
    workload: row.workload,
    metric: row.metric,
    ...(row.at ? { at: row.at } : {}),
  };
}

export interface Context {
  sloP99Ms: number;
}

const where = (f: Pick<HeadlineFigure, 'workload' | 'at'>) => `on ${f.workload}${f.at ? ` at ${f.at}` : ''}`;
const within = (f: HeadlineFigure, c: Context) =>
  f.metric === 'capacity' ? ` within p99 ≤ ${c.sloP99Ms} ms` : '';

/** "fastify sustains 2.3x (2.0–2.6) fastapi-uvicorn on io within p99 ≤ 100 ms" */
export function leadPhrase(f: HeadlineFigure, c: Context): string {
  const verb = f.metric === 'capacity' ? 'sustains' : 'serves';
  return `${f.a} ${verb} ${spanX(f)} ${f.b} ${where(f)}${within(f, c)}`;
}

/** "fastify ties fastapi-uvicorn on io: 1.04x (0.90–1.20)" */
export const tiePhrase = (f: HeadlineFigure) => `${f.a} ties ${f.b} ${where(f)}: ${spanX(f)}`;

/**
 * The sides' own figures where the one behind is a lower bound, whose ratio would only say "at most":
 * "node-cluster and fastapi-uvicorn both ≥ 16,000/s" (two floors: their ratio, 1.00x (0–∞), says nothing);
 * "fastapi-uvicorn 53,800/s, node-http ≥ 34,900/s" (a quick run read "fastapi-uvicorn 1.54x (0–2.40) node-http",
 * a lead the figures do not show). Undefined otherwise: a floor ahead keeps its ratio, a lower bound on it.
 */
export function floorsForm(f: HeadlineFigure): string | undefined {
  const s = f.sides;
  if (!s?.bFloor) return undefined;
  const fig = (x: number, floor: boolean) => `${floor ? '≥ ' : ''}${fmtInt(x)}/s`;
  return s.aFloor && Math.round(s.a) === Math.round(s.b)
    ? `${f.a} and ${f.b} both ≥ ${fmtInt(s.a)}/s`
    : `${f.a} ${fig(s.a, s.aFloor)}, ${f.b} ${fig(s.b, true)}`;
}

/**
 * "node-http 3.0x (0.8–∞) flask-gevent on service" — a lean the figures cannot confirm; where the side behind is
 * a lower bound, the figures themselves: "... both ≥ 16,000/s on chat (no ceiling found)".
 */
export function leanPhrase(f: HeadlineFigure): string {
  const floors = floorsForm(f);
  return floors ? `${floors} ${where(f)} (no ceiling found)` : `${f.a} ${spanX(f)} ${f.b} ${where(f)}`;
}

export const line = (verdict: VerdictValue, phrase: string, figure?: HeadlineFigure): Headline => ({
  text: `${verdict} — ${phrase}`,
  ...(figure ? { figure } : {}),
});

export const notMeasured = (why: string): Headline => line('not measured', brief(why));

const lowest = (rows: VerdictRow[], key: (r: VerdictRow) => number) =>
  rows.reduce<VerdictRow | undefined>((a, r) => (a === undefined || key(r) < key(a) ? r : a), undefined);

/** WSGI sync, WSGI gthread -> WSGI: the coarse class, unless it would name a won and a lost side alike. */
function classNames(won: VerdictRow[], lost: VerdictRow[]): (rows: VerdictRow[]) => string {
  const coarse = (c: string) => (c.startsWith('WSGI') ? 'WSGI' : c);
  const set = (rows: VerdictRow[], f: (r: VerdictRow) => string) => new Set(rows.map(f));
  const clash = (f: (r: VerdictRow) => string) => [...set(won, f)].some((c) => set(lost, f).has(c));
  const name: (r: VerdictRow) => string = !clash((r) => coarse(r.opponentClass))
    ? (r) => coarse(r.opponentClass)
    : !clash((r) => r.opponentClass)
      ? (r) => r.opponentClass
      : (r) => r.opponent;
  return (rows) => [...set(rows, name)].join(' and ');
}

/** "(2.1–83x)": the range of the won ratios. */
function range(rows: VerdictRow[]): string {
  const xs = rows.flatMap((r) => (r.ratio ? [r.ratio.value] : [])).sort((a, b) => a - b);
  if (xs.length === 0) return '';
  const [lo, hi] = [xs[0]!, xs.at(-1)!];
  return lo === hi ? ` (${fmtRatio(lo)}x)` : ` (${fmtRatio(lo)}–${fmtRatio(hi)}x)`;
}

export interface Tally {
  wins: number;
  total: number;
  undecided: number;
}

/** ", 2 undecided": the leans, counted. */
const leans = (t: Tally) => (t.undecided ? `, ${t.undecided} undecided` : '');

/**
 * "X wins": the headline of runtimeWins. Supported: the narrowest decided win and how many (leans counted, never
 * shown as the figure); not supported: the other side's narrowest decided win (a tie where nothing was lost);
 * depends: the server classes won and lost, the clearest loss's figure; undecided: the lean that keeps it so.
 */
export function runtimeHeadline(
  verdict: VerdictValue,
  rows: VerdictRow[],
  t: Tally,
  side: string,
  c: Context,
  missing: string[],
): Headline {
  const decided = rows.filter((r) => r.ratio !== null);
  const by = (o: VerdictRow['outcome'][]) => decided.filter((r) => o.includes(r.outcome));
  const low = (r: VerdictRow) => r.ratio!.low;
  const val = (r: VerdictRow) => r.ratio!.value;
  if (verdict === 'not measured') return notMeasured(missing[0] ?? 'no figures on its workloads');
  if (verdict === 'undecided') {
    // The lean most against the claim keeps it undecided (had all leaned its way, it would be supported). A row
    // can be undecided with nothing to divide (a capacity of 0 on one side): then no figure leans.
    const lean = lowest(by(['undecided']), val);
    if (!lean)
      return line(verdict, `${t.undecided} of ${t.total} undecided, no ratio to lean on; ${t.wins} won`);
    const f = rowFigure(lean, true)!;
    return line(verdict, `${t.wins} of ${t.total} won, ${t.undecided} undecided: ${leanPhrase(f)}`, f);
  }
  if (verdict === 'supported') {
    const narrow = lowest(by(['win']), low);
    if (!narrow) {
      const r = rows.find((x) => x.outcome === 'cannot serve') ?? rows[0]!;
      return line(
        verdict,
        `${r.opponent} (${r.opponentClass}) cannot serve ${r.workload}; ${r.favoured} can${leans(t)}`,
      );
    }
    const f = rowFigure(narrow, false)!;
    const of =
      t.wins > 1
        ? `; the narrowest of ${t.wins} wins${leans(t)}`
        : t.undecided
          ? `; ${t.wins} of ${t.total} won${leans(t)}`
          : '';
    return line(verdict, `${leadPhrase(f, c)}${of}`, f);
  }
  if (verdict === 'not supported') {
    // The other side's narrowest decided win: the loss whose interval, seen from the winner, starts lowest.
    const loss = lowest(by(['loss']), (r) => invert(r.ratio!).low);
    const r = loss ?? lowest(by(['tie']), val);
    if (!r) return line(verdict, `${side} won none of ${t.total}${leans(t)}`);
    const f = rowFigure(r, true)!;
    const phrase = loss ? leadPhrase(f, c) : tiePhrase(f);
    return line(verdict, `${phrase}; ${side} won none of ${t.total}${leans(t)}`, f);
  }
  // depends: some won, some lost or tied; the clearest loss (or, with none, a tie) is what breaks the claim.
  const won = rows.filter((r) => r.outcome === 'win' || r.outcome === 'cannot serve');
  const lost = by(['loss', 'tie']);
  const names = classNames(won, lost);
  const worst = lowest(by(['loss']), val) ?? lowest(lost, val);
  if (!worst) return line(verdict, `${side} wins against ${names(won)}${range(won)}, not every matchup`);
  const f = rowFigure(worst, worst.outcome === 'loss')!;
  const verb = lost.every((r) => r.outcome === 'tie') ? 'ties' : 'loses to';
  const ws = [...new Set(lost.map((r) => r.workload))].join(', ');
  return line(
    verdict,
    `${side} wins against ${names(won)}${range(won)}; ${verb} ${names(lost)} on ${ws}: ${leanPhrase(f).replace(/ on \S+$/, '')}`,
    f,
  );
}

/** "Python relies on WSGI": the best WSGI stack against the best ASGI one, said from WSGI's side (the claim's). */
export function wsgiHeadline(verdict: VerdictValue, row: VerdictRow, c: Context): Headline {
  const tie = row.outcome === 'tie';
  const f = rowFigure(row, !tie);
  const tag = (id: StackId) => `${id === row.favoured ? 'WSGI' : 'ASGI'} ${id}`;
  if (!f)
    return line(verdict, `${tag(row.favoured)} against ${tag(row.opponent)} on ${row.workload}: no ratio`);
  const shown = { ...f, a: tag(f.a), b: tag(f.b) };
  const phrase =
    verdict === 'undecided'
      ? `${leanPhrase(shown)}, within the noise`
      : verdict === 'depends'
        ? `a server, not WSGI: ${leadPhrase(shown, c)}`
        : tie
          ? tiePhrase(shown)
          : leadPhrase(shown, c);
  return line(verdict, phrase, f);
}

/** One side of a scaling comparison: the stack and its E(N). */
export interface ScalingSide {
  stack: StackId;
  e: Span;
}

/** What the scaling rule decided on one workload: the best of each runtime at the largest N both reached. */
export interface ScalingOutcome {
  workload: WorkloadId;
  n: number;
  node: ScalingSide;
  python: ScalingSide;
  outcome: 'node' | 'python' | 'alike' | 'undecided';
  /** Undecided: why, in words a reader can check; `short` the same in a few words. */
  reason?: string;
  short?: string;
  /** split: E(N) from the CPU per request of N replicas against one; capacity: C(N) / (N·C(1)). */
  source?: 'split' | 'capacity';
}

function scalingFigure(o: ScalingOutcome, first: ScalingSide, second: ScalingSide): HeadlineFigure {
  const span = (e: Span): Span => ({ value: e.value, low: e.low, high: e.high });
  return {
    ...span(first.e),
    unit: '%',
    a: first.stack,
    b: second.stack,
    workload: o.workload,
    metric: 'efficiency',
    at: `${o.n} replicas`,
    versus: span(second.e),
  };
}

/** "E(4) node-cluster 92% (80–100%) vs flask-gevent 50% (40–60%) on json" */
const effPhrase = (o: ScalingOutcome, first: ScalingSide, second: ScalingSide, on = true) =>
  `${o.source === 'split' ? 'split-cost ' : ''}E(${o.n}) ${first.stack} ${spanPct(first.e)} vs ${second.stack} ${spanPct(second.e)}${on ? ` on ${o.workload}` : ''}`;

/**
 * "Node.js scales better": the headline from the workloads' outcomes (scaling efficiency, best of each
 * runtime). A rule that decides otherwise (equivalence, split cost) fills the same outcomes, or gives a reason.
 */
export function scalingHeadline(
  verdict: VerdictValue,
  outcomes: ScalingOutcome[],
  reason?: string,
): Headline {
  if (verdict === 'not measured' || outcomes.length === 0) return notMeasured(reason ?? 'no scaling figures');
  const of = (k: ScalingOutcome['outcome']) => outcomes.filter((o) => o.outcome === k);
  const margin = (o: ScalingOutcome) => o.node.e.low - (o.python.e.high ?? Infinity);
  const say = (phrase: string, o: ScalingOutcome, pyFirst = false) =>
    line(verdict, phrase, pyFirst ? scalingFigure(o, o.python, o.node) : scalingFigure(o, o.node, o.python));
  if (verdict === 'supported') {
    const o = of('node').sort((x, y) => margin(x) - margin(y))[0]!;
    return say(`Node.js scales better, ${effPhrase(o, o.node, o.python)}`, o);
  }
  if (verdict === 'depends') {
    const o = of('node').sort((x, y) => margin(x) - margin(y))[0]!;
    const rest = outcomes.filter((x) => x.outcome !== 'node');
    const word = { python: 'Python better', alike: 'alike', undecided: 'undecided', node: '' };
    const others = [...new Set(rest.map((x) => x.outcome))].map(
      (k) =>
        `${word[k]} on ${rest
          .filter((x) => x.outcome === k)
          .map((x) => x.workload)
          .join(', ')}`,
    );
    return say(
      `Node.js better on ${o.workload}, ${effPhrase(o, o.node, o.python, false)}; ${others.join('; ')}`,
      o,
    );
  }
  // Python's narrowest decided win, else a decided "alike", else (undecided) the first workload's reason.
  const pyMargin = (o: ScalingOutcome) => o.python.e.low - (o.node.e.high ?? Infinity);
  const o = of('python').sort((x, y) => pyMargin(x) - pyMargin(y))[0] ?? of('alike')[0] ?? outcomes[0]!;
  if (o.outcome === 'python') return say(`Python scales better, ${effPhrase(o, o.python, o.node)}`, o, true);
  if (o.outcome === 'undecided')
    return say(`${effPhrase(o, o.node, o.python)}: ${o.short ?? 'undecided'}`, o);
  return say(`alike: ${effPhrase(o, o.node, o.python)}`, o);
}

const LIB = { ml: 'NumPy', data: 'pandas' } as const;

type SweepStep = { x: Crossover; s: CrossoverStep };

/** Python's speed over the fastest Node.js implementation at one size of the sweep (a step with a ratio). */
function sweepFigure({ x, s }: SweepStep): HeadlineFigure {
  return {
    value: s.ratio!.median,
    low: s.ratio!.low,
    high: s.ratio!.high,
    unit: 'x',
    a: x.python,
    b: s.perImpl.find((p) => p.impl === s.nodeImpl)?.stack ?? x.node,
    workload: x.family,
    metric: 'rps',
    at: sweepAt(x, s),
  };
}

/** "pandas failed at sort, 1M rows (no answer within 0.6 s)": a size one side lost by failing. */
const failedPhrase = (lib: string, { x, s }: SweepStep) =>
  `${s.failed!.side === 'python' ? lib : 'Node.js'} failed at ${sweepAt(x, s)} (${s.failed!.why})`;

/**
 * "Python wins" read across sizes (acrossSizes in verdicts.ts): the headline's own verdict where the sweep
 * agrees; where it flips, the size Python takes over at, with its figure; from the sweep alone otherwise. The
 * figure is a size one side won outside the noise — for a side ahead at every size, its narrowest such win; a
 * size lost by failing has no ratio and is said in words. `loop`: the headline workload is a pure-language
 * loop, not the sweep's NumPy.
 */
export function sizesHeadline(
  verdict: VerdictValue,
  base: { verdict: VerdictValue; headline: Headline },
  across: VerdictValue,
  xs: Crossover[],
  loop: boolean,
): Headline {
  if (xs.length === 0) return base.headline;
  const lib = LIB[xs[0]!.family];
  const steps: SweepStep[] = xs.flatMap((x) => x.steps.map((s) => ({ x, s })));
  const of = (k: CrossoverStep['outcome']) => steps.filter((t) => t.s.outcome === k);
  const rated = (k: CrossoverStep['outcome']) => of(k).filter((t) => t.s.ratio);
  const minBy = (ts: SweepStep[], key: (t: SweepStep) => number) =>
    ts.reduce<SweepStep | undefined>((a, t) => (a === undefined || key(t) < key(a) ? t : a), undefined);
  // How much of the sweep agrees: "every size agrees", or what the other sizes were.
  const side = across === 'supported' ? 'python' : 'node';
  const all = of(side).length === steps.length;
  if (verdict === base.verdict) {
    if (across === 'undecided')
      return {
        ...base.headline,
        text: `${base.headline.text}; ${of('undecided').length ? 'no size decided' : 'a tie at every size'}`,
      };
    if (across !== verdict || across === 'depends') return base.headline;
    const rest = all ? 'every size agrees' : `${side === 'node' ? lib : 'Node.js'} ahead at no size`;
    return { ...base.headline, text: `${base.headline.text}; ${rest}` };
  }
  const flipped = xs.find((c) => c.flip);
  if (verdict === 'depends') {
    const where = flipped ? `up to ${sizeText(flipped.family, flipped.flip!.above)}` : 'at the headline size';
    const tail = `Node.js ${loop ? 'wins pure loops and' : 'ahead'} ${where}`;
    // Where it flips, Python's first size; otherwise its clearest win at any size.
    const won = flipped
      ? steps.filter((t) => t.x === flipped && t.s.size >= flipped.flip!.below)
      : of('python');
    const at = won.find((t) => t.s.ratio) ?? minBy(rated('python'), (t) => -t.s.ratio!.median);
    if (!at) return line(verdict, `${failedPhrase(lib, won[0] ?? of('python')[0]!)}; ${tail}`);
    const f = sweepFigure(at);
    return line(verdict, `${lib} on ${f.a} serves ${spanX(f)} ${f.b} at ${f.at}; ${tail}`, f);
  }
  const count = (k: CrossoverStep['outcome']) =>
    all
      ? 'at every size'
      : `at ${of(k).length} of ${steps.length} sizes, the rest ${of('undecided').length ? 'ties or undecided' : 'ties'}`;
  if (verdict === 'supported') {
    const at = minBy(rated('python'), (t) => t.s.ratio!.low);
    if (!at) return line(verdict, `${failedPhrase(lib, of('python')[0]!)}; ${lib} ahead ${count('python')}`);
    const f = sweepFigure(at);
    return line(
      verdict,
      `${lib} on ${f.a} serves ${spanX(f)} ${f.b} at ${f.at}, ahead ${count('python')}`,
      f,
    );
  }
  if (verdict === 'not supported') {
    // Node.js's narrowest win: the size whose interval, seen from Node.js, starts lowest.
    const at = minBy(rated('node'), (t) => 1 / t.s.ratio!.high);
    if (!at) return line(verdict, `${failedPhrase(lib, of('node')[0]!)}; Node.js ahead ${count('node')}`);
    const f = sweepFigure(at);
    const g: HeadlineFigure = { ...f, ...invert(f), a: f.b, b: f.a };
    return line(verdict, `Node.js ahead ${count('node')}: ${g.a} serves ${spanX(g)} ${g.b} at ${g.at}`, g);
  }
  // undecided: every size a tie; the lean furthest from even, said as not decided.
  const lean = minBy(
    steps.filter((t) => t.s.ratio),
    (t) => -Math.abs(Math.log(t.s.ratio!.median)),
  );
  if (!lean) return line(verdict, `no size decided`);
  const f = sweepFigure(lean);
  return line(verdict, `${lib} on ${f.a} ${spanX(f)} ${f.b} at ${f.at}, not decided`, f);
}
