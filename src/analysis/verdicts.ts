// The rules that decide the article's claims: rule id -> (results, derived figures, claim) -> Verdict.
// A claim of winning is supported only by a win outside the noise: a tie counts as "not supported".
import type { Results, StackFigures, Verdict, VerdictRow, VerdictValue } from '../results/types.js';
import { isWsgi, type Runtime, type StackId } from '../stacks/registry.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';
import type { Claim, ClaimTest, RuleId } from './claims.js';
import { figures, measured, type Derived } from './derive.js';
import { scalingCurves, type Efficiency } from './scaling.js';
import { decide as decideScaling } from './scaling-verdict.js';
import { splitCurves, STEAL_LIMIT } from './split.js';
import { crossovers } from './crossover.js';
import { compareBrackets, compareRuns, fmtInt, fmtRatio } from './stats.js';
import {
  line,
  notMeasured,
  runtimeHeadline,
  scalingHeadline,
  sizesHeadline,
  wsgiHeadline,
  type ScalingOutcome,
} from './headline.js';
import {
  alignCannotRows,
  cannotServeRow,
  matchupRow,
  reversed,
  scalingRow,
  sweepRows,
  type Matchup,
} from './verdict-rows.js';

export type Rule = (results: Results, d: Derived, claim: Claim) => Verdict;

const RUNTIME_NAME: Record<Runtime, string> = { node: 'Node.js', python: 'Python', other: 'other' };
const other = (r: Runtime): Runtime => (r === 'node' ? 'python' : 'node');

const value = (f: StackFigures, metric: ClaimTest['metric']) =>
  metric === 'rps' ? (f.rps?.median ?? NaN) : (f.capacity?.value ?? NaN);

const has = (f: StackFigures, metric: ClaimTest['metric']) => Number.isFinite(value(f, metric));

/** Compare the favoured stack with one opponent on a metric; the ratio is expressed from the favoured side. */
function matchup(
  workload: WorkloadId,
  metric: ClaimTest['metric'],
  fav: StackFigures,
  opp: StackFigures,
): Matchup {
  const cmp =
    metric === 'rps'
      ? compareRuns(
          workload,
          'rps',
          { stack: fav.stack, runs: fav.runs },
          { stack: opp.stack, runs: opp.runs },
        )
      : compareBrackets(
          workload,
          { stack: fav.stack, cap: fav.capacity! },
          { stack: opp.stack, cap: opp.capacity! },
        );
  if (!cmp) {
    // One side has nothing to divide by (no successful requests / no rate met the SLO).
    const [x, y] = [value(fav, metric), value(opp, metric)];
    const outcome = x > y ? 'win' : x < y ? 'loss' : 'tie';
    return { workload, metric, fav, opp, ratio: x > y ? Infinity : 0, outcome };
  }
  const ratio = cmp.a === fav.stack ? cmp.ratio.median : 1 / cmp.ratio.median;
  const outcome = cmp.undecided ? 'undecided' : cmp.tie ? 'tie' : cmp.a === fav.stack ? 'win' : 'loss';
  return { workload, metric, fav, opp, cmp, ratio, outcome };
}

/** Why a side of a comparison has no figures on a workload, in words. */
function missingSide(d: Derived, workload: WorkloadId, runtime: Runtime): string {
  const w = figures(d, workload);
  const reasons = (w?.stacks ?? [])
    .filter((f) => f.status !== 'measured' && f.runtime === runtime)
    .map((f) => `${f.stack} ${f.status}${f.reason ? `: ${f.reason}` : ''}`);
  if (!w) return `${workload} was not in this run`;
  if (reasons.length) return `no ${RUNTIME_NAME[runtime]} figures on ${workload} (${reasons.join('; ')})`;
  return `no ${RUNTIME_NAME[runtime]} stack was selected for ${workload}`;
}

