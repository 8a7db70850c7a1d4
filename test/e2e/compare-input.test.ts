// stackbench compare's bad input end to end: every kind of bad target (a command that exits, a port nothing
// listens on, a service that answers 503, a config naming none) is one message naming it and exit 2, with
// nothing left running. Apart from compare.test.ts, which measures and runs alone (scripts/test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leftovers, runCli } from '../helpers/cli.js';
import { urlService } from '../helpers/wait-service.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sb-compare-'));

test(
  'compare: each bad target is one message naming it, exit 2, nothing left running',
  { timeout: 120_000 },
  async () => {
    const five = await urlService(0, 503);
    try {
      const cases: Array<[string[], RegExp]> = [
        [
          [`a=sh -c "echo boom; exit 3" {port}`],
          /target "a" exited \(code 3\) before answering.*\n\s+\| boom/,
        ],
        [
          ['a=sleep 30 {port}', '--ready-timeout', '1s'],
          /target "a" did not answer on 127\.0\.0\.1:\d+\/ within 1 s/,
        ],
        [
          [
            `a=${process.execPath} -e "require('http').createServer((q,s)=>s.end()).listen(0,'127.0.0.1')" {port}`,
          ],
          /target "a" listens on \d+, not on the port it was given \(\d+\)/,
        ],
        [
          ['a=http://127.0.0.1:9/'],
          /target "a" refused the connection at 127\.0\.0\.1:9 \(GET \/\) — check that the service runs/,
        ],
        [[`a=${five.url}`], /target "a" answered 503 to GET \//],
        [['a=http://10.9.8.7/'], /SB_REMOTE_TARGET.*--allow-remote 10\.9\.8\.7/],
        [['a=http://127.0.0.1:9/', 'a=http://127.0.0.1:9/'], /target "a": two targets have this name/],
        [['a=node server.js'], /target "a": the command "node server.js" has no \{port\}/],
      ];
      // The cases are independent (each its own folder and ports): run at once, they take the slowest's time.
      const runs = await Promise.all(
        cases.map(([args]) =>
          runCli(['compare', ...args, '-d', '200ms', '--reps', '1', '--probes', '0', '--out', tmp()]),
        ),
      );
      for (const [i, [args, expected]] of cases.entries()) {
        const r = runs[i]!;
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, expected);
        assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error[')).length, 1, r.stderr);
        assert.deepEqual(leftovers(r.runId), [], args.join(' '));
      }
      const dir = tmp();
      writeFileSync(
        join(dir, 'stackbench.config.json'),
        JSON.stringify({ targets: { a: { command: 'x' } }, slo: 'fast' }),
      );
      const bad = await runCli(['compare', '--config', join(dir, 'stackbench.config.json'), '--out', tmp()]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /SB_BAD_CONFIG.*2 problems: .*targets\.a\.command.*\{port\}.*slo/);
    } finally {
      five.stop();
    }
  },
);
