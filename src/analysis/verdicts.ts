// The rules that decide the article's claims: rule id -> (results, derived figures, claim) -> Verdict.
// A claim of winning is supported only by a win outside the noise: a tie counts as "not supported".
import type { Comparison, Results, StackFigures, Verdict, VerdictValue } from '../results/types.js';
import { isWsgi, type Runtime, type StackId } from '../stacks/registry.js';
import { WORKLOADS, type WorkloadId } from '../workloads.js';
import type { Claim, ClaimTest, RuleId } from './claims.js';
import { figures, measured, type Derived } from './derive.js';
import { compareBrackets, compareRuns, fmtInt, fmtRatio, NOISE_FLOOR } from './stats.js';

export type Rule = (results: Results, d: Derived, claim: Claim) => Verdict;

const RUNTIME_NAME: Record<Runtime, string> = { node: 'Node.js', python: 'Python' };
const other = (r: Runtime): Runtime => (r === 'node' ? 'python' : 'node');

interface Matchup {
  workload: WorkloadId;
  metric: ClaimTest['metric'];
  fav: StackFigures;
  opp: StackFigures;
  cmp?: Comparison;
  /** fav / opp (< 1 when the favoured side is slower). */
  ratio: number;
  outcome: 'win' | 'tie' | 'loss' | 'undecided';
}

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
    const cls = m.opp.runtime === 'python' ? (isWsgi(m.opp) ? 'WSGI' : 'ASGI') : 'Node.js';
    const fig = Number.isFinite(m.ratio) ? `${fmtRatio(m.ratio)}x` : 'no figure';
    const tag =
      m.outcome === 'tie'
        ? ', tie'
        : m.outcome === 'loss'
          ? ', slower'
          : m.outcome === 'undecided'
            ? ', undecided'
            : '';
    byClass.set(cls, [...(byClass.get(cls) ?? []), `${m.opp.stack} ${fig}${tag}`]);
  }
  const order = ['WSGI', 'ASGI', 'Node.js'];
  return [...byClass]
    .sort(([x], [y]) => order.indexOf(x) - order.indexOf(y))
    .map(([cls, items]) => `${cls} (${items.join(', ')})`)
    .join(', ');
}

/** "X wins": the best stack of the favoured runtime against every stack of the other, on each tested workload. */
function runtimeWins(favoured: Runtime): Rule {
  return (results, d, claim) => {
    const matchups: Matchup[] = [];
    const missing: string[] = [];
    const evidence: string[] = [];
    /** Opponents that cannot do the workload by their model (WebSocket on WSGI): the favoured side wins. */
    const byDefault: Array<{ workload: WorkloadId; stack: StackId }> = [];
    for (const t of claim.tests) {
      const w = figures(d, t.workload);
      let metric = t.metric;
      const favs = measured(w).filter((f) => f.runtime === favoured);
      const opps = measured(w).filter((f) => f.runtime === other(favoured));
      const cannot = results.stacks.filter(
        (s) => s.runtime === other(favoured) && s.verification[t.workload]?.status === 'unsupported',
      );
      if (favs.some((f) => has(f, 'rps'))) {
        for (const s of cannot) {
          byDefault.push({ workload: t.workload, stack: s.id });
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
        matchups.push(m);
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
        summary: `not measured: ${missing.join('; ')}`,
        evidence,
      };
    }
    const wins = matchups.filter((m) => m.outcome === 'win').length + byDefault.length;
    const undecided = matchups.filter((m) => m.outcome === 'undecided').length;
    const total = matchups.length + byDefault.length;
    // Undecided matchups cannot support a claim, nor refute one: with no loss beside them, the claim is undecided.
    const decidedLosses = total - wins - undecided;
    const verdict: VerdictValue =
      wins === total
        ? 'supported'
        : undecided > 0 && decidedLosses === 0
          ? 'undecided'
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
      if (cannot.length) segs.push(`${cannot.join(' and ')} cannot serve it at all (WSGI)`);
      if (lost.length) segs.push(`not against ${grouped(lost)}`);
      if (open.length) segs.push(`undecided against ${grouped(open)}`);
      return `${head}: ${segs.join('; ')}`;
    });
    let summary = `${verdict} (${RUNTIME_NAME[favoured]} ${wins} of ${total} matchups won): ${parts.join(' | ')}`;
    const bounds = lowerBounds(matchups);
    if (bounds.length) summary += `. Lower bounds: ${bounds.join(', ')}`;
    if (missing.length) summary += `. Missing: ${missing.join('; ')}`;
    return { claim: claim.id, verdict, summary, evidence };
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
      summary: `not measured: no WSGI stack has figures on ${workload}${why.length ? ` (${why.join('; ')})` : ''}`,
      evidence,
    };
  }
  const bestWsgi = wsgi.reduce((a, b) => (value(b, metric) > value(a, metric) ? b : a));
  if (asgi.length === 0) {
    return {
      claim: claim.id,
      verdict: 'supported',
      summary: `supported: on ${workload} the WSGI stacks' concurrency is their workers and threads (${bestWsgi.stack} ${fmtFig(bestWsgi, metric)}); no ASGI stack was measured to show another way`,
      evidence,
    };
  }
  const bestAsgi = asgi.reduce((a, b) => (value(b, metric) > value(a, metric) ? b : a));
  const m = matchup(workload, metric, bestAsgi, bestWsgi);
  if (m.cmp) evidence.push(m.cmp.text);
  if (m.outcome === 'win') {
    return {
      claim: claim.id,
      verdict: 'depends',
      summary: `depends: Python needs an application server either way, but WSGI is not what gives it concurrency — ASGI ${bestAsgi.stack} sustains ${fmtRatio(m.ratio)}x WSGI ${bestWsgi.stack} on ${workload}${metric === 'capacity' ? ' within the SLO' : ''}`,
      evidence,
    };
  }
  return {
    claim: claim.id,
    verdict: 'supported',
    summary: `supported: on ${workload} the best WSGI stack ${bestWsgi.stack} is ${m.outcome === 'tie' ? 'level with' : 'ahead of'} ASGI ${bestAsgi.stack} (${fmtRatio(1 / m.ratio)}x${m.outcome === 'tie' ? ', tie' : ''}): WSGI workers and threads are how Python handles concurrency here`,
    evidence,
  };
};

