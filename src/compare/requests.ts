// What compare sends: one request, or a weighted mix with per-request values (config file). Here: the request
// a target is checked with before any load (each placeholder filled with its first value), and the engine's
// options for a target.
import { request } from 'node:http';
import type { LoadOptions } from '../engine/types.js';
import type { CompareConfig, CompareRequest } from '../results/types.js';

type Values = CompareConfig['values'];

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The request with every {name} filled by the first value of its source (a range's low end, a list's first). */
export function firstRequest(r: CompareRequest, values: Values = {}): CompareRequest {
  const fill = (text: string) =>
    text.replace(PLACEHOLDER, (all, name: string) => {
      const v = values?.[name];
      if (!v) return all;
      return 'range' in v ? String(v.range[0]) : (v.list[0] ?? '');
    });
  return { ...r, path: fill(r.path), ...(r.body !== undefined ? { body: fill(r.body) } : {}) };
}

/** One request, as the engine would send it: its status and the start of its body, or why it got none. */
export function probeRequest(
  t: { host: string; port: number; hostHeader: string },
  r: CompareRequest,
  timeoutMs = 5000,
): Promise<{ status: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const body = r.body ?? '';
    const req = request(
      {
        host: t.host,
        port: t.port,
        path: r.path,
        method: r.method,
        agent: false,
        timeout: timeoutMs,
        headers: {
          host: t.hostHeader,
          ...(r.body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}),
          ...r.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text = (text + c).slice(0, 200)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.trim().replace(/\s+/g, ' ') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({
        status: 0,
        body: '',
        error:
          e.code === 'ECONNREFUSED'
            ? 'refused the connection'
            : e.message === 'timeout'
              ? `did not answer within ${timeoutMs / 1000} s`
              : `failed (${e.code ?? e.message})`,
      }),
    );
    if (r.body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * The engine's options for a target: one request as the URL's own, or the mix (the engine then takes host and
 * port from the URL and each request's path, so a URL target's base path is put in front of each).
 */
export function requestOptions(
  origin: string,
  requests: CompareRequest[],
  values: Values,
): Pick<LoadOptions, 'url' | 'method' | 'headers' | 'body' | 'requests' | 'values'> {
  const u = new URL(origin);
  const prefix = u.pathname.replace(/\/+$/, '');
  const [only] = requests;
  if (requests.length === 1 && only && !values && (only.method === 'GET' || only.method === 'POST'))
    return {
      url: `${u.protocol}//${u.host}${prefix}${only.path}`,
      method: only.method,
      headers: only.headers ?? {},
      ...(only.body !== undefined ? { body: only.body } : {}),
    };
  return {
    url: `${u.protocol}//${u.host}/`,
    requests: requests.map((r) => ({
      name: r.name,
      method: r.method,
      path: prefix + r.path,
      weight: r.weight,
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.body !== undefined ? { body: r.body } : {}),
    })),
    ...(values ? { values } : {}),
  };
}
