// A request is serialized once, before the run, into one Buffer; every send is a single socket.write of one.
// A mix is a pool of these (../pool.ts), never serialized again while load runs.
import type { Target } from '../target.js';
import type { HttpMethod } from '../types.js';

export interface RequestSpec {
  method: HttpMethod;
  /** The request target (path and query); default the URL's. */
  path?: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

/** Methods whose requests carry a body by definition: they get a Content-Length even when empty. */
const WITH_BODY = new Set<HttpMethod>(['POST', 'PUT', 'PATCH']);

export function serializeRequest(target: Target, spec: RequestSpec): Buffer {
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  const lower = new Set(Object.keys(spec.headers).map((h) => h.toLowerCase()));
  const lines = [`${spec.method} ${spec.path ?? target.path} HTTP/1.1`];
  if (!lower.has('host')) lines.push(`Host: ${target.hostHeader}`);
  if (!lower.has('user-agent')) lines.push('User-Agent: stackbench');
  if (!lower.has('accept')) lines.push('Accept: */*');
  for (const [name, value] of Object.entries(spec.headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`header ${name} contains a line break`);
    lines.push(`${name}: ${value}`);
  }
  if ((body !== undefined || WITH_BODY.has(spec.method)) && !lower.has('content-length')) {
    lines.push(`Content-Length: ${body?.length ?? 0}`);
  }
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
  return body === undefined ? head : Buffer.concat([head, body]);
}