/** Notes for figures a reader must take as lower bounds. */
function lowerBounds(ms: Matchup[]): string[] {
  const out = new Set<string>();
  for (const m of ms) {
    for (const f of [m.fav, m.opp]) {
      if (m.metric === 'rps' && f.saturated) out.add(`${f.stack}'s ${m.workload} rps (generator-saturated)`);
      if (m.metric === 'capacity' && f.capacity?.high === null)
        out.add(`${f.stack}'s ${m.workload} capacity (search found no ceiling)`);
    }
  }
  return [...out];
}

function fmtFig(f: StackFigures, metric: ClaimTest['metric']): string {
  return metric === 'rps'
    ? `${fmtInt(value(f, metric))} rps`
    : `${fmtInt(value(f, metric))} rps within the SLO`;
}

/** "WSGI (flask-gunicorn 4.1x, django-gunicorn 3.0x)": opponents grouped by their concurrency model. */
function grouped(ms: Matchup[]): string {
  const byClass = new Map<string, string[]>();
  for (const m of ms) {
    const cls = m.opp.runtime === 'python' ? m.opp.serverClass : 'Node.js';
    const fig = Number.isFinite(m.ratio) ? `${fmtRatio(m.ratio)}x` : 'no figure';
    const tag = { win: '', tie: ', tie', loss: ', slower', undecided: ', undecided' }[m.outcome];
    byClass.set(cls, [...(byClass.get(cls) ?? []), `${m.opp.stack} ${fig}${tag}`]);
  }
  const order = ['WSGI sync', 'WSGI gthread', 'WSGI gevent', 'ASGI', 'Node.js'];
  return [...byClass]
    .sort(([x], [y]) => order.indexOf(x) - order.indexOf(y))
    .map(([cls, items]) => `${cls} (${items.join(', ')})`)
    .join(', ');
}

/**
 * Stacks that cannot serve a workload, named by their server model (or with their reason, when it is not the
 * model), and what the model that can costs: "WSGI sync cannot serve it at all (flask-gunicorn); WSGI gevent
 * can (flask-gevent, 1,200 µs CPU per request)".
 */
function cannotText(results: Results, w: WorkloadId, cannot: StackId[], ms: Matchup[]): string {
  const rec = (id: StackId) => results.stacks.find((s) => s.id === id);
  const sync = cannot.filter((id) => rec(id)?.serverClass === 'WSGI sync');
  const other = cannot.filter((id) => !sync.includes(id));
  const parts: string[] = [];
  if (sync.length) parts.push(`WSGI sync workers cannot serve it at all (${sync.join(', ')})`);
  for (const id of other)
    parts.push(
      `${id} (${rec(id)?.serverClass ?? '?'}) cannot: ${rec(id)?.verification[w]?.reason ?? 'not supported'}`,
    );
  const can = ms.filter((m) => isWsgi(m.opp));
  if (sync.length && can.length) {
    const cost = can
      .map(
        (m) =>
          `${m.opp.stack}${m.opp.cpuUsPerRequest !== undefined ? `, ${fmtInt(m.opp.cpuUsPerRequest)} µs CPU per ${WORKLOADS[w].unit === 'msg' ? 'delivery' : 'request'}` : ''}`,
      )
      .join('; ');
    parts.push(`${[...new Set(can.map((m) => m.opp.serverClass))].join(', ')} can (${cost})`);
  }
  return parts.join('; ');
}

