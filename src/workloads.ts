// The workload registry: what each workload sends and what it tests (docs/WORKLOADS.md is the contract).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SHARED } from './paths.js';

export const WORKLOAD_IDS = ['json', 'io', 'service', 'db', 'cpu', 'data', 'ml'] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

export interface WorkloadDef {
  id: WorkloadId;
  method: 'GET' | 'POST';
  /** Path with the default parameters used by verify and load. */
  path: string;
  /** Request body (POST), read lazily. */
  body?: () => string;
  /** Lab service it needs besides the stack. */
  needs?: 'postgres' | 'downstream';
  /** What it tests, in the article's terms. */
  tests: string;
}

let mlBatch: string | undefined;
export function mlBatchBody(): string {
  mlBatch ??= readFileSync(resolve(SHARED, 'ml-batch.json'), 'utf8').trim();
  return mlBatch;
}

export const WORKLOADS: Record<WorkloadId, WorkloadDef> = {
  json: { id: 'json', method: 'GET', path: '/json', tests: 'raw performance' },
  io: { id: 'io', method: 'GET', path: '/io?ms=20', tests: 'concurrent I/O' },
  service: { id: 'service', method: 'GET', path: '/service', needs: 'downstream', tests: 'microservices' },
  db: { id: 'db', method: 'GET', path: '/db', needs: 'postgres', tests: 'I/O with a database' },
  cpu: { id: 'cpu', method: 'GET', path: '/cpu?n=10000', tests: 'single-thread CPU / event-loop blocking' },
  data: { id: 'data', method: 'GET', path: '/data?rows=50000', tests: 'data-heavy work' },
  ml: { id: 'ml', method: 'POST', path: '/ml', body: mlBatchBody, tests: 'ML-driven logic' },
};
