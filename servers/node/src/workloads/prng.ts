/**
 * The counter form of mulberry32 that the sized workloads share with the Python servers and the verifier
 * (docs/WORKLOADS.md, "Deterministic numbers"). mulberry32 adds 0x6d2b79f5 to its state before each draw,
 * so draw n (1-based) of a stream seeded with s hashes s + n * 0x6d2b79f5 (mod 2^32): any draw can be
 * computed on its own, which lets NumPy compute a whole stream at once and stay bit-identical to this loop.
 */

const STEP = 0x6d2b79f5;

/** Draw n (1-based) of the stream with this seed, as an unsigned 32-bit integer. */
export function draw(seed: number, n: number): number {
  let t = (seed + Math.imul(n, STEP)) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** Fills `out` with draws first+1 .. first+out.length mapped to [-1, 1) exactly ((u - 2^31) / 2^31). */
export function fillSigned(out: Float64Array, seed: number, first: number): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = (draw(seed, first + i + 1) - 2147483648) / 2147483648;
  return out;
}

/** A draw mapped to an integer lo..hi as the data generator does: lo + floor(u / 2^32 * (hi - lo + 1)). */
export function drawInt(seed: number, n: number, lo: number, hi: number): number {
  return lo + Math.floor((draw(seed, n) / 4294967296) * (hi - lo + 1));
}
