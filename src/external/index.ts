/** Public face of the external-agent module: evaluate a black-box agent (Aider, Qwen Code, OpenCode, any command). */
export {
  type AgentInstallation,
  agentsCacheDirectory,
  findPinnedInstall,
  PINNED_AGENT_INSTALLS,
  type PinnedAgentInstall,
} from './agent-installs.ts';
export { AGENT_PRESETS, type AgentPreset, agentPreset } from './agent-presets.ts';
export { type AgentBridgeDirectory, createAgentBridgeDirectory } from './bridge-directory.ts';
export {
  renderCommandTemplate,
  renderEnvironmentTemplate,
  shellQuote,
  TEMPLATE_PLACEHOLDERS,
  type TemplateValues,
} from './command-template.ts';
export { classifyDeclaredToolCall, type DeclaredToolCallClassification } from './declared-tool-call.ts';
export {
  BRIDGE_FAILURE_EXIT_CODE,
  DEFAULT_AGENT_ENV,
  DEFAULT_AGENT_OUTPUT_LIMIT_BYTES,
  type ExternalAgentLimits,
  type ExternalAgentResult,
  type RunExternalAgentOptions,
  runExternalAgent,
} from './external-agent.ts';
export { ChatRequestError, type TranslatedChatRequest, translateChatRequest } from './openai-request.ts';
export { renderCompletion, renderCompletionChunks } from './openai-response.ts';
export { chatAnswer, type ProxyAnswer, responsesAnswer } from './proxy-answer.ts';
export {
  type RecordingProxy,
  type RecordingProxyOptions,
  type RecordingProxyStats,
  startRecordingProxy,
} from './recording-proxy.ts';
export { type TranslatedResponsesRequest, translateResponsesRequest } from './responses-request.ts';
export { renderResponse } from './responses-response.ts';
export { toolResultErrorReason } from './tool-result-error.ts';
export { type RecordedTotals, totalsFromEvents } from './transcript-totals.ts';
export { validateDeclaredArguments } from './validate-declared-arguments.ts';
