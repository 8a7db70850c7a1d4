/**
 * ML at size (GET /ml/sized?batch=B&width=W): a deterministic MLP W -> W (ReLU) -> 10 (softmax) run on a
 * deterministic batch of B rows. The weights and the 1024-row input pool of a width are generated from the
 * shared PRNG at the first request for that width and kept (they stand for model.json and a request batch:
 * generating them is not the measured work). Per request: the forward pass only, plain loops over
 * Float64Array, the same arithmetic the NumPy servers do with matrix products.
 */
import { fillSigned } from './prng.js';
import { intParam } from './params.js';

export const ML_CLASSES = 10;
export const ML_MAX_BATCH = 1024;
export const ML_WIDTH = { min: 8, max: 2048 } as const;
/** Seeds of a width's two streams: 'ML' and 'IN' in the high 16 bits, the width in the low ones. */
export const modelSeed = (width: number): number => 0x4d4c0000 + width;
export const inputSeed = (width: number): number => 0x494e0000 + width;

export interface SizedModel {
  width: number;
  /** Hidden-major (as PyTorch's nn.Linear keeps weights): w1t[j * width + i] links input i to hidden j. */
  w1t: Float64Array;
  b1: Float64Array;
  /** Class-major: w2t[k * width + j] links hidden j to class k. */
  w2t: Float64Array;
  b2: Float64Array;
  inputs: Float64Array; // ML_MAX_BATCH x width, row-major: a batch of B rows is the first B
}

export interface SizedAnswer {
  batch: number;
  width: number;
  classes: number[];
  checksum: number;
}

/** rows x cols row-major -> cols x rows row-major. */
function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c] as number;
  return t;
}

/**
 * Stream layout (docs/WORKLOADS.md): the model stream gives w1 (input-major, as NumPy multiplies x @ w1),
 * b1, w2, b2 in that order, each value divided by sqrt(width) (the fan-in of both layers, so activations
 * stay near 1 and softmax is not saturated); the input stream gives the input pool row by row, unscaled.
 * The weights are then stored hidden-major, so each dot product below reads two contiguous rows.
 */
export function generateModel(width: number): SizedModel {
  const seed = modelSeed(width);
  const scale = Math.sqrt(width);
  let used = 0;
  const take = (n: number): Float64Array => {
    const out = fillSigned(new Float64Array(n), seed, used);
    used += n;
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) / scale;
    return out;
  };
  const w1 = take(width * width);
  const b1 = take(width);
  const w2 = take(width * ML_CLASSES);
  const b2 = take(ML_CLASSES);
  const inputs = fillSigned(new Float64Array(ML_MAX_BATCH * width), inputSeed(width), 0);
  return { width, w1t: transpose(w1, width, width), b1, w2t: transpose(w2, width, ML_CLASSES), b2, inputs };
}

/** A few widths kept (a sweep uses a handful); the oldest is dropped so memory stays bounded. */
const KEEP = 4;
const models = new Map<number, SizedModel>();

export function modelFor(width: number): SizedModel {
  let model = models.get(width);
  if (model) {
    models.delete(width); // re-inserted below: Map order is the recency order
  } else {
    model = generateModel(width);
    if (models.size >= KEEP) models.delete(models.keys().next().value as number);
  }
  models.set(width, model);
  return model;
}

/**
 * hidden = relu(inputs[0..batch) . w1 + b1), one dot product per (row, hidden unit) over contiguous rows.
 * Four batch rows share each pass over a weight row, their sums kept in locals: each weight read from memory
 * serves four rows. (The same loops one row at a time ran 2.5x slower here; i-k-j order, 2.6x.)
 */
function hiddenLayer(model: SizedModel, batch: number): Float64Array {
  const { width: w, w1t, b1, inputs: x } = model;
  const hidden = new Float64Array(batch * w);
  let r = 0;
  for (; r + 4 <= batch; r += 4) {
    const x0 = r * w;
    const x1 = x0 + w;
    const x2 = x1 + w;
    const x3 = x2 + w;
    for (let j = 0; j < w; j++) {
      const bias = b1[j] as number;
      let s0 = bias;
      let s1 = bias;
      let s2 = bias;
      let s3 = bias;
      const row = j * w;
      for (let i = 0; i < w; i++) {
        const v = w1t[row + i] as number;
        s0 += (x[x0 + i] as number) * v;
        s1 += (x[x1 + i] as number) * v;
        s2 += (x[x2 + i] as number) * v;
        s3 += (x[x3 + i] as number) * v;
      }
      hidden[x0 + j] = s0 > 0 ? s0 : 0;
      hidden[x1 + j] = s1 > 0 ? s1 : 0;
      hidden[x2 + j] = s2 > 0 ? s2 : 0;
      hidden[x3 + j] = s3 > 0 ? s3 : 0;
    }
  }
  for (; r < batch; r++) {
    const xr = r * w;
    for (let j = 0; j < w; j++) {
      let s = b1[j] as number;
      const row = j * w;
      for (let i = 0; i < w; i++) s += (x[xr + i] as number) * (w1t[row + i] as number);
      hidden[xr + j] = s > 0 ? s : 0;
    }
  }
  return hidden;
}

/** The forward pass over the first `batch` rows of the model's input pool. */
export function forward(model: SizedModel, batch: number): SizedAnswer {
  const { width: w, w2t, b2 } = model;
  const hidden = hiddenLayer(model, batch);
  const classes: number[] = new Array(batch);
  const z = new Float64Array(ML_CLASSES);
  let checksum = 0;
  for (let r = 0; r < batch; r++) {
    const hr = r * w;
    for (let k = 0; k < ML_CLASSES; k++) {
      let s = b2[k] as number;
      const row = k * w;
      for (let j = 0; j < w; j++) s += (hidden[hr + j] as number) * (w2t[row + j] as number);
      z[k] = s;
    }
    let best = 0; // the first maximum wins, as NumPy's argmax
    for (let k = 1; k < ML_CLASSES; k++) if ((z[k] as number) > (z[best] as number)) best = k;
    const max = z[best] as number;
    let sum = 0;
    for (let k = 0; k < ML_CLASSES; k++) {
      const e = Math.exp((z[k] as number) - max); // minus the max: exp cannot overflow
      z[k] = e;
      sum += e;
    }
    // The checksum adds up each row's expected class index, sum_k k * p_k: every probability counts.
    let expected = 0;
    for (let k = 1; k < ML_CLASSES; k++) expected += k * ((z[k] as number) / sum);
    checksum += expected;
    classes[r] = best;
  }
  return { batch, width: w, classes, checksum: Math.round(checksum * 1e6) / 1e6 };
}

/** Validates batch and width; returns them, or the message of a 400. */
export function mlSizedParams(
  rawBatch: unknown,
  rawWidth: unknown,
): { batch: number; width: number } | string {
  const batch = intParam(rawBatch, 'batch', 1, ML_MAX_BATCH, 64);
  if (typeof batch === 'string') return batch;
  const width = intParam(rawWidth, 'width', ML_WIDTH.min, ML_WIDTH.max, 64);
  if (typeof width === 'string') return width;
  return { batch, width };
}
