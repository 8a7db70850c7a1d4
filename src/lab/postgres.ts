// A private PostgreSQL for the db workload: its own data folder and loopback port, created and removed by the
// lab. PostgreSQL refuses to run as root, so as root the lab runs it as the unprivileged `postgres` user
// (or `nobody`); it never touches a system-wide cluster.
//
// Private means private: every connection needs a password (SCRAM) made for this run and known only to it —
// the superuser's, used by the lab alone to create the table, and the application role's, handed to the stacks,
// which may read the table and nothing more (not a superuser: no COPY ... TO PROGRAM). The Unix socket sits in
// the run's 0700 folder; TCP listens on 127.0.0.1 only.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { StackbenchError } from '../errors.js';
import { start, type Managed } from '../machine/process.js';
import { makeScratch } from '../machine/scratch.js';

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
  /** What the stacks get (STACKBENCH_PG): the application role, with its password. */
  url: string;
  port: number;
  version: string;
  /** The postmaster: the lab watches it (a database that dies mid-run is named, not blamed on the stacks). */
  proc: Managed;
  stop(): Promise<void>;
}

/** The application role the stacks connect as: it may read `world`, nothing more. */
export const APP_ROLE = 'stackbench_app';
export const SUPERUSER = 'stackbench';
/** The server's settings, here and in a cluster (src/kube/): scram passwords, room for every pool. */
export const PG_SETTINGS = [
  'password_encryption=scram-sha-256',
  'max_connections=400',
  // A throwaway read-mostly database: durability settings off, like TechEmpower's tuned configs.
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
];
const secret = () => randomBytes(18).toString('hex');

export async function startPostgres(
  port: number,
  cpus: number[] | undefined,
  signal?: AbortSignal,
): Promise<PgInstance> {
  const found = findPostgres();
  if (!found.ok) throw new StackbenchError('SB_POSTGRES_MISSING', [found.missing!]);
  const who = runAs();
  const scratch = makeScratch('pg');
  const dir = scratch.dir;
  if (who.uid !== undefined) chownSync(dir, who.uid, who.gid!);
  const data = join(dir, 'data');
  const admin = { user: SUPERUSER, password: secret() };
  const app = { user: APP_ROLE, password: secret() };
  let server: Managed | undefined;
  try {
    // The superuser's password reaches initdb through a file only the postgres user can read, removed after.
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${admin.password}\n`, { mode: 0o600 });
    if (who.uid !== undefined) chownSync(pwfile, who.uid, who.gid!);
    const init = start({
      name: 'initdb',
      cmd: join(found.bin!, 'initdb'),
      args: [
        '-D',
        data,
        '-U',
        SUPERUSER,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      user: who.user,
    });
    try {
      await waitExit(init);
    } finally {
      rmSync(pwfile, { force: true });
    }
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
        ...PG_SETTINGS.flatMap((setting) => ['-c', setting]),
      ],
      user: who.user,
      cpus,
      stopSignal: 'SIGINT', // fast shutdown: does not wait for clients
    });
    await waitConnect(server, port, admin, signal);
    await seed(port, admin, app);
  } catch (e) {
    await server?.stop();
    scratch.remove();
    if (e instanceof StackbenchError) throw e;
    throw new StackbenchError('SB_POSTGRES_MISSING', [
      `could not start a private PostgreSQL: ${(e as Error).message}`,
    ]);
  }
  const srv = server;
  return {
    url: `postgresql://${APP_ROLE}:${app.password}@127.0.0.1:${port}/stackbench`,
    port,
    version: found.version!,
    proc: srv,
    stop: async () => {
      await srv.stop(10_000);
      scratch.remove();
    },
  };
}

interface Login {
  user: string;
  password: string;
}

async function waitConnect(server: Managed, port: number, login: Login, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (signal?.aborted) throw new StackbenchError('SB_INTERRUPTED');
    if (server.exited) throw new Error(`postgres exited: ${server.log().slice(-5).join(' / ')}`);
    const c = new pg.Client({ host: '127.0.0.1', port, ...login, database: 'postgres' });
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

/**
 * The seed, as statements: the application role and the database (run in `postgres`), then the `world` table
 * and the grants (run in `stackbench`). `password` is an SQL expression: a quoted literal here, a psql variable
 * in a cluster's init script (src/kube/), so both seed the same rows with the same rights.
 */
export function seedStatements(password: string): { postgres: string[]; stackbench: string[] } {
  return {
    postgres: [
      `CREATE ROLE ${APP_ROLE} LOGIN PASSWORD ${password} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION`,
      'CREATE DATABASE stackbench',
    ],
    stackbench: [
      'CREATE TABLE world (id integer PRIMARY KEY, randomnumber integer NOT NULL)',
      `INSERT INTO world SELECT i, ((i * 7919) % 10000) + 1 FROM generate_series(1, ${WORLD_ROWS}) AS i`,
      'ANALYZE world',
      'REVOKE ALL ON DATABASE stackbench FROM PUBLIC',
      'REVOKE CREATE ON SCHEMA public FROM PUBLIC',
      `GRANT CONNECT ON DATABASE stackbench TO ${APP_ROLE}`,
      `GRANT SELECT ON world TO ${APP_ROLE}`,
    ],
  };
}

async function seed(port: number, admin: Login, app: Login): Promise<void> {
  // The password is ours (hex), so it can sit in the statement; nothing here is logged.
  const sql = seedStatements(`'${app.password}'`);
  for (const database of ['postgres', 'stackbench'] as const) {
    const c = new pg.Client({ host: '127.0.0.1', port, ...admin, database });
    await c.connect();
    for (const statement of sql[database]) await c.query(statement);
    await c.end();
  }
}
