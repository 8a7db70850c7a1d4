// The lab's PostgreSQL is private: nobody connects without the run's password (another local user neither by
// TCP nor by the socket), the stacks' role reads `world` and can do nothing a superuser could, it listens on
// 127.0.0.1 only, and its folder is gone after stop — or swept by the next run when a run was SIGKILLed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { findPostgres, startPostgres, type PgInstance } from '../../src/lab/postgres.js';
import { freePort } from '../../src/machine/net.js';
import { sweepStale } from '../../src/machine/scratch.js';
import { ROOT } from '../helpers/cli.js';

function needPostgres(): void {
  const found = findPostgres();
  if (!found.ok) throw new Error(`${found.missing}: ${found.fix}`);
}

/** psql as the unprivileged user `nobody`, with no password in its environment. */
function psqlAsNobody(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(
    'runuser',
    ['-u', 'nobody', '--', 'psql', '-w', '-X', '-At', ...args, '-c', 'SELECT 1'],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      timeout: 10_000,
    },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('the lab PostgreSQL', () => {
  let db: PgInstance;
  let dir: string;
  before(async () => {
    needPostgres();
    db = await startPostgres(await freePort(), undefined);
    dir = readdirSync(tmpdir())
      .map((n) => join(tmpdir(), n))
      .find((d) => d.includes(`stackbench-pg-${process.pid}-`))!;
  });
  after(async () => {
    await db?.stop();
  });

  it('lets nobody in without the password, by TCP or by socket', async () => {
    if (process.getuid?.() !== 0)
      throw new Error('this test runs as root (CI does): it becomes another user');
    for (const user of ['stackbench', 'stackbench_app', 'postgres']) {
      const tcp = psqlAsNobody(['-h', '127.0.0.1', '-p', String(db.port), '-U', user, '-d', 'stackbench']);
      assert.notEqual(tcp.status, 0, tcp.out);
      assert.match(tcp.out, /password|authentication/i, tcp.out);
      const sock = psqlAsNobody(['-h', dir, '-p', String(db.port), '-U', user, '-d', 'stackbench']);
      assert.notEqual(sock.status, 0, sock.out);
    }
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'the socket folder is private');
    // Without a password, even as root through TCP:
    const c = new pg.Client({ host: '127.0.0.1', port: db.port, user: 'stackbench', database: 'stackbench' });
    await assert.rejects(c.connect());
    await c.end().catch(() => {});
  });

  it('hands the stacks a role that reads world and nothing more', async () => {
    const url = new URL(db.url);
    assert.equal(url.hostname, '127.0.0.1');
    assert.ok(url.password.length >= 24, 'a fresh password');
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const rows = await c.query('SELECT count(*)::int AS n FROM world');
      assert.equal(rows.rows[0].n, 10_000);
      const role = await c.query(
        'SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user',
      );
      assert.deepEqual(role.rows[0], { rolsuper: false, rolcreatedb: false, rolcreaterole: false });
      await assert.rejects(
        c.query("COPY (SELECT 1) TO PROGRAM 'true'"),
        /permission denied|must be superuser/,
      );
      await assert.rejects(c.query('CREATE TABLE mine (x int)'), /permission denied/);
      await assert.rejects(c.query('DELETE FROM world'), /permission denied/);
      const listen = await c.query('SHOW listen_addresses').catch(() => undefined);
      if (listen) assert.equal(listen.rows[0].listen_addresses, '127.0.0.1');
    } finally {
      await c.end();
    }
  });
});

describe('scratch folders of a SIGKILLed run', () => {
  it('are swept by the next run when their owner is gone, and only then', async () => {
    // A process that makes a scratch folder and is then SIGKILLed: it cannot clean up after itself.
    const code = `import('${join(ROOT, 'dist/src/machine/scratch.js')}').then((m) => {
      const s = m.makeScratch('pg'); console.log(s.dir); setInterval(() => {}, 1000); });`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const dir = await new Promise<string>((res) =>
      child.stdout!.once('data', (d: Buffer) => res(d.toString().trim())),
    );
    assert.ok(existsSync(dir));
    assert.deepEqual(
      sweepStale().filter((d) => d === dir),
      [],
      'kept while its owner lives',
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(existsSync(dir), 'left behind by the kill');
    assert.ok(sweepStale().includes(dir), 'swept once its owner is gone');
    assert.ok(!existsSync(dir));
  });
});
