// One raw HTTP exchange for the verifier: status, headers, body text, time; never hangs (timeout).
import { request } from 'node:http';

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
  /** Set when the exchange failed (connection refused, timeout, reset). */
  error?: string;
}

export function exchange(
  port: number,
  path: string,
  { method = 'GET', body, timeoutMs = 5000 }: { method?: string; body?: string; timeoutMs?: number } = {},
): Promise<Exchange> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = request(
      { host: '127.0.0.1', port, path, method, headers, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - t0,
          }),
        );
        res.on('error', (e) =>
          resolve({ status: 0, headers: {}, body: '', ms: performance.now() - t0, error: e.message }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) =>
      resolve({ status: 0, headers: {}, body: '', ms: performance.now() - t0, error: e.message }),
    );
    req.end(body);
  });
}
