// stackbench as a library: `import { load, verify, run, analyze } from 'stackbench'`. The public API is what this
// file exports, and only that (package.json "exports" maps the package to it); docs/LIBRARY.md shows each function.
// Importing it starts nothing and installs no handler: processes are started, and the exit hook that stops them
// armed, only when run() or verify() is called.

// ---- the work ----
export { load, type LoadInput } from './api/load.js';
export { Coordinator, distributedLoad, type AgentSpec, type CoordinatorOptions } from './dist/index.js';
export {
  verify,
  type VerifyOptions,
  type Verification,
  type StackVerification,
  type Cell,
  type VerifyEvent,
} from './api/verify.js';
export { run, planRun, type RunOptions, type RunPlan, type RunOutput, type RunEvent } from './api/run.js';

// ---- reading results ----
export { analyze, analysisOf, agreement, type Agreement, type AgreementRow } from './analysis/index.js';
export {
  writeReports,
  renderReports,
  loadResults,
  htmlReport,
  markdownReport,
  terminalSummary,
  pointsCsv,
  headlineCsv,
  type ReportFiles,
} from './report/index.js';

// ---- the config file (docs/CONFIG.md); also 'stackbench/config' on its own ----
export { defineConfig, type StackbenchConfig } from './config/define.js';

// ---- your own services side by side ----
export {
  compare,
  compareSuite,
  type CompareOptions,
  type CompareOutput,
  type TargetSpec,
} from './api/compare.js';
export {
  checkGates,
  evaluateGates,
  parseGate,
  type Gate,
  type GateCheck,
  type GateOptions,
  type GateOutcome,
} from './gates/index.js';

// ---- what the runs are made of ----
export { BUILTIN_IDS, type StackId, type BuiltinStackId, type StackFacts } from './stacks/registry.js';
export { WORKLOAD_IDS, type WorkloadId } from './workloads.js';
export { SUITES, type Suite } from './runner/suites.js';
export { StackbenchError, ExitCode, type ErrorCode } from './errors.js';
export { VERSION } from './version.js';

// ---- types ----
export type {
  LoadOptions,
  LoadResult,
  LoadProgress,
  GeneratorHealth,
  ErrorKind,
  ModelName,
  WsOptions,
  WsCounts,
  HttpMethod,
  RequestTemplate,
  ValueSource,
  RequestFigures,
  AgentFigures,
} from './engine/types.js';
export type {
  Results,
  Point,
  Capacity,
  StackRecord,
  Machine,
  RunConfig,
  SuiteName,
  Analysis,
  WorkloadAnalysis,
  StackFigures,
  CapacityFigure,
  Comparison,
  Estimate,
  Verdict,
  VerdictValue,
  Headline,
  HeadlineFigure,
  VerdictRow,
  ScalingCurve,
  Crossover,
  AgentHost,
  PointAgent,
} from './results/types.js';
