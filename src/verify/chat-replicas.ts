// The chat check across replicas: two or more instances of one stack sharing a broker (Redis) must behave as
// one chat. Members of one room are spread over the replicas (two on each, so that both delivery within a
// process and delivery across processes are exercised; behind node-cluster or uvicorn workers the two may
// also land on different workers), plus one member of another room; a member on each replica sends, and
// every member of the room must get every message exactly once, and the outsider none.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

type Problems = string[];

interface Member {
  port: number;
  label: string;
  ws: WebSocket;
  got: string[];
}

/** Time for every message to arrive, then for a late duplicate or a stray delivery to show up. */
const ARRIVE_MS = 3000;
const SETTLE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function join(port: number, room: string, label: string): Promise<Member | string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat?room=${room}`, {
      handshakeTimeout: 3000,
      perMessageDeflate: false,
    });
    const m: Member = { port, label, ws, got: [] };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      m.got.push(isBinary ? `<binary ${data.length} bytes>` : data.toString('utf8'));
    });
    ws.once('open', () => resolve(m));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      const done = () =>
        resolve(`${label}: upgrade refused with status ${res.statusCode} ${body.slice(0, 120)}`);
      res.on('end', done);
      res.on('error', done);
    });
    ws.once('error', (e) => resolve(`${label}: ${e.message}`));
  });
}

/** What a member got against what it should have: each message once, nothing else. */
function compare(m: Member, sent: Map<string, string>): string | undefined {
  const seen = new Map<string, number>();
  for (const text of m.got) seen.set(text, (seen.get(text) ?? 0) + 1);
  const missed = [...sent.entries()].filter(([text]) => !seen.has(text)).map(([, from]) => from);
  const twice = [...seen.entries()]
    .filter(([text, n]) => sent.has(text) && n > 1)
    .map(([text]) => sent.get(text));
  const stray = [...seen.keys()].filter((text) => !sent.has(text));
  const issues: string[] = [];
  if (missed.length)
    issues.push(`missed the message${missed.length > 1 ? 's' : ''} from ${missed.join(', ')}`);
  if (twice.length) issues.push(`got the message from ${twice.join(', ')} more than once`);
  if (stray.length) issues.push(`got ${stray.length} message(s) nobody sent to its room`);
  return issues.length ? `${m.label}: ${issues.join('; ')}` : undefined;
}

/**
 * `ports`: 2 or more replicas of one stack sharing one Redis. Returns the problems found (none: the
 * replicas make one chat).
 */
export async function checkChatReplicas(ports: number[]): Promise<Problems> {
  if (ports.length < 2) return [`chat across replicas needs 2 or more replicas, got ${ports.length}`];
  const room = `replicas-${randomUUID().slice(0, 8)}`;
  const members: Member[] = [];
  let outsider: Member | undefined;
  try {
    const joins: Promise<Member | string>[] = [];
    ports.forEach((port, r) => {
      for (const k of [1, 2])
        joins.push(join(port, room, `WS /chat on replica ${r + 1} (:${port}) member ${k}`));
    });
    const outsiderJoin = join(ports[0]!, `${room}-other`, `WS /chat?room=${room}-other on :${ports[0]}`);
    const joined = await Promise.all(joins);
    const other = await outsiderJoin;
    const refused = [...joined, other].filter((j): j is string => typeof j === 'string');
    for (const j of joined) if (typeof j !== 'string') members.push(j);
    if (typeof other !== 'string') outsider = other;
    if (refused.length) return refused;

    // One sender per replica (its first member); each message names its sender and is unique to this check.
    const sent = new Map<string, string>();
    ports.forEach((port, r) => {
      const text = `${room} from replica ${r + 1} ${randomUUID()}`;
      sent.set(text, `replica ${r + 1} (:${port})`);
      members[r * 2]!.ws.send(text);
    });
    const until = Date.now() + ARRIVE_MS;
    while (Date.now() < until && members.some((m) => m.got.length < sent.size)) await sleep(10);
    await sleep(SETTLE_MS);

    const problems: Problems = [];
    for (const m of members) {
      const issue = compare(m, sent);
      if (issue) problems.push(issue);
    }
    if (outsider!.got.length)
      problems.push(`${outsider!.label}: got ${outsider!.got.length} message(s) of another room`);
    return problems;
  } finally {
    for (const m of members) m.ws.terminate();
    outsider?.ws.terminate();
  }
}
