// The request pool: every request a run will send, serialized before it starts, and the order to send them in.
// The hot path is then one array index — pool[order[k]] — with no string work and no allocation per send. A
// single request is a pool of one. The pool lives in one SharedArrayBuffer, so worker threads read the very same
// bytes: it crosses to them once, in workerData, and nothing is copied.

export interface RequestPool {
  /** Every entry's bytes back to back (SharedArrayBuffer-backed). */
  bytes: Uint8Array;
  /** Entry i is bytes[offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
  /** The request of the mix entry i is an instance of (index into names). */
  requestOf: Uint16Array;
  /** The send order, as entry indices; its length is a power of two, so a cursor wraps with a mask. */
  order: Uint32Array;
  /** The mix's request names by index; one name: a single request, no breakdown. */
  names: string[];
}

/** The order's length at least (with more than one request): weights are honoured to 1/4096 per cycle. */
const MIN_ORDER = 4096;
/** ... and at most: 1 MiB of indices, shared by every thread. A lighter weight than 1/MAX_ORDER is refused. */
export const MAX_ORDER = 1 << 18;

function shared<T extends Uint8Array | Uint16Array | Uint32Array>(
  Kind: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new Kind(new SharedArrayBuffer(Math.max(1, length) * Kind.BYTES_PER_ELEMENT));
}

/**
 * Slots per request out of `len`, in proportion to the weights (largest remainders, ties to the earlier
 * request): the counts add up to exactly `len`.
 */
export function apportion(weights: number[], len: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / total) * len);
  const slots = exact.map(Math.floor);
  let left = len - slots.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((e, i) => [e - Math.floor(e), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) slots[byRemainder[k % byRemainder.length]![1]]!++;
  return slots;
}

/**
 * The send order: long enough that each request has a slot for each of its instances where the bounds allow (so
 * every drawn value is sent), each request's slots in proportion to its weight. The slots are spread by jittered
 * stratification: request t's j-th slot (of n) sorts at (j + u) / n, u drawn by the seeded generator, so each
 * request has exactly one slot in every 1/n of the cycle. Every stretch of the order, however short, then holds
 * each request within a slot or two of its weight (a plain shuffle drifts by about the square root of the
 * stretch), while the interleaving stays irregular. Each request's slots cycle through its instances.
 */
export function sendOrder(
  weights: number[],
  sizes: number[],
  starts: number[],
  rand: () => number,
): Uint32Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const fits = (len: number) => weights.every((w, i) => Math.floor((w / total) * len) >= sizes[i]!);
  let len = weights.length > 1 ? MIN_ORDER : 1;
  while (len < MAX_ORDER && !fits(len)) len *= 2;
  const slots = apportion(weights, len);
  const keys = new Float64Array(len);
  const entries = new Uint32Array(len);
  let p = 0;
  for (let t = 0; t < weights.length; t++) {
    const n = slots[t]!;
    for (let j = 0; j < n; j++, p++) {
      keys[p] = (j + rand()) / n;
      entries[p] = starts[t]! + (j % sizes[t]!);
    }
  }
  const byKey = Array.from({ length: len }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
  const order = shared(Uint32Array, len);
  byKey.forEach((slot, i) => (order[i] = entries[slot]!));
  return order;
}

/** Packs each request's instances (groups[t]: the Buffers of request t) into one shared pool with its order. */
export function packPool(
  groups: Buffer[][],
  weights: number[],
  names: string[],
  rand: () => number,
): RequestPool {
  const entries = groups.flat();
  const offsets = shared(Uint32Array, entries.length + 1);
  const requestOf = shared(Uint16Array, entries.length);
  let size = 0;
  entries.forEach((e, i) => {
    offsets[i] = size;
    size += e.length;
  });
  offsets[entries.length] = size;
  const bytes = shared(Uint8Array, size);
  entries.forEach((e, i) => bytes.set(e, offsets[i]));
  const starts: number[] = [];
  let next = 0;
  groups.forEach((g, t) => {
    starts.push(next);
    requestOf.fill(t, next, next + g.length);
    next += g.length;
  });
  const order = sendOrder(
    weights,
    groups.map((g) => g.length),
    starts,
    rand,
  );
  return { bytes, offsets, requestOf, order, names };
}

/** The pool's entries as Buffers over its shared bytes (views: nothing copied). */
export function poolEntries(pool: RequestPool): Buffer[] {
  const out: Buffer[] = [];
  const b = pool.bytes;
  for (let i = 0; i + 1 < pool.offsets.length; i++) {
    const start = pool.offsets[i]!;
    out.push(Buffer.from(b.buffer, b.byteOffset + start, pool.offsets[i + 1]! - start));
  }
  return out;
}