/** "X wins": the best stack of the favoured runtime against every stack of the other, on each tested workload. */
function runtimeWins(favoured: Runtime): Rule {
  return (results, d, claim) => {
    const matchups: Matchup[] = [];
    const missing: string[] = [];
    const evidence: string[] = [];
    /** Opponents that cannot do the workload by their model (WebSocket on WSGI): the favoured side wins. */
    const byDefault: Array<{ workload: WorkloadId; stack: StackId }> = [];
    const rows: VerdictRow[] = [];
    for (const t of claim.tests) {
      const w = figures(d, t.workload);
      let metric = t.metric;
      const favs = measured(w).filter((f) => f.runtime === favoured);
      const opps = measured(w).filter((f) => f.runtime === other(favoured));
      const cannot = results.stacks.filter(
        (s) => s.runtime === other(favoured) && s.verification[t.workload]?.status === 'unsupported',
      );
      if (favs.some((f) => has(f, 'rps'))) {
        const top = favs
          .filter((f) => has(f, 'rps'))
          .reduce((a, b) => (value(b, 'rps') > value(a, 'rps') ? b : a));
        for (const s of cannot) {
          byDefault.push({ workload: t.workload, stack: s.id });
          rows.push(cannotServeRow(results, t.workload, t.metric, top, s.id));
          evidence.push(
            `${s.id} cannot serve ${t.workload}: ${s.verification[t.workload]?.reason ?? 'not supported'}`,
          );
        }
      }
      if (favs.length > 0 && opps.length === 0 && byDefault.some((b) => b.workload === t.workload)) continue;
      if (favs.length === 0 || opps.length === 0) {
        missing.push(missingSide(d, t.workload, favs.length === 0 ? favoured : other(favoured)));
        continue;
      }
      if (metric === 'capacity' && ![...favs, ...opps].every((f) => has(f, 'capacity'))) {
        metric = 'rps';
        evidence.push(
          `${t.workload}: no capacity search for every stack, so closed-loop throughput at ${d.connections} connections is used (it caps waiting requests at the connection count)`,
        );
      }
      const usable = (fs: StackFigures[]) => fs.filter((f) => has(f, metric));
      if (usable(favs).length === 0 || usable(opps).length === 0) {
        missing.push(
          `${t.workload}: no ${metric} figure for ${usable(favs).length === 0 ? RUNTIME_NAME[favoured] : RUNTIME_NAME[other(favoured)]}`,
        );
        continue;
      }
      const best = usable(favs).reduce((a, b) => (value(b, metric) > value(a, metric) ? b : a));
      for (const opp of usable(opps)) {
        const m = matchup(t.workload, metric, best, opp);
        if (metric !== t.metric) m.notes = ['closed-loop throughput: no capacity search for every stack'];
        matchups.push(m);
        rows.push(matchupRow(m));
        evidence.push(
          m.cmp
            ? m.cmp.text + (m.cmp.note ? ` [${m.cmp.note}]` : '')
            : `${best.stack} ${fmtFig(best, metric)} vs ${opp.stack} ${fmtFig(opp, metric)}`,
        );
        if (metric === 'rps' && best.cpuUsPerRequest !== undefined && opp.cpuUsPerRequest !== undefined) {
          evidence.push(
            `${t.workload} CPU per request: ${best.stack} ${fmtInt(best.cpuUsPerRequest)} µs, ${opp.stack} ${fmtInt(opp.cpuUsPerRequest)} µs`,
          );
        }
      }
    }
    for (const m of missing) evidence.push(`missing: ${m}`);
    if (matchups.length === 0 && byDefault.length === 0) {
      return {
        claim: claim.id,
        verdict: 'not measured',
        headline: notMeasured(missing[0] ?? 'no figures on its workloads'),
        summary: `not measured: ${missing.join('; ')}`,
        evidence,
        matchups: rows,
      };
    }
    const wins = matchups.filter((m) => m.outcome === 'win').length + byDefault.length;
    const undecided = matchups.filter((m) => m.outcome === 'undecided').length;
    const total = matchups.length + byDefault.length;
    // Undecided matchups cannot refute a claim. With no loss beside them: supported where the others were won
    // and every undecided one leans the claim's way (a lean the noise cannot confirm, none against it);
    // otherwise undecided.
    const decidedLosses = total - wins - undecided;
    const leaning = matchups.filter((m) => m.outcome === 'undecided' && m.ratio > 1).length;
    const verdict: VerdictValue =
      wins === total
        ? 'supported'
        : undecided > 0 && decidedLosses === 0
          ? wins > 0 && leaning === undecided
            ? 'supported'
            : 'undecided'
          : wins === 0
            ? 'not supported'
            : 'depends';
    const workloads = [...new Set([...matchups, ...byDefault].map((m) => m.workload))];
    const parts = workloads.map((w) => {
      const ms = matchups.filter((m) => m.workload === w);
      const won = ms.filter((m) => m.outcome === 'win');
      const open = ms.filter((m) => m.outcome === 'undecided');
      const lost = ms.filter((m) => m.outcome !== 'win' && m.outcome !== 'undecided');
      const cannot = byDefault.filter((b) => b.workload === w).map((b) => b.stack);
      const head = ms[0] ? `${w}${ms[0].metric === 'capacity' ? ' capacity' : ''}, ${ms[0].fav.stack}` : w;
      const segs: string[] = [];
      if (won.length) segs.push(`supported against ${grouped(won)}`);
      if (cannot.length) segs.push(cannotText(results, w, cannot, ms));
      if (lost.length) segs.push(`not against ${grouped(lost)}`);
      if (open.length) segs.push(`undecided against ${grouped(open)}`);
      return `${head}: ${segs.join('; ')}`;
    });
    const open = undecided
      ? `, ${undecided} undecided${leaning === undecided ? ' (leaning its way)' : ''}`
      : '';
    let summary = `${verdict} (${RUNTIME_NAME[favoured]} ${wins} of ${total} matchups won${open}): ${parts.join(' | ')}`;
    const bounds = lowerBounds(matchups);
    if (bounds.length) summary += `. Lower bounds: ${bounds.join(', ')}`;
    if (missing.length) summary += `. Missing: ${missing.join('; ')}`;
    const aligned = alignCannotRows(rows, matchups);
    const tally = { wins, total, undecided };
    const slo = { sloP99Ms: results.config.sloP99Ms };
    const headline = runtimeHeadline(verdict, aligned, tally, RUNTIME_NAME[favoured], slo, missing);
    return { claim: claim.id, verdict, headline, summary, evidence, matchups: aligned };
  };
}

