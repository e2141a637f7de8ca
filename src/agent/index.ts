/** Public face of the agent module: the loop, its transcript vocabulary, and the tool protocols. */

export {
  type AgentLimits,
  type AttemptStatus,
  type AttemptTotals,
  type LimitName,
  type NewTranscriptEvent,
  parseEvent,
  type ToolCallValidity,
  type ToolProtocolName,
  type TranscriptEvent,
  TranscriptEventError,
  type TranscriptEventOf,
  type TranscriptEventType,
  transcriptEventSchema,
  type UsageTotals,
} from '../transcript/events.ts';
export {
  parseTranscript,
  type ReadTranscriptResult,
  readTranscript,
  type TranscriptProblem,
} from '../transcript/transcript-reader.ts';
export {
  createTranscriptWriter,
  type TranscriptWriter,
  type TranscriptWriterOptions,
} from '../transcript/transcript-writer.ts';
export { type CreateWorkspaceOptions, createWorkspace, type Workspace } from '../workspace/index.ts';
export { DEFAULT_SYSTEM_PROMPT } from './default-system-prompt.ts';
export {
  type AgentResult,
  type AgentStepProgress,
  DEFAULT_MAX_CONSECUTIVE_FORMAT_ERRORS,
  FINISH_TOOL_NAME,
  type RunAgentOptions,
  runAgent,
} from './run-agent.ts';
export type { AgentTool, ToolContext, ToolOutput } from './tool.ts';
export {
  chooseToolProtocol,
  createToolProtocol,
  type RequestedToolProtocol,
  type ToolProtocol,
} from './tool-protocol.ts';
export { defaultTools, toolDefinitions, validateToolArguments } from './tools/index.ts';
