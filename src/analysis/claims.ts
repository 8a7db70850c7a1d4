// The article's claims as data: its own words (exact quotes), the measurements that test each, and the rule that
// decides (src/analysis/verdicts.ts). Source: "Node.js vs Python Scalability: Choosing the Right Backend Tech",
// JinkTeam, September 21, 2025.
import type { WorkloadId } from '../workloads.js';

export type RuleId = 'node-wins' | 'python-wins' | 'wsgi-concurrency' | 'scaling';

export interface ClaimTest {
  workload: WorkloadId;
  /** rps: closed-loop throughput (speed, cost); capacity: highest rate within the SLO (concurrency). */
  metric: 'rps' | 'capacity';
}

export interface Claim {
  id: string;
  /** The article's section heading. */
  section: string;
  /** The article's words, exactly (curly apostrophes included). */
  quotes: string[];
  /** The claim restated as something a measurement can decide. */
  testable: string;
  tests: ClaimTest[];
  rule: RuleId;
}

const rps = (...ws: WorkloadId[]): ClaimTest[] => ws.map((workload) => ({ workload, metric: 'rps' }));
const capacity = (...ws: WorkloadId[]): ClaimTest[] =>
  ws.map((workload) => ({ workload, metric: 'capacity' }));

export const CLAIMS: Claim[] = [
  {
    id: 'raw-performance',
    section: 'Performance & Speed',
    quotes: [
      'Python is powerful but traditionally slower because it’s single-threaded',
      'Winner for raw performance: Node.js',
    ],
    testable:
      'the best Node.js stack serves more requests per second than every Python stack on the plain JSON endpoint',
    tests: rps('json'),
    rule: 'node-wins',
  },
  {
    id: 'concurrent-io',
    section: 'Performance & Speed',
    quotes: [
      'Node.js uses a non-blocking, event-driven architecture, which makes it extremely good at handling many requests at the same time.',
      'not as optimized for real-time I/O',
    ],
    testable:
      'with requests that wait on I/O (a timer, a downstream service, a database), the best Node.js stack sustains a higher rate within the latency SLO than every Python stack',
    tests: capacity('io', 'service', 'db'),
    rule: 'node-wins',
  },
  {
    id: 'horizontal-scaling',
    section: 'Scalability Approach',
    quotes: [
      'Node.js is ideal for horizontal scaling — you can spin up multiple instances and balance traffic easily.',
      'Winner for easy scaling: Node.js',
    ],
    testable:
      'adding replicas behind a balancer, each with an equal CPU budget, multiplies capacity within the SLO more for the best Node.js stack than for the best Python stack (scaling efficiency E(N) = C(N) / (N x C(1)))',
    tests: capacity('json', 'io', 'db', 'chat'),
    rule: 'scaling',
  },
  {
    id: 'python-needs-wsgi',
    section: 'Scalability Approach',
    quotes: [
      'Python can scale too, but you’ll usually rely on frameworks like Django/Flask + WSGI servers to manage concurrency and scaling.',
    ],
    testable:
      "a Python stack's concurrency on waiting requests is what its WSGI server's workers and threads provide, and no other Python server model does better",
    tests: capacity('io'),
    rule: 'wsgi-concurrency',
  },
  {
    id: 'microservices',
    section: 'Scalability Approach',
    quotes: [
      'Perfect for microservices',
      'Choose Node.js if you need real-time performance, microservices, or a highly concurrent system.',
    ],
    testable:
      'a service that calls another service over HTTP: the best Node.js stack sustains a higher rate within the SLO than every Python stack',
    tests: capacity('service'),
    rule: 'node-wins',
  },
  {
    id: 'realtime-chat-streaming',
    section: 'Scalability Approach',
    quotes: ['real-time apps like chat or live streaming'],
    testable:
      'the best Node.js stack sustains a higher rate within the SLO than every Python stack on server-sent event streams (streams per second) and on WebSocket chat (messages delivered per second); a stack that cannot serve the workload at all loses it',
    tests: capacity('stream', 'chat'),
    rule: 'node-wins',
  },
  {
    id: 'data-heavy',
    section: 'Ecosystem & Libraries',
    quotes: [
      'Python shines in AI, ML, and data-heavy workloads thanks to libraries like TensorFlow, Pandas, and NumPy.',
      'Winner for data-heavy apps: Python',
    ],
    testable:
      'a group-by aggregation over 50,000 rows: the best Python stack (pandas) serves more requests per second than every Node.js stack',
    tests: rps('data'),
    rule: 'python-wins',
  },
  {
    id: 'ml-logic',
    section: 'Final Thoughts',
    quotes: ['If your focus is on data processing or ML-driven logic, Python is the safer bet.'],
    testable:
      'inference of a small MLP on a 64-row batch: the best Python stack (NumPy) serves more requests per second than every Node.js stack',
    tests: rps('ml'),
    rule: 'python-wins',
  },
  {
    id: 'heavy-computation',
    section: 'Verdict',
    quotes: [
      'Choose Python if your app involves AI, machine learning, data processing, or heavy computation, and you’re okay with adding extra layers for scaling.',
    ],
    testable:
      'a pure-language CPU loop (primes by trial division): the best Python stack serves more requests per second than every Node.js stack',
    tests: rps('cpu'),
    rule: 'python-wins',
  },
  {
    id: 'speed-and-concurrency',
    section: 'Final Thoughts',
    quotes: ['If speed and concurrency matter most, Node.js is hard to beat.'],
    testable:
      'the best Node.js stack beats every Python stack both on speed (JSON throughput) and on concurrency (I/O capacity within the SLO)',
    tests: [...rps('json'), ...capacity('io')],
    rule: 'node-wins',
  },
];
