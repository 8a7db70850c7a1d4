// stackbench run: the main job. Verify, measure, analyse, report — the article's question answered here. The work
// is the library's run() (src/api/run.ts); its flags are its options' fields (src/options/run.ts), layered over
// a config file's settings; this command prints.
import { run, type RunOptions } from '../../api/run.js';
import { loadConfig } from '../../config/index.js';
import { runSettingsOf } from '../../config/settings.js';
import { interrupt } from '../../machine/process.js';
import { byFlag, consolidate, RUN_FIELDS } from '../../options/index.js';
import { terminalSummary } from '../../report/terminal.js';
import { aboutText, averageCellSeconds, plannedSeconds } from '../../runner/estimate.js';
import { defineCommand } from '../command.js';
import { finishRun } from '../finish.js';
import { flagsOf, optionsFromFlags } from '../flags.js';
import { runProgress } from '../progress.js';
import { runKubeFlags, runOnKube } from './kube.js';

const flags = {
  ...flagsOf(RUN_FIELDS),
  config: {
    type: 'string',
    value: 'FILE',
    help: 'your own stacks beside the reference ones, and the suite, SLO, thresholds, baseline\n(default: ./stackbench.config.* when it exists; flags override it; docs/CONFIG.md)',
  },
  json: { type: 'boolean', help: 'print the results document on stdout, nothing else' },
  verbose: {
    type: 'boolean',
    help: "the full summary: every table and every verdict's summary (default: one line per claim)",
  },
  ...runKubeFlags,
} as const;

export const runCommand = defineCommand({
  name: 'run',
  summary: 'the main job: verify, measure and judge every stack on every workload',
  about:
    'Starts every stack alone on the server cores, verifies it, drives load at it from the other cores and\n' +
    'writes DIR/results.json (after every point), DIR/report.md, DIR/report.html, DIR/points.csv and\n' +
    'DIR/headline.csv.',
  flags,
  async run(values) {
    if (values.kube !== undefined) return runOnKube(values);
    const loaded = await loadConfig(values.config as string | undefined);
    const options: RunOptions = consolidate(
      runSettingsOf(loaded?.config),
      optionsFromFlags(RUN_FIELDS, values),
    );
    let progress: ReturnType<typeof runProgress> | undefined;
    const out = await run(
      {
        ...options,
        signal: interrupt.signal,
        onPlan: (plan) => {
          if (values.json) return;
          progress = runProgress(Boolean(process.stderr.isTTY), averageCellSeconds(plan));
          process.stderr.write(
            `stackbench run (${plan.suite.name}): ${plan.main ? `${plan.stacks.length} stacks x ${plan.workloads.length} workloads` : 'no main run'}${plan.sweep ? ', the size sweep' : ''}${plan.scaling ? `, the scaling study (${plan.scaling.workloads.join(', ')})` : ''}${plan.agents ? `, loaded by ${plan.agents.length} agents` : ''}, ${aboutText(plannedSeconds(plan))} → ${plan.outDir}\n`,
          );
        },
        onEvent: (e) => progress?.onEvent(e),
      },
      byFlag,
    ).finally(() => progress?.done());
    return finishRun(out, {
      json: values.json === true,
      summary: (r) => terminalSummary(r, { verbose: values.verbose === true }),
      files: 'and report.md; points.csv, headline.csv',
    });
  },
});