/** io's waiting time, from the workload's path (/io?ms=20), for Little's law. */
function ioSeconds(): number {
  const ms = Number(/ms=(\d+)/.exec(WORKLOADS.io.path)?.[1] ?? 20);
  return ms / 1000;
}

/**
 * "Python relies on WSGI servers to manage concurrency": on io, a WSGI stack holds as many waiting requests as its
 * workers x threads (Little's law: in flight = rate x wait). Supported when WSGI is as good as Python gets (no ASGI
 * stack beats it); depends when an ASGI stack does better — Python needs a server either way, but not WSGI.
 */
const wsgiConcurrency: Rule = (results, d, claim) => {
  const workload = claim.tests[0]?.workload ?? 'io';
  const w = figures(d, workload);
  const py = measured(w).filter((f) => f.runtime === 'python');
  const metric: ClaimTest['metric'] =
    py.length > 0 && py.every((f) => has(f, 'capacity')) ? 'capacity' : 'rps';
  const wsgi = py.filter((f) => isWsgi(f) && has(f, metric));
  const asgi = py.filter((f) => !isWsgi(f) && has(f, metric));
  const evidence: string[] = [];
  const wait = ioSeconds();
  for (const f of [...wsgi, ...asgi]) {
    const rec = results.stacks.find((s) => s.id === f.stack);
    const inFlight = value(f, metric) * wait;
    evidence.push(
      `${f.stack} (${f.serverClass}${rec ? `, ${rec.workers} worker${rec.workers === 1 ? '' : 's'}: ${rec.workerRule}` : ''}): ${fmtFig(f, metric)} on ${workload} = about ${inFlight.toFixed(1)} requests in flight at ${wait * 1000} ms each`,
    );
  }
  if (metric === 'rps')
    evidence.push(
      `no capacity search for every Python stack: closed-loop throughput at ${d.connections} connections is used`,
    );
  if (wsgi.length === 0) {
    const why = (w?.stacks ?? [])
      .filter((f) => f.status !== 'measured' && isWsgi(f))
      .map((f) => `${f.stack} ${f.status}${f.reason ? `: ${f.reason}` : ''}`);
    return {
      claim: claim.id,
      verdict: 'not measured',
      headline: notMeasured(`no WSGI stack has figures on ${workload}`),
      summary: `not measured: no WSGI stack has figures on ${workload}${why.length ? ` (${why.join('; ')})` : ''}`,
      evidence,
      matchups: [],
    };
  }
  const bestWsgi = wsgi.reduce((a, b) => (value(b, metric) > value(a, metric) ? b : a));
  if (asgi.length === 0) {
    return {
      claim: claim.id,
      verdict: 'supported',
      headline: line(
        'supported',
        `WSGI ${bestWsgi.stack} ${fmtFig(bestWsgi, metric)} on ${workload}; no ASGI stack measured`,
      ),
      summary: `supported: on ${workload} the WSGI stacks' concurrency is their workers and threads (${bestWsgi.stack} ${fmtFig(bestWsgi, metric)}); no ASGI stack was measured to show another way`,
      evidence,
      matchups: [],
    };
  }
  const bestAsgi = asgi.reduce((a, b) => (value(b, metric) > value(a, metric) ? b : a));
  const m = matchup(workload, metric, bestAsgi, bestWsgi);
  if (m.cmp) evidence.push(m.cmp.text);
  // The claim's side is WSGI: the row and the headline speak from it.
  const row = matchupRow(reversed(m));
  const matchups = [row];
  const slo = { sloP99Ms: results.config.sloP99Ms };
  const decided = (verdict: VerdictValue, summary: string): Verdict => ({
    claim: claim.id,
    verdict,
    headline: wsgiHeadline(verdict, row, slo),
    matchups,
    summary,
    evidence,
  });
  if (m.outcome === 'undecided')
    return decided(
      'undecided',
      `undecided: on ${workload} ASGI ${bestAsgi.stack} and WSGI ${bestWsgi.stack} (${bestWsgi.serverClass}) cannot be told apart within the run-to-run noise (${fmtRatio(m.ratio)}x${m.cmp?.note ? `; ${m.cmp.note}` : ''})`,
    );
  if (m.outcome === 'win')
    return decided(
      'depends',
      `depends: Python needs an application server either way, but WSGI is not what gives it concurrency — ASGI ${bestAsgi.stack} sustains ${fmtRatio(m.ratio)}x WSGI ${bestWsgi.stack} on ${workload}${metric === 'capacity' ? ' within the SLO' : ''}`,
    );
  return decided(
    'supported',
    `supported: on ${workload} the best WSGI stack ${bestWsgi.stack} (${bestWsgi.serverClass}) is ${m.outcome === 'tie' ? 'level with' : 'ahead of'} ASGI ${bestAsgi.stack} (${fmtRatio(1 / m.ratio)}x${m.outcome === 'tie' ? ', tie' : ''}): ${bestWsgi.serverClass === 'WSGI gevent' ? "a WSGI server's worker model — here gevent's greenlets, not workers and threads — is how Python handled waiting requests best" : 'WSGI workers and threads are how Python handles concurrency here'}`,
  );
};

