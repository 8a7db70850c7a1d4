// One catalog of user-facing errors (after fastify's errors.js and k6's errext): each has a code, an exit
// code, a message naming the problem and a hint naming the fix. Code throws StackbenchError; the CLI prints
// one line and exits with `exit`.

export const ExitCode = { ok: 0, failure: 1, badInput: 2, threshold: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

interface ErrorSpec {
  exit: ExitCode;
  message: (...args: string[]) => string;
  hint: (...args: string[]) => string;
}

const catalog = {
  SB_UNKNOWN_COMMAND: {
    exit: 2,
    message: (c) => `unknown command "${c}"`,
    hint: () => 'run `stackbench --help` for the list of commands',
  },
  SB_BAD_FLAG: {
    exit: 2,
    message: (detail) => detail,
    hint: (cmd) => `run \`stackbench ${cmd} --help\` for its flags`,
  },
  SB_UNKNOWN_STACK: {
    exit: 2,
    message: (s) => `unknown stack "${s}"`,
    hint: (known) => `choose from: ${known}`,
  },
  SB_UNKNOWN_WORKLOAD: {
    exit: 2,
    message: (w) => `unknown workload "${w}"`,
    hint: (known) => `choose from: ${known}`,
  },
  SB_UNKNOWN_SUITE: {
    exit: 2,
    message: (s) => `unknown suite "${s}"`,
    hint: () => 'use --suite quick or --suite full',
  },
  SB_BAD_URL: {
    exit: 2,
    message: (u, why) => `bad URL "${u}": ${why}`,
    hint: () => 'give a full URL such as http://127.0.0.1:3000/json (ws:// for --ws)',
  },
  SB_REMOTE_TARGET: {
    exit: 2,
    message: (host) => `refusing to send load to "${host}": only loopback targets are allowed by default`,
    hint: (host) => `if you own that host, pass --allow-remote ${host}`,
  },
  SB_REMOTE_RESOLVED: {
    exit: 2,
    message: (host, address) =>
      `refusing to send load to "${host}": it resolves to ${address}, which is not loopback`,
    hint: (host) => `if you own that host, pass --allow-remote ${host}`,
  },
  SB_BAD_MIX: {
    exit: 2,
    message: (why) => `bad request mix: ${why}`,
    hint: (fix) => fix,
  },
  SB_BAD_DURATION: {
    exit: 2,
    message: (d) => `bad duration "${d}"`,
    hint: () => 'use a number with a unit, such as 500ms, 10s or 2m (at most 1h)',
  },
  SB_BAD_NUMBER: {
    exit: 2,
    message: (flag, v, range) => `bad value "${v}" for ${flag}: expected ${range}`,
    hint: (flag) => `pass ${flag} with a value in that range`,
  },
  SB_BAD_CPUS: {
    exit: 2,
    message: (why) => `bad --server-cpus / --generator-cpus: ${why}`,
    hint: (all) => `choose disjoint cores among ${all}, e.g. --server-cpus 1 --generator-cpus 0`,
  },
  SB_SCALING_UNAVAILABLE: {
    exit: 2,
    message: (why) => `the scaling study cannot run here: ${why}`,
    hint: (fix) =>
      `${fix} (\`stackbench setup --yes\` installs the packages), or run without --scaling only / --replicas`,
  },
  SB_PORT_IN_USE: {
    exit: 2,
    message: (port) => `port ${port} on 127.0.0.1 is already in use`,
    hint: () => 'stop what listens there, or let stackbench pick a free port (omit --port)',
  },
  SB_PYTHON_MISSING: {
    exit: 2,
    message: (what) => `Python stacks unavailable: ${what}`,
    hint: () => 'run `stackbench setup --yes` (or see `stackbench doctor` for the exact commands)',
  },
  SB_POSTGRES_MISSING: {
    exit: 2,
    message: (what) => `PostgreSQL unavailable: ${what}`,
    hint: () => 'run `stackbench setup --yes` (on Debian: apt-get install postgresql)',
  },
  SB_OUT_NOT_WRITABLE: {
    exit: 2,
    message: (dir, why) => `cannot write results to "${dir}": ${why}`,
    hint: () => 'pass --out with a folder you can write to',
  },
  SB_OUT_EXISTS: {
    exit: 2,
    message: (dir) => `${dir} already holds the results of an earlier run (results.json)`,
    hint: () =>
      'pass --force to replace them, or choose another --out (by default each run gets a fresh results/<date-time>)',
  },
  SB_BAD_RESULTS: {
    exit: 2,
    message: (file, why) => `cannot read results "${file}": ${why}`,
    hint: () => 'pass a results.json written by `stackbench run` of this version',
  },
  SB_BAD_TARGET: {
    exit: 2,
    message: (name, why) => `target "${name}": ${why}`,
    hint: () =>
      'a target is NAME=http://127.0.0.1:PORT/ (a running service) or NAME="a command with {port}" (one stackbench starts)',
  },
  SB_TARGET_FAILED: {
    exit: 2,
    message: (name, why) => `target "${name}" ${why}`,
    hint: (kind) =>
      kind === 'url'
        ? 'check that the service runs and answers at that address'
        : 'run the command by itself to see it start; its last lines follow',
  },
  SB_BAD_CONFIG: {
    exit: 2,
    message: (file, problems) => `bad config ${file}: ${problems}`,
    hint: (fix = 'fix each one in the file; docs/CONFIG.md describes every field') => fix,
  },
  SB_STACK_START: {
    exit: 1,
    message: (stack, why) => `stack ${stack} failed to start: ${why}`,
    hint: () => 'its last log lines follow; `stackbench doctor` checks the installation',
  },
  SB_SETUP_FAILED: {
    exit: 1,
    message: (why) => `setup failed: ${why}`,
    hint: () => 'run the printed commands by hand, or see `stackbench doctor`',
  },
  SB_KUBE_BAD_PLAN: {
    exit: 2,
    message: (why) => `bad Kubernetes plan: ${why}`,
    hint: (fix = 'see `stackbench kube --help` and docs/KUBERNETES.md') => fix,
  },
  SB_KUBE_CONTEXT: {
    exit: 2,
    message: (why) => `no Kubernetes cluster to run on: ${why}`,
    hint: (known) =>
      `${known ? `contexts in your kubeconfig: ${known}; ` : ''}point KUBECONFIG at a cluster's kubeconfig and name one of its contexts (kubectl config get-contexts); docs/KUBERNETES.md`,
  },
  SB_KUBE_NOT_READY: {
    exit: 1,
    message: (what) => `the cluster did not get the run ready: ${what}`,
    hint: (fix) => fix,
  },
  SB_KUBE_API: {
    exit: 1,
    message: (what) => `Kubernetes API: ${what}`,
    hint: (fix = 'check your access with `kubectl auth can-i create deployments -n <namespace>`') => fix,
  },
  SB_BAD_AGENTS: {
    exit: 2,
    message: (why) => `bad --agents: ${why}`,
    hint: (
      fix = 'give a count (--agents 3) or agents separated by commas: local, netns:NAME, ssh:HOST, tcp:HOST:PORT',
    ) => fix,
  },
  SB_AGENT_NOT_READY: {
    exit: 1,
    message: (agent, why) => `agent ${agent} never became ready: ${why}`,
    hint: () => 'check that `stackbench agent` of this version runs there; its last lines follow, if any',
  },
  SB_AGENT_PROTOCOL: {
    exit: 2,
    message: (agent, theirs, ours) => `agent ${agent} speaks protocol ${theirs}, this coordinator ${ours}`,
    hint: () => 'install the same stackbench version on every agent host',
  },
  SB_AGENT_CLOCK: {
    exit: 1,
    message: (agent, bound, rtt, limit) =>
      `agent ${agent}: its clock offset is known only within +-${bound} ms (round trip ${rtt} ms), more than the +-${limit} ms a shared start allows`,
    hint: () =>
      'use an agent on a faster link, or a longer load (the limit is 1 % of warm-up plus window, at least 5 ms)',
  },
  SB_AGENT_REFUSED: {
    exit: 2,
    message: (agent, why) => `agent ${agent} refused the load: ${why}`,
    hint: (hint) => hint,
  },
  SB_AGENT_LOST: {
    exit: 1,
    message: (agent, why) => `agent ${agent} was lost: ${why}`,
    hint: () => 'its share of the load is missing, so nothing was measured; start the agents again',
  },
  SB_INTERRUPTED: {
    exit: 1,
    message: () => 'interrupted',
    hint: () => 'what was measured before the interruption is kept',
  },
} satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof catalog;

export class StackbenchError extends Error {
  readonly code: ErrorCode;
  readonly exit: ExitCode;
  readonly hint: string;
  constructor(code: ErrorCode, args: string[] = [], hintArgs: string[] = args) {
    const spec: ErrorSpec = catalog[code];
    super(spec.message(...args));
    this.name = 'StackbenchError';
    this.code = code;
    this.exit = spec.exit;
    this.hint = spec.hint(...hintArgs);
  }
  /** The one line the CLI prints. */
  line(): string {
    // A message that carries a process's last lines: the hint stays on the first line, the log follows.
    const [first, ...log] = this.message.split('\n');
    return [`error[${this.code}]: ${first} — ${this.hint}`, ...log].join('\n');
  }
}
