// The true latency distribution of the stall server under an open-loop constant rate, by arithmetic.
// Arrivals are spread evenly over the period, so the phase φ of an arrival is uniform on [0, P). An arrival
// with φ < S waits S - φ; any other waits ~0 (service time is microseconds). Hence
//   P(latency > x) = (S - x) / P   for 0 <= x <= S,
// and the q-quantile is max(0, S - P (1 - q)). Example S = 150, P = 200: p50 = 50, p99 = 148, p99.9 = 149.8 ms.

export function trueQuantileMs(stallMs: number, periodMs: number, percentile: number): number {
  return Math.max(0, stallMs - periodMs * (1 - percentile / 100));
}