const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '∞');
const effText = (e: Efficiency) => `${pct(e.value)} (${pct(e.low)}–${pct(e.high ?? Infinity)})`;
const xText = (r: { value: number; low: number; high: number }) =>
  `${r.value.toFixed(2)}x (${r.low.toFixed(2)}–${Number.isFinite(r.high) ? r.high.toFixed(2) : '∞'})`;

/** One stack's E(N) at each N on a workload: from the split-cost study, or from capacities (older results). */
interface Side {
  stack: StackId;
  runtime: Runtime;
  serverClass: string;
  workload: WorkloadId;
  effs: Efficiency[];
}

function splitSides(results: Results, evidence: string[]): Side[] {
  return splitCurves(results).map((c) => {
    const steps = c.steps.filter((s) => s.n > 1);
    const one = c.steps.find((s) => s.n === 1);
    evidence.push(
      `${c.workload}: ${c.stack} (${c.form}): CPU per request ${one ? `${fmtInt(one.usPerRequest)} µs at N=1, ` : ''}${steps.map((s) => `x${s.n} ${xText(s.ratio)}`).join(', ')} over ${one?.rounds ?? 0} rounds; HAProxy ${fmtInt(one?.balancerUs ?? 0)} µs/request${one?.redisUs !== undefined ? `, Redis ${fmtInt(one.redisUs)} µs/delivery` : ''}${one?.stolen ? `; ${one.stolen} round${one.stolen === 1 ? '' : 's'} lost over ${STEAL_LIMIT * 100} % to steal` : ''}`,
    );
    const top = steps.at(-1);
    if (top?.modelRps && c.wholeCoreRps)
      evidence.push(
        `${c.workload}: ${c.stack}: model, not measured: ${top.n} real cores would serve about ${fmtInt(top.modelRps)} req/s (${top.n} x ${fmtInt(c.wholeCoreRps)} on a whole core x ${pct(top.efficiency.value)})`,
      );
    return { ...c, effs: steps.map((s) => s.efficiency) };
  });
}

