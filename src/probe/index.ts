export { attemptStep, type StepAttempt, type StepFailureKind } from './attempt-step.ts';
export {
  type ClassifiedToolCall,
  classifyToolCall,
  looksLikeUnparsedToolCall,
  type ToolCallValidity,
} from './classify-tool-call.ts';
export { calibrateDepths, type DepthCalibration } from './depth-calibration.ts';
export { formatProbeReport } from './format-probe-report.ts';
export {
  PROBE_SECTIONS,
  type ProbeProgress,
  type ProbeProgressListener,
  type ProbeSection,
} from './probe-progress.ts';
export { PROBE_SYSTEM_PROMPT } from './probe-system-prompt.ts';
export { type ProbeTurn, toProbeTurn } from './probe-turn.ts';
export {
  approximateTokens,
  conversationTokens,
  noiseMessages,
  retentionConversation,
} from './retention-conversation.ts';
export { codeOf, RETENTION_FACTS, type RetentionFact } from './retention-facts.ts';
export { EndpointUnreachableError, type ProbeOptions, type ProbeReport, runProbe } from './run-probe.ts';
export {
  DEFAULT_RETENTION_DEPTHS,
  type RetentionDepthResult,
  type RetentionOptions,
  type RetentionProbeResult,
  type RetentionRun,
  runRetention,
  summarizeRetentionDepth,
} from './run-retention.ts';
export {
  DEFAULT_CONCURRENCY_LEVELS,
  runThroughput,
  type ThroughputLevel,
  type ThroughputOptions,
  type ThroughputProbeResult,
  type ThroughputRequest,
  throughputPrompt,
} from './run-throughput.ts';
export {
  type CategorySummary,
  runToolCases,
  scoreToolCase,
  summarizeToolCases,
  type ToolCaseResult,
  type ToolCaseRun,
  type ToolCasesOptions,
  type ToolProbeResult,
  type ToolProbeSummary,
  toolCaseResult,
} from './run-tool-cases.ts';
export {
  type ReferenceAnswer,
  TOOL_CASE_CATEGORIES,
  type ToolCase,
  type ToolCaseAnswer,
  type ToolCaseCategory,
  type ToolCaseVerdict,
} from './tool-case.ts';
export { TOOL_CASES } from './tool-cases.ts';
