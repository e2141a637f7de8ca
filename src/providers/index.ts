export {
  GgufFormatError,
  type GgufMetadata,
  type GgufMetadataValue,
  type GgufTensorInfo,
  type ReadGgufMetadataOptions,
  readGgufMetadata,
} from '../gguf/gguf-reader.ts';
export { REDACTED, redactSecrets } from '../shared/redact-secrets.ts';
export {
  type AnthropicClientOptions,
  contextLimitFromMessage,
  createAnthropicClient,
  mapAnthropicStopReason,
  type ThinkingBlock,
  toAnthropicMessages,
  toAnthropicTools,
} from './anthropic/anthropic-client.ts';
export {
  API_KEY_VARIABLES,
  type CreateModelClientOptions,
  createModelClient,
} from './create-model-client.ts';
export {
  DEFAULT_LOCAL_SERVERS,
  type DiscoveredServer,
  discoverLocalServers,
  LOCAL_SERVERS_VARIABLE,
  type LocalServerCandidate,
  localServerCandidates,
  noModelServerHelp,
} from './discover-local-servers.ts';
export {
  createGgufClient,
  formatParameterCount,
  type GgufClientOptions,
  toChatFunctions,
  toChatHistory,
} from './gguf-client.ts';
export {
  type DownloadProgress,
  downloadGgufModel,
  isRemoteGguf,
  MODEL_CACHE_VARIABLE,
  modelCacheDirectory,
} from './gguf-download.ts';
export {
  DEFAULT_BASE_URLS,
  MODEL_ID_EXAMPLES,
  MODEL_PROVIDERS,
  type ModelProvider,
  type ModelSpec,
  parseModelId,
} from './model-id.ts';
export {
  createOllamaClient,
  numCtxFromParameters,
  type OllamaClientOptions,
  parseOllamaToolCall,
  toOllamaMessages,
  toOllamaTools,
} from './ollama/ollama-client.ts';
export {
  createOpenAICompatibleClient,
  mapFinishReason,
  type OpenAICompatibleClientOptions,
  type OpenAICompatibleFlavour,
  parseToolArguments,
  toOpenAIMessages,
  toOpenAITools,
} from './openai-compatible/openai-compatible-client.ts';
export { type HeldSlot, RequestThread, requestThread, type SlotPlace } from './request-thread/index.ts';
export { type RetryPolicy, withRetries } from './retrying-client.ts';
export {
  type AssistantOutput,
  type ExtractOptions,
  extractToolCallsFromText,
  type NormalizeOptions,
  normalizeAssistantOutput,
  splitThinking,
  type TextToolCallExtraction,
} from './tool-call-recovery.ts';