function capacitySides(results: Results, evidence: string[]): Side[] {
  return scalingCurves(results)
    .filter((c) => c.form === 'replicas')
    .map((c) => {
      const steps = c.steps.map((s) => `N=${s.n} ${fmtInt(s.value)}${s.high === null ? '+' : ''}`).join(', ');
      evidence.push(
        `${c.workload}: ${c.stack} (${c.steps[0]?.budget ?? ''}): ${steps}; ${c.efficiency.map((e) => `E(${e.n}) ${effText(e)}`).join(', ')}`,
      );
      return { ...c, effs: c.efficiency };
    });
}

/**
 * "Node.js is ideal for horizontal scaling": per workload, the best Node.js and the best Python stack at the
 * largest N both reached, decided by scaling-verdict.ts — only from narrow intervals; alike by equivalence.
 * The split-cost study's E(N) when it ran; older results' capacity E(N) by the same rule.
 */
const scaling: Rule = (results, _d, claim) => {
  const evidence: string[] = [];
  const notMeasured = (why: string): Verdict => ({
    claim: claim.id,
    verdict: 'not measured',
    headline: scalingHeadline('not measured', [], why),
    summary: `not measured: ${why}`,
    evidence,
    matchups: [],
  });
  const cfg = results.config.scaling;
  if (!cfg) return notMeasured('the scaling study did not run (stackbench run --scaling on runs it)');
  if (cfg.notMeasured) return notMeasured(cfg.notMeasured);
  const fromSplit = (results.splits ?? []).length > 0;
  const sides = fromSplit ? splitSides(results, evidence) : capacitySides(results, evidence);
  const parts: string[] = [];
  const outcomes: ScalingOutcome[] = [];
  const rows: VerdictRow[] = [];
  for (const t of claim.tests) {
    const mine = sides.filter((c) => c.workload === t.workload && c.effs.length > 0);
    // The best of a runtime: the highest E at its largest N.
    const best = (rt: Runtime) =>
      mine.filter((c) => c.runtime === rt).sort((a, b) => b.effs.at(-1)!.value - a.effs.at(-1)!.value)[0];
    const n = best('node');
    const p = best('python');
    if (!n || !p) continue;
    const top = Math.min(n.effs.at(-1)!.n, p.effs.at(-1)!.n);
    const en = n.effs.find((e) => e.n === top)!;
    const ep = p.effs.find((e) => e.n === top)!;
    const d = decideScaling({ stack: n.stack, e: en }, { stack: p.stack, e: ep });
    const o: ScalingOutcome = {
      workload: t.workload,
      n: top,
      node: { stack: n.stack, e: en },
      python: { stack: p.stack, e: ep },
      outcome: d.outcome,
      ...(d.reason ? { reason: d.reason, short: d.short } : {}),
      source: fromSplit ? 'split' : 'capacity',
    };
    outcomes.push(o);
    rows.push(scalingRow(o, p.serverClass));
    const word = {
      node: 'Node.js scales better',
      python: 'Python scales better',
      alike: 'alike (within ±10 points)',
      undecided: `undecided: ${d.reason}`,
    }[d.outcome];
    parts.push(
      `${t.workload} at ${top} replicas: ${n.stack} ${effText(en)} vs ${p.stack} ${effText(ep)}: ${word}`,
    );
  }
  if (outcomes.length === 0)
    return notMeasured(
      'no workload has scaling figures for both a Node.js and a Python stack (see the notes)',
    );
  const node = outcomes.filter((o) => o.outcome === 'node').length;
  const undecided = outcomes.filter((o) => o.outcome === 'undecided').length;
  const verdict: VerdictValue =
    node === outcomes.length
      ? 'supported'
      : node > 0
        ? 'depends'
        : undecided === outcomes.length
          ? 'undecided'
          : 'not supported';
  const needs = `both need a balancer in front of their replicas${sides.some((c) => c.workload === 'chat') ? ', and chat a broker (Redis) to span rooms across them' : ''}`;
  const what = fromSplit
    ? 'E(N) = CPU per request of 1 replica / of N at the same rate on the same cores (what N real cores would give)'
    : 'scaling efficiency E(N) = C(N) / (N x C(1))';
  return {
    claim: claim.id,
    verdict,
    headline: scalingHeadline(verdict, outcomes),
    summary: `${verdict}: ${what}, ${parts.join('; ')}. ${needs[0]!.toUpperCase()}${needs.slice(1)}.`,
    evidence,
    matchups: rows,
  };
};

