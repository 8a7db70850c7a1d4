// The workload registry: what each workload sends and what it tests (docs/WORKLOADS.md is the contract).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SHARED } from './paths.js';

/** The lab's workloads: what every reference stack implements (docs/WORKLOADS.md). */
export const WORKLOAD_IDS = ['json', 'io', 'service', 'db', 'cpu', 'data', 'ml', 'stream', 'chat'] as const;
export type LabWorkloadId = (typeof WORKLOAD_IDS)[number];
/** `compare`'s workload: the user's own requests against the user's own services (results' config.compare). */
export const CUSTOM = 'custom';
export const ALL_WORKLOAD_IDS = [...WORKLOAD_IDS, CUSTOM] as const;
export type WorkloadId = (typeof ALL_WORKLOAD_IDS)[number];

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
  /** http: request/response (stream included: one request, one long response); ws: the WebSocket engine. */
  protocol: 'http' | 'ws';
  /** What one counted unit is, for tables: "req" (a response), "stream" (a whole stream), "msg" (a delivery). */
  unit: 'req' | 'stream' | 'msg';
  /** The latency a perfect server would still show (a stream's length): capacity allows SLO + this. */
  floorMs: number;
  /**
   * The claim it tests is about concurrency (waiting requests, streams, chat): capacity under the SLO is its
   * measure, searched in every suite. The others are judged by throughput; only the full suite searches them.
   */
  concurrency: boolean;
  /**
   * How the capacity search starts: 'near' the closed-loop figure (+25 % a step), or 'climb' doubling from it —
   * for workloads whose closed loop is capped far below the ceiling (a stream's length, chat's fixed rate).
   */
  search: 'near' | 'climb';
}

let mlBatch: string | undefined;
export function mlBatchBody(): string {
  mlBatch ??= readFileSync(resolve(SHARED, 'ml-batch.json'), 'utf8').trim();
  return mlBatch;
}

const HTTP = { protocol: 'http', unit: 'req', floorMs: 0, concurrency: false, search: 'near' } as const;
const WAITING = { ...HTTP, concurrency: true } as const;

/** The stream workload's shape: 5 events, 50 ms apart, so a perfect server takes 250 ms per stream. */
export const STREAM_EVENTS = 5;
export const STREAM_INTERVAL_MS = 50;
/** The chat workload's shape: clients split over 8 rooms; 250 messages/s in total at the headline. */
export const CHAT_ROOMS = 8;
export const CHAT_RATE = 250;

export const WORKLOADS: Record<WorkloadId, WorkloadDef> = {
  json: { id: 'json', method: 'GET', path: '/json', tests: 'raw performance', ...HTTP },
  io: { id: 'io', method: 'GET', path: '/io?ms=20', tests: 'concurrent I/O', ...WAITING },
  service: {
    id: 'service',
    method: 'GET',
    path: '/service',
    needs: 'downstream',
    tests: 'microservices',
    ...WAITING,
  },
  db: { id: 'db', method: 'GET', path: '/db', needs: 'postgres', tests: 'I/O with a database', ...WAITING },
  cpu: {
    id: 'cpu',
    method: 'GET',
    path: '/cpu?n=10000',
    tests: 'single-thread CPU / event-loop blocking',
    ...HTTP,
  },
  data: { id: 'data', method: 'GET', path: '/data?rows=50000', tests: 'data-heavy work', ...HTTP },
  ml: { id: 'ml', method: 'POST', path: '/ml', body: mlBatchBody, tests: 'ML-driven logic', ...HTTP },
  stream: {
    id: 'stream',
    method: 'GET',
    path: `/stream?n=${STREAM_EVENTS}&interval=${STREAM_INTERVAL_MS}`,
    tests: 'live streaming',
    protocol: 'http',
    unit: 'stream',
    floorMs: STREAM_EVENTS * STREAM_INTERVAL_MS,
    concurrency: true,
    search: 'climb',
  },
  custom: {
    id: 'custom',
    method: 'GET',
    path: '/',
    tests: 'your requests',
    // A user's service may wait on anything: capacity within the SLO is searched, as for the waiting workloads.
    ...WAITING,
  },
  chat: {
    id: 'chat',
    method: 'GET',
    path: '/chat',
    tests: 'real-time chat',
    protocol: 'ws',
    unit: 'msg',
    floorMs: 0,
    concurrency: true,
    search: 'climb',
  },
};
