// --agents as written, the command each process transport runs (ssh's remote words quoted), and the tcp
// transport for real against `agent --listen` in this process: it serves one coordinator at a time, tells a
// second one so, survives an idle coordinator's disconnect and ends on bye.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Coordinator } from '../../src/dist/coordinator.js';
import { listenAgent } from '../../src/dist/listen.js';
import { parseAgents } from '../../src/dist/transports/index.js';
import { agentArgv } from '../../src/dist/transports/process.js';
import { seqServer } from '../fixtures/seq-server.js';

test('--agents: a count, a list, and what is refused', () => {
  assert.deepEqual(parseAgents('2'), [
    { kind: 'local', target: '' },
    { kind: 'local', target: '' },
  ]);
  assert.deepEqual(parseAgents('local,netns:sb-g1,ssh:bench@gen2,tcp:10.0.0.7:7070,tcp:[::1]:9'), [
    { kind: 'local', target: '' },
    { kind: 'netns', target: 'sb-g1' },
    { kind: 'ssh', target: 'bench@gen2' },
    { kind: 'tcp', target: '10.0.0.7:7070' },
    { kind: 'tcp', target: '[::1]:9' },
  ]);
  for (const bad of ['0', '65', 'ssh:-oProxyCommand=x', 'tcp:host', 'tcp:h:70000', 'netns:', 'udp:x', ','])
    assert.throws(() => parseAgents(bad), /SB_BAD_AGENTS|bad --agents/, bad);
});

test('the command of each process transport; ssh quotes every remote word', () => {
  const local = agentArgv({ kind: 'local', target: '' }, ['10.0.0.5']);
  assert.deepEqual(local.slice(2), ['agent', '--allow-remote', '10.0.0.5']);
  assert.equal(local[0], process.execPath);
  const ns = agentArgv({ kind: 'netns', target: 'g1' }, []);
  assert.deepEqual(ns.slice(0, 4), ['ip', 'netns', 'exec', 'g1']);
  assert.deepEqual(agentArgv({ kind: 'ssh', target: 'gen2' }, ["it's"]), [
    'ssh',
    '-T',
    '-o',
    'BatchMode=yes',
    '-o',
    'ServerAliveInterval=1',
    'gen2',
    `'stackbench' 'agent' '--allow-remote' 'it'\\''s'`,
  ]);
});

test('tcp: a listening agent serves one coordinator at a time and ends on bye', async () => {
  const srv = await seqServer();
  let port = 0;
  let ready: () => void = () => {};
  const listening = new Promise<void>((resolve) => (ready = resolve));
  const exit = listenAgent({
    port: 0,
    host: '127.0.0.1',
    allowRemote: [],
    onListening: (p) => {
      port = p;
      ready();
    },
  });
  try {
    await listening;
    // A coordinator that connects and leaves while the agent is idle: the agent keeps listening.
    const first = await Coordinator.open([{ kind: 'tcp', target: `127.0.0.1:${port}` }]);
    first.peers[0]!.link.channel.close('gone');
    await first.peers[0]!.link.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const c = await Coordinator.open([{ kind: 'tcp', target: `127.0.0.1:${port}` }]);
    try {
      // A second coordinator meanwhile is told the agent is taken.
      const answer = await new Promise<string>((resolve) => {
        const s = connect({ host: '127.0.0.1', port });
        let got = '';
        s.on('data', (d: Buffer) => (got += d.toString()));
        s.on('close', () => resolve(got));
      });
      assert.match(answer, /serves another coordinator/);
      const r = await c.run({
        url: srv.url,
        model: 'open',
        rate: 200,
        connections: 10,
        durationMs: 500,
        threads: 1,
      });
      assert.equal(r.pacing!.intended, 100);
      assert.equal(r.agents![0]!.agent, `tcp:127.0.0.1:${port}`);
    } finally {
      await c.close();
    }
    assert.deepEqual(await exit, { end: 'bye', code: 0 });
  } finally {
    await srv.close();
  }
});