/** The sweep family that tells where a "Python wins" claim holds: data for tables, ml for native computation. */
const FAMILY: Partial<Record<WorkloadId, 'ml' | 'data'>> = { ml: 'ml', data: 'data', cpu: 'ml' };

/** What a load test measures of an ecosystem claim, and what it cannot. */
const CANNOT_SETTLE =
  'A load test settles the speed of the same computation on each stack; it cannot settle what an ecosystem offers beyond that (model zoos, TensorFlow, the libraries a team already knows).';

/**
 * "Python wins" read across sizes: the headline workload decides at one size; the sweep says where the answer
 * flips. Python winning at some sizes and losing at others makes the claim depend on the size, said as such.
 */
function acrossSizes(rule: Rule): Rule {
  return (results, d, claim) => {
    const base = rule(results, d, claim);
    const family = FAMILY[claim.tests[0]?.workload ?? 'json'];
    const xs = family ? crossovers(results).filter((x) => x.family === family) : [];
    const tail = family && base.verdict !== 'not measured' ? ` ${CANNOT_SETTLE}` : '';
    if (xs.length === 0) return { ...base, summary: `${base.summary.replace(/\.?$/, '.')}${tail}` };
    const steps = xs.flatMap((x) => x.steps);
    const py = steps.some((s) => s.outcome === 'python');
    const node = steps.some((s) => s.outcome === 'node');
    const evidence = [...base.evidence, ...xs.map((x) => `sweep: ${x.text}`)];
    const across: VerdictValue =
      py && node ? 'depends' : py ? 'supported' : node ? 'not supported' : 'undecided';
    let verdict = base.verdict;
    if (base.verdict === 'not measured' || base.verdict === 'undecided') verdict = across;
    else if (across !== base.verdict && across !== 'undecided') verdict = 'depends';
    const where =
      claim.tests[0]?.workload === 'cpu'
        ? `in a pure-language loop (${base.verdict} at the headline); in NumPy: ${xs.map((x) => x.text).join('; ')}`
        : xs.map((x) => x.text).join('; ');
    const summary =
      verdict === base.verdict
        ? `${base.summary}. Across sizes: ${where}.${tail}`
        : `${verdict}: it depends on the size — ${where}. At the headline size: ${base.summary}.${tail}`;
    const loop = claim.tests[0]?.workload === 'cpu';
    const headline = sizesHeadline(verdict, base, across, xs, loop);
    return {
      claim: claim.id,
      verdict,
      headline,
      summary,
      evidence,
      matchups: [...base.matchups, ...sweepRows(xs)],
    };
  };
}

export const RULES: Record<RuleId, Rule> = {
  'node-wins': runtimeWins('node'),
  'python-wins': acrossSizes(runtimeWins('python')),
  'wsgi-concurrency': wsgiConcurrency,
  scaling,
};

export function decide(results: Results, d: Derived, claims: Claim[]): Verdict[] {
  return claims.map((c) => RULES[c.rule](results, d, c));
}