/** Scaling efficiency capacity(N) / (N x capacity(1)) per stack, at the largest N searched for that stack. */
function efficiencies(
  results: Results,
  workload: WorkloadId,
): Array<{ stack: StackId; n: number; eff: number }> {
  const out: Array<{ stack: StackId; n: number; eff: number }> = [];
  for (const stack of results.config.stacks) {
    const caps = results.capacities.filter((c) => c.stack === stack && c.workload === workload);
    const one = caps.find((c) => c.instances === 1);
    const top = caps.reduce<(typeof caps)[number] | undefined>(
      (a, c) => (!a || c.instances > a.instances ? c : a),
      undefined,
    );
    if (one && top && top.instances >= 2 && one.rps > 0) {
      out.push({ stack, n: top.instances, eff: top.rps / (top.instances * one.rps) });
    }
  }
  return out;
}

const scaling: Rule = (results, d, claim) => {
  const evidence: string[] = [];
  const rows = claim.tests.map((t) => ({ workload: t.workload, effs: efficiencies(results, t.workload) }));
  const runtimeOf = (s: StackId) => results.stacks.find((r) => r.id === s)?.runtime;
  const decided = rows.filter(
    (r) =>
      r.effs.some((e) => runtimeOf(e.stack) === 'node') &&
      r.effs.some((e) => runtimeOf(e.stack) === 'python'),
  );
  if (decided.length === 0) {
    // What one core can show: node-cluster at 1 worker against plain node:http is the cluster's own overhead.
    for (const t of claim.tests) {
      const w = figures(d, t.workload);
      const cl = w?.stacks.find((f) => f.stack === 'node-cluster');
      const plain = w?.stacks.find((f) => f.stack === 'node-http');
      if (cl?.rps && plain?.rps) {
        const cmp = compareRuns(
          t.workload,
          'rps',
          { stack: 'node-cluster', runs: cl.runs },
          { stack: 'node-http', runs: plain.runs },
        );
        const r = cl.rps.median / plain.rps.median;
        if (cmp)
          evidence.push(
            `${cmp.text}: node-cluster with ${results.stacks.find((s) => s.id === 'node-cluster')?.workers ?? 1} worker runs at ${fmtRatio(r)}x node-http (the cluster's overhead on one core)`,
          );
      }
      for (const f of measured(w)) {
        const rec = results.stacks.find((s) => s.id === f.stack);
        if (rec && rec.workers > 1)
          evidence.push(
            `${f.stack} already runs ${rec.workers} processes on ${d.maxInstances} core (${rec.workerRule})`,
          );
      }
    }
    const cores = results.machine.serverCpus.length || d.maxInstances;
    const why =
      d.maxInstances < 2
        ? `this machine gives the server ${cores} core${cores === 1 ? '' : 's'}; scaling needs >= 2 server cores`
        : 'capacity was not searched at 1 and >= 2 instances for both a Node.js and a Python stack';
    return {
      claim: claim.id,
      verdict: 'not measured',
      summary: `not measured: ${why}`,
      evidence: [...new Set(evidence)],
    };
  }
  let nodeWins = 0;
  const parts: string[] = [];
  for (const r of decided) {
    const best = (rt: Runtime) =>
      r.effs.filter((e) => runtimeOf(e.stack) === rt).reduce((a, b) => (b.eff > a.eff ? b : a));
    const n = best('node');
    const p = best('python');
    for (const e of r.effs)
      evidence.push(
        `${r.workload}: ${e.stack} scales ${(e.eff * 100).toFixed(0)}% efficiently to ${e.n} instances`,
      );
    const win = n.eff > p.eff * (1 + NOISE_FLOOR);
    if (win) nodeWins++;
    parts.push(
      `${r.workload}: ${n.stack} ${(n.eff * 100).toFixed(0)}% vs ${p.stack} ${(p.eff * 100).toFixed(0)}%${win ? '' : n.eff >= p.eff / (1 + NOISE_FLOOR) ? ' (tie)' : ' (Python scales better)'}`,
    );
  }
  const verdict: VerdictValue =
    nodeWins === decided.length ? 'supported' : nodeWins === 0 ? 'not supported' : 'depends';
  return {
    claim: claim.id,
    verdict,
    summary: `${verdict}: scaling efficiency, ${parts.join('; ')}`,
    evidence,
  };
};

export const RULES: Record<RuleId, Rule> = {
  'node-wins': runtimeWins('node'),
  'python-wins': runtimeWins('python'),
  'wsgi-concurrency': wsgiConcurrency,
  scaling,
};

export function decide(results: Results, d: Derived, claims: Claim[]): Verdict[] {
  return claims.map((c) => RULES[c.rule](results, d, c));
}
