// Gates for CI, as domain code: the grammar, the checks on a run's figures and on one load, the baseline.
export { applyGates, evaluateGates, type GateOptions, type GateOutcome } from './apply.js';
export { checkGates, type GateCheck } from './checks.js';
export { parseGate, parseRunThreshold, parseThreshold, type Gate, type Threshold } from './grammar.js';
export { checkThresholds, type ThresholdCheck } from './load.js';
