/**
 * What a simulated model server is told to do, turn by turn. Used by tests and benchmarks only; everything a
 * simulated server answers carries the `x-shakedown-simulated: 1` header and is labelled simulated by clients.
 */

export interface SimulatedToolCall {
  name: string;
  /** An object, or a raw string to send verbatim (e.g. malformed JSON). */
  arguments: Record<string, unknown> | string;
  id?: string;
}

/** How tool calls reach the client. `native` = structured tool_calls; the rest leak them as text. */
export type ToolCallDelivery =
  | 'native'
  | 'leak-hermes'
  | 'leak-qwen-xml'
  | 'leak-qwen-xml-no-open-tag'
  | 'leak-hermes-in-reasoning'
  | 'leak-qwen-xml-in-think'
  | 'leak-after-close-think';

export type SimulatedFault =
  /** Answer with this HTTP status and body instead of a stream (Retry-After header when given). */
  | { kind: 'http-error'; status: number; body?: string; retryAfterSeconds?: number }
  /** Send an error object inside the 200 stream after `afterChunks` content chunks. */
  | { kind: 'error-in-stream'; afterChunks: number; message: string }
  /** Destroy the socket after `afterChunks` chunks. */
  | { kind: 'drop-connection'; afterChunks: number }
  /** Accept the request and never answer (for client timeouts). */
  | { kind: 'hang' };

export interface SimulatedUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  /** Prompt tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`); part of promptTokens. */
  cacheWriteTokens?: number;
}

export interface SimulatedTurn {
  content?: string;
  reasoning?: string;
  toolCalls?: SimulatedToolCall[];
  toolCallDelivery?: ToolCallDelivery;
  /** Finish reason to report; defaults to the wire format's natural one. */
  finishReason?: string;
  /** Token counts to report; defaults to rough counts of the request and answer. */
  usage?: SimulatedUsage;
  /** Server-side timings to report (llama.cpp `timings`, Ollama durations); defaults derived from usage. */
  serverTimings?: { promptMs: number; predictedMs: number; loadMs?: number };
  fault?: SimulatedFault;
  /** Delay before the first streamed byte of the answer. */
  firstTokenDelayMs?: number;
  /** Delay between streamed chunks. */
  chunkDelayMs?: number;
  /** Characters of content per streamed chunk (default 8). */
  chunkSize?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export type Script = SimulatedTurn[] | ((request: RecordedRequest, index: number) => SimulatedTurn);

/** Endpoint facts the simulated server reports on its info routes (/props, /api/show, /api/ps, /v1/models). */
export interface SimulatedEndpoint {
  model: string;
  contextLength: number;
  maxContextLength: number;
  quantization: string;
  parameterSize: string;
  sizeBytes: number;
  sizeVramBytes: number;
  totalSlots: number;
  supportsTools: boolean;
  /**
   * Characters per prompt token of the simulated tokenizer (default 4). Real tokenizers differ: a byte-level one
   * without many merges counts about one token a character.
   */
  charactersPerToken?: number;
  /**
   * llama.cpp flavour only: act as 2025 builds before ggml-org/llama.cpp#16109 (e.g. b5966), which sent every error of
   * a streamed request inside the 200 stream as the non-standard SSE field `error:` (not `data:`), then `data: [DONE]`,
   * an over-long prompt included (refused with that build's wording, "the request exceeds the available context
   * size. try increasing the context size or enable context shift"). Default: current builds.
   */
  streamErrorsAsSseErrorField?: boolean;
}

/** Which OpenAI-compatible server to imitate on /v1/chat/completions. */
export type OpenAIFlavour = 'openai' | 'llamacpp' | 'vllm' | 'lmstudio' | 'openrouter';
