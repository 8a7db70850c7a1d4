// A private PostgreSQL for the db workload: its own data folder and loopback port, created and removed by the
// lab. PostgreSQL refuses to run as root, so as root the lab runs it as the unprivileged `postgres` user
// (or `nobody`); it never touches a system-wide cluster.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { StackbenchError } from '../errors.js';
import { start, type Managed } from '../machine/process.js';

export const WORLD_ROWS = 10_000;
/** The row contents are a function of the id, so any answer can be checked. */
export const randomNumberOf = (id: number) => ((id * 7919) % 10_000) + 1;

export interface PgFound {
  ok: boolean;
  bin?: string;
  version?: string;
  missing?: string;
  fix?: string;
}

export function findPostgres(): PgFound {
  return findPostgresIn(postgresDirs());
}

/** STACKBENCH_PG_BIN alone when set; else pg_config's bindir and Debian's versioned folders, newest first. */
function postgresDirs(): string[] {
  if (process.env.STACKBENCH_PG_BIN) return [process.env.STACKBENCH_PG_BIN];
  const dirs: string[] = [];
  const cfg = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (cfg.status === 0) dirs.push(cfg.stdout.trim());
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    for (const v of versions) dirs.push(`/usr/lib/postgresql/${v}/bin`);
  }
  return dirs;
}

function findPostgresIn(dirs: string[]): PgFound {
  for (const bin of dirs) {
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) {
      const v = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
      return { ok: true, bin, version: v.stdout.trim().replace(/^postgres \(PostgreSQL\) /, '') };
    }
  }
  return {
    ok: false,
    missing: 'no PostgreSQL server binaries (initdb, postgres) found',
    fix: 'stackbench setup --yes   (on Debian: apt-get install postgresql)',
  };
}

function runAs(): { user?: string; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  for (const user of ['postgres', 'nobody']) {
    const u = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (u.status === 0 && g.status === 0) return { user, uid: Number(u.stdout), gid: Number(g.stdout) };
  }
  throw new StackbenchError('SB_POSTGRES_MISSING', [
    'running as root and no unprivileged user (postgres, nobody) to run it as',
  ]);
}

function waitExit(m: Managed): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () =>
      m.exitCode === 0
        ? resolve()
        : reject(
            new Error(`${m.name} failed (${m.exitSignal ?? m.exitCode}): ${m.log().slice(-5).join(' / ')}`),
          );
    if (m.exited) done();
    else m.child.once('exit', () => setImmediate(done));
  });
}

export interface PgInstance {
  url: string;
  port: number;
  version: string;
  stop(): Promise<void>;
}

export async function startPostgres(
  port: number,
  cpus: number[] | undefined,
  signal?: AbortSignal,
): Promise<PgInstance> {
  const found = findPostgres();
  if (!found.ok) throw new StackbenchError('SB_POSTGRES_MISSING', [found.missing!]);
  const who = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'stackbench-pg-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  if (who.uid !== undefined) chownSync(dir, who.uid, who.gid!);
  const data = join(dir, 'data');
  let server: Managed | undefined;
  try {
    const init = start({
      name: 'initdb',
      cmd: join(found.bin!, 'initdb'),
      args: ['-D', data, '-U', 'stackbench', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      user: who.user,
    });
    await waitExit(init);
    server = start({
      name: 'postgres',
      cmd: join(found.bin!, 'postgres'),
      args: [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'max_connections=400',
        // A throwaway read-mostly database: durability settings off, like TechEmpower's tuned configs.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      user: who.user,
      cpus,
      stopSignal: 'SIGINT', // fast shutdown: does not wait for clients
    });
    await waitConnect(server, port, signal);
    await seed(port);
  } catch (e) {
    await server?.stop();
    removeDir();
    if (e instanceof StackbenchError) throw e;
    throw new StackbenchError('SB_POSTGRES_MISSING', [
      `could not start a private PostgreSQL: ${(e as Error).message}`,
    ]);
  }
  const srv = server;
  return {
    url: `postgresql://stackbench@127.0.0.1:${port}/stackbench`,
    port,
    version: found.version!,
    stop: async () => {
      await srv.stop(10_000);
      removeDir();
      process.removeListener('exit', removeDir);
    },
  };
}

async function waitConnect(server: Managed, port: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (signal?.aborted) throw new StackbenchError('SB_INTERRUPTED');
    if (server.exited) throw new Error(`postgres exited: ${server.log().slice(-5).join(' / ')}`);
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'stackbench', database: 'postgres' });
    try {
      await c.connect();
      await c.end();
      return;
    } catch (e) {
      await c.end().catch(() => {});
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function seed(port: number): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'stackbench', database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE stackbench');
  await admin.end();
  const db = new pg.Client({ host: '127.0.0.1', port, user: 'stackbench', database: 'stackbench' });
  await db.connect();
  await db.query('CREATE TABLE world (id integer PRIMARY KEY, randomnumber integer NOT NULL)');
  await db.query(
    `INSERT INTO world SELECT i, ((i * 7919) % 10000) + 1 FROM generate_series(1, ${WORLD_ROWS}) AS i`,
  );
  await db.query('ANALYZE world');
  await db.end();
}
