// The command registry: the order here is the order of `stackbench --help`.
import type { Command } from '../command.js';
import { agentCommand } from './agent.js';
import { compareCommand } from './compare.js';
import { doctorCommand } from './doctor.js';
import { kubeCommand } from './kube.js';
import { load } from './load.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { setupCommand } from './setup.js';
import { stacksCommand } from './stacks.js';
import { verifyCommand } from './verify.js';

export const commands: Command[] = [
  runCommand,
  compareCommand,
  verifyCommand,
  load,
  reportCommand,
  stacksCommand,
  doctorCommand,
  setupCommand,
  agentCommand,
  kubeCommand,
];
