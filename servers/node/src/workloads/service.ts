import { fail, ok, type Reply } from './reply.js';

/** The downstream's /item URL, built once; null when the lab gave no downstream. */
export function serviceUrl(base: string | undefined): string | null {
  if (!base) return null;
  return `${base.replace(/\/+$/, '')}/item`;
}

/** Global fetch (undici) keeps a connection pool per origin, so connections are reused across requests. */
export async function serviceReply(url: string | null): Promise<Reply> {
  if (!url) return fail(503, 'downstream not configured: STACKBENCH_DOWNSTREAM is unset');
  try {
    const res = await fetch(url);
    if (!res.ok) {
      await res.body?.cancel();
      return fail(502, `downstream answered ${res.status}`);
    }
    return ok({ service: (await res.json()) as unknown });
  } catch (err) {
    return fail(502, `downstream: ${(err as Error).message}`);
  }
}
