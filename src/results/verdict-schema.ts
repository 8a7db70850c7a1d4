// What a verdict holds, stated once (zod): the Verdict type is inferred from here (types.ts), and the JSON
// Schema the docs publish describes it (schema.ts). A verdict carries its answer three ways: a headline (one line
// and the decisive figure as data), the matchups as rows (what every reporter draws its table and its picture
// from), and the full summary and evidence in words. Reading a file never checks these — `report` recomputes
// the analysis — so the shape may grow without refusing an older file.
import { z } from 'zod';
import { ALL_WORKLOAD_IDS } from '../workloads.js';

export const VerdictValue = z
  .enum(['supported', 'not supported', 'depends', 'undecided', 'not measured'])
  .describe('undecided: measured, but the figures cannot decide it');

/** A figure with its 95 % interval (or bracket); high null: open above, the figure is a lower bound. */
export const Span = z.object({
  value: z.number(),
  low: z.number(),
  high: z.number().nullable().describe('null: open above (a lower bound)'),
});

export const VerdictMetric = z
  .enum(['rps', 'capacity', 'efficiency'])
  .describe(
    'rps: closed-loop throughput (the sweep: on one connection); capacity: the highest rate within the SLO; efficiency: E(N) = C(N) / (N x C(1)), or from the split-cost study the CPU per request of one replica over that of N at the same rate (what E(N) would be on N real cores)',
  );

export const HeadlineFigure = z.object({
  value: z.number().describe('a ratio a / b (unit "x"), or a share (unit "%": 0.92 is 92 %)'),
  low: z.number(),
  high: z.number().nullable().describe('null: open above'),
  unit: z.enum(['x', '%']),
  a: z.string().describe('the stack ahead (for a tie or a lean: the higher figure)'),
  b: z.string().describe('the stack it is compared with'),
  workload: z.enum(ALL_WORKLOAD_IDS),
  metric: VerdictMetric,
  at: z.string().optional().describe('where the figure holds: a size of the sweep, or a replica count'),
  versus: Span.optional().describe("unit %: b's own figure on the same scale (a's is value, low, high)"),
  sides: z
    .object({ a: z.number(), b: z.number(), aFloor: z.boolean(), bFloor: z.boolean() })
    .optional()
    .describe(
      "each side's own figure, given when either is a lower bound (no ceiling found: what it sustained at least); the ratio then bounds the truth on one side only, or, with both floors, decides nothing",
    ),
});

export const Headline = z.object({
  text: z
    .string()
    .describe('one line of at most ~20 words: the verdict, the decisive figure with its interval, its pair'),
  figure: HeadlineFigure.optional().describe('the decisive figure as data; absent when nothing was measured'),
});

export const Outcome = z
  .enum(['win', 'tie', 'loss', 'undecided', 'cannot serve'])
  .describe("from the favoured side; cannot serve: the opponent cannot do the workload by its model (a win)");

export const VerdictRow = z.object({
  workload: z.enum(ALL_WORKLOAD_IDS),
  metric: VerdictMetric,
  at: z.string().optional().describe('a size of the sweep, or a replica count; absent: the headline figures'),
  favoured: z.string().describe('the stack on the claim’s side'),
  opponent: z.string(),
  opponentClass: z.string().describe('the opponent’s server class (WSGI sync, ASGI, ...), or "Node.js"'),
  ratio: Span.nullable().describe('favoured / opponent with its interval; null: nothing to divide'),
  favouredFigure: Span.nullable().describe('req/s (rps, capacity) or a share (efficiency)'),
  opponentFigure: Span.nullable(),
  outcome: Outcome,
  notes: z.array(z.string()).describe('lower bounds and caveats'),
});

export const Verdict = z.object({
  claim: z.string(),
  verdict: VerdictValue,
  headline: Headline,
  summary: z.string().describe('the condition and every figure, in words'),
  evidence: z.array(z.string()),
  matchups: z.array(VerdictRow).describe('every comparison the rule made, as rows'),
});

/** The part of the analysis the published schema describes (the rest is listed in docs/RESULTS.md). */
export const PublishedAnalysis = z
  .looseObject({ verdicts: z.array(Verdict) })
  .describe('derived from the above by src/analysis; recomputed by `report`, never checked on reading');
