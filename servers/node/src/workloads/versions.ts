import { createRequire } from 'node:module';

/** arquero's version, from its package.json as installed (read once at start). */
export const ARQUERO_VERSION = ((): string => {
  try {
    return (createRequire(import.meta.url)('arquero/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
