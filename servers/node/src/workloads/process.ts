/** Process plumbing every server shares: listen address from the environment and a clean shutdown. */

export interface Listen {
  host: string;
  port: number;
}

/** Exits 2 with one clear line when a setting is unusable: the lab treats that as bad input. */
export function die(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function positiveInt(raw: string | undefined, max: number): number | null {
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return null;
  const value = Number(raw);
  return value >= 1 && value <= max ? value : null;
}

export function readListen(): Listen {
  const port = positiveInt(process.env.PORT, 65535);
  if (port === null)
    die(`PORT must be set to a port number 1..65535 (got ${JSON.stringify(process.env.PORT ?? null)})`);
  return { host: process.env.HOST || '127.0.0.1', port };
}

export function readWorkers(): number {
  const raw = process.env.WORKERS;
  if (raw === undefined || raw === '') return 1;
  const workers = positiveInt(raw, 1024);
  if (workers === null) die(`WORKERS must be an integer 1..1024 (got ${JSON.stringify(raw)})`);
  return workers;
}

/** Runs `stop` once on SIGTERM/SIGINT, then exits; a stuck stop is cut short so the lab never waits long. */
export function onShutdown(stop: () => Promise<void>, graceMs = 3000): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), graceMs).unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => die(`shutdown failed: ${(err as Error).message}`, 1),
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** Loads start-up state, turning a missing file or bad model into one stderr line and exit 1. */
export function orDie<T>(what: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    return die(`${what}: ${(err as Error).message}`, 1);
  }
}
