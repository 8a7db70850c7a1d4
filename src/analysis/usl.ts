// The Universal Scalability Law (Gunther): capacity at N instances C(N) = λN / (1 + σ(N−1) + κN(N−1)), with σ
// the share of work that serializes (contention) and κ the cost of keeping instances coherent (crosstalk). With
// X(N) = C(N)/C(1), N/X(N) − 1 = σ(N−1) + κN(N−1): a least-squares fit without intercept on two regressors,
// both coefficients kept non-negative. Capacity peaks at N* = sqrt((1 − σ) / κ) when κ > 0.
// Scaling efficiency E(N) = C(N) / (N·C(1)): 1 is linear.

import type { UslFit } from '../results/types.js';

export type { UslFit };

/** C(N) from the law, for drawing the curve. */
export function uslCapacity(c1: number, n: number, fit: Pick<UslFit, 'sigma' | 'kappa'>): number {
  return (c1 * n) / (1 + fit.sigma * (n - 1) + fit.kappa * n * (n - 1));
}

/** Least squares of y on x1 and x2 through the origin, each coefficient >= 0 (the two-variable NNLS). */
function nnls2(x1: number[], x2: number[], y: number[]): [number, number] {
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
  const a11 = dot(x1, x1);
  const a22 = dot(x2, x2);
  const a12 = dot(x1, x2);
  const b1 = dot(x1, y);
  const b2 = dot(x2, y);
  const det = a11 * a22 - a12 * a12;
  if (det > 1e-12) {
    const s = (b1 * a22 - b2 * a12) / det;
    const k = (a11 * b2 - a12 * b1) / det;
    if (s >= 0 && k >= 0) return [s, k];
  }
  // One coefficient at 0: the better of the two single-regressor fits (each clipped at 0).
  const onlyS = a11 > 0 ? Math.max(0, b1 / a11) : 0;
  const onlyK = a22 > 0 ? Math.max(0, b2 / a22) : 0;
  const sse = (s: number, k: number) => y.reduce((e, v, i) => e + (v - s * x1[i]! - k * x2[i]!) ** 2, 0);
  return sse(onlyS, 0) <= sse(0, onlyK) ? [onlyS, 0] : [0, onlyK];
}

/** Fit the law to capacities at several N (N = 1 must be among them). Undefined below 3 points. */
export function fitUsl(points: Array<{ n: number; c: number }>): UslFit | undefined {
  const one = points.find((p) => p.n === 1);
  const rest = points.filter((p) => p.n > 1 && p.c > 0);
  if (!one || !(one.c > 0) || rest.length < 2) return undefined;
  const x1 = rest.map((p) => p.n - 1);
  const x2 = rest.map((p) => p.n * (p.n - 1));
  const y = rest.map((p) => p.n / (p.c / one.c) - 1);
  const [sigma, kappa] = nnls2(x1, x2, y);
  const peakN = kappa > 0 ? Math.sqrt(Math.max(0, 1 - sigma) / kappa) : null;
  // Quality, on the capacities themselves (N = 1 included, where the law passes through C(1) by construction).
  const all = [one, ...rest];
  const mean = all.reduce((s, p) => s + p.c, 0) / all.length;
  const ssTot = all.reduce((s, p) => s + (p.c - mean) ** 2, 0);
  const ssRes = all.reduce((s, p) => s + (p.c - uslCapacity(one.c, p.n, { sigma, kappa })) ** 2, 0);
  const free = rest.length - 2;
  const r2 = free > 0 && ssTot > 0 ? 1 - ssRes / ssTot : null;
  const note =
    r2 === null
      ? `two parameters through ${all.length} points: it fits them ${ssRes / Math.max(ssTot, 1e-9) < 0.01 ? 'exactly' : 'as well as it can'}, and nothing is left to test the law itself`
      : `R² = ${r2.toFixed(3)} over ${all.length} points`;
  return { sigma, kappa, peakN, r2, note };
}
