import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The MLP of model.json flattened into row-major Float64Arrays: w1 is inputs x hidden, w2 is hidden x classes. */
export interface Model {
  inputs: number;
  hidden: number;
  classes: number;
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

export interface Prediction {
  classes: number[];
  probabilities: number[][];
}

export const MAX_ROWS = 1024;

function matrix(value: unknown, name: string): { rows: number; cols: number; data: Float64Array } {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) {
    throw new Error(`model.json: ${name} must be a non-empty matrix`);
  }
  const rows = value.length;
  const cols = (value[0] as unknown[]).length;
  const flat = value.flat() as unknown[];
  if (flat.length !== rows * cols || !flat.every((x) => typeof x === 'number')) {
    throw new Error(`model.json: ${name} must be a ${rows}x${cols} matrix of numbers`);
  }
  return { rows, cols, data: Float64Array.from(flat as number[]) };
}

function vector(value: unknown, length: number, name: string): Float64Array {
  if (!Array.isArray(value) || value.length !== length || !value.every((x) => typeof x === 'number')) {
    throw new Error(`model.json: ${name} must be ${length} numbers`);
  }
  return Float64Array.from(value as number[]);
}

export function loadModel(dir: string): Model {
  const raw = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
  const w1 = matrix(raw.w1, 'w1');
  const w2 = matrix(raw.w2, 'w2');
  if (w2.rows !== w1.cols) throw new Error('model.json: w2 rows must equal w1 columns');
  return {
    inputs: w1.rows,
    hidden: w1.cols,
    classes: w2.cols,
    w1: w1.data,
    b1: vector(raw.b1, w1.cols, 'b1'),
    w2: w2.data,
    b2: vector(raw.b2, w2.cols, 'b2'),
  };
}

/** Checks the request body's shape; returns the batch flattened row-major, or an error message for a 400. */
export function parseInputs(body: unknown, width: number): Float64Array | string {
  const shape = `body must be {"inputs": [[${width} finite numbers], ...]} with 1..${MAX_ROWS} rows`;
  if (typeof body !== 'object' || body === null) return shape;
  const inputs = (body as { inputs?: unknown }).inputs;
  if (!Array.isArray(inputs) || inputs.length < 1 || inputs.length > MAX_ROWS) return shape;
  const flat = new Float64Array(inputs.length * width);
  for (let r = 0; r < inputs.length; r++) {
    const row: unknown = inputs[r];
    if (!Array.isArray(row) || row.length !== width) return shape;
    for (let c = 0; c < width; c++) {
      const x: unknown = row[c];
      // JSON has no NaN/Infinity literals, but 1e999 parses to Infinity.
      if (typeof x !== 'number' || !Number.isFinite(x)) return shape;
      flat[r * width + c] = x;
    }
  }
  return flat;
}

function round6(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}

export function predict(model: Model, batch: Float64Array): Prediction {
  const { inputs: nIn, hidden: nHid, classes: nOut, w1, b1, w2, b2 } = model;
  const rows = batch.length / nIn;
  const h = new Float64Array(nHid);
  const z = new Float64Array(nOut);
  const classes: number[] = new Array(rows);
  const probabilities: number[][] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * nIn;
    for (let j = 0; j < nHid; j++) {
      let s = b1[j] as number;
      for (let i = 0; i < nIn; i++) s += (batch[base + i] as number) * (w1[i * nHid + j] as number);
      h[j] = s > 0 ? s : 0;
    }
    let max = -Infinity;
    for (let k = 0; k < nOut; k++) {
      let s = b2[k] as number;
      for (let j = 0; j < nHid; j++) s += (h[j] as number) * (w2[j * nOut + k] as number);
      z[k] = s;
      if (s > max) max = s;
    }
    // Subtracting the max keeps exp() from overflowing; the result is unchanged.
    let sum = 0;
    for (let k = 0; k < nOut; k++) {
      const e = Math.exp((z[k] as number) - max);
      z[k] = e;
      sum += e;
    }
    let best = 0;
    const p: number[] = new Array(nOut);
    for (let k = 0; k < nOut; k++) {
      if ((z[k] as number) > (z[best] as number)) best = k; // first maximum wins, as numpy's argmax
      p[k] = round6((z[k] as number) / sum);
    }
    classes[r] = best;
    probabilities[r] = p;
  }
  return { classes, probabilities };
}
