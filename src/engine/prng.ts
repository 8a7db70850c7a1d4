// A small seeded generator for the request mix: the same seed gives the same values and the same send order on
// every run and every machine (Math.random cannot be seeded). A Weyl sequence (adding the 32-bit golden ratio)
// passed through MurmurHash3's 32-bit finalizer: fast, full period 2^32, well mixed — plenty for picking ids and
// shuffling a few thousand slots, and not meant for anything secret.

/** Floats in [0, 1), each with 32 random bits. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 0x1_0000_0000;
  };
}

/** A whole number from lo to hi inclusive. */
export function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}
