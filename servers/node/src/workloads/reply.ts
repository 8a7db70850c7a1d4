/** What a workload answers, independent of the framework that sends it. */
export interface Reply {
  status: number;
  body: unknown;
}

export function ok(body: unknown): Reply {
  return { status: 200, body };
}

export function fail(status: number, error: string): Reply {
  return { status, body: { error } };
}
