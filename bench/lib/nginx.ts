// nginx from Debian answering `return 200` on every path: one worker, no master, pinned, config and logs in a
// temp dir. The fastest trivial server here, so the generator is what gets measured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './net.js';
import { pinnedArgv } from './proc.js';
import { spawn } from 'node:child_process';

export interface Nginx {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `host`: where it listens (default 127.0.0.1; bench/agents.ts: a test bridge's address). */
export async function startNginx(core: number, host = '127.0.0.1'): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-nginx-'));
  const port = await freePort();
  const conf = `
worker_processes 1;
master_process off;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir};
  scgi_temp_path ${dir};
  server {
    listen ${host}:${port} backlog=4096;
    location / { return 200; }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  // nginx prints nothing when ready, so poll the port. exec keeps the pid: the child is nginx itself.
  const child = spawn(
    'bash',
    pinnedArgv(core, ['nginx', '-e', `${dir}/error.log`, '-c', join(dir, 'nginx.conf'), '-p', dir]),
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await waitForPort(port, 10_000, host);
  return {
    url: `http://${host}:${port}/`,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(force);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
