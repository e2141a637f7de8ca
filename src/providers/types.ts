/**
 * The normalized vocabulary every model provider speaks. Providers translate their wire format into these
 * types; nothing above `src/providers/` ever sees a provider-specific shape.
 */
import type { SlotPlace } from './request-thread/request-thread-protocol.ts';

/**
 * Where a tool call came from: the server's own tool parser; recovered by us from text the server leaked
 * (a server-side parsing failure); or parsed by us from a text tool protocol the agent asked the model to use.
 */
export type ToolCallOrigin = 'server-parsed' | 'recovered' | 'text-protocol';

/** The textual shape a recovered tool call had (or `native` for a structured server-parsed call). */
export type ToolCallFormat = 'native' | 'hermes-json' | 'qwen-xml';

export interface ToolCall {
  /** Provider id when given, otherwise a generated one (`call_<n>`). */
  id: string;
  name: string;
  /** Parsed arguments. `{}` when parsing failed (see `argumentsError`). */
  arguments: Record<string, unknown>;
  /** Arguments exactly as the model produced them (a JSON string, or the XML/JSON text it was recovered from). */
  rawArguments: string;
  origin: ToolCallOrigin;
  format: ToolCallFormat;
  /** For recovered calls: whether the call was leaked in the visible content or inside the reasoning. */
  recoveredFrom?: 'content' | 'reasoning';
  /** Set when the arguments were not parseable (malformed JSON, not an object, ...). A model-side error. */
  argumentsError?: string;
}

export interface SystemMessage {
  role: 'system';
  content: string;
}
export interface UserMessage {
  role: 'user';
  content: string;
}
export interface AssistantMessage {
  role: 'assistant';
  content: string;
  reasoning?: string;
  toolCalls?: ToolCall[];
}
export interface ToolMessage {
  role: 'tool';
  toolCallId: string;
  toolName: string;
  content: string;
  isError?: boolean;
}
export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface StepRequest {
  messages: Message[];
  tools?: ToolDefinition[];
  toolChoice?: 'auto' | 'none' | 'required';
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  signal?: AbortSignal;
  /** Called for each text/reasoning delta as it streams (optional, for live display). */
  onDelta?: (delta: { kind: 'text' | 'reasoning'; text: string }) => void;
  /**
   * The request's place in its endpoint's slots, for a client that `takesSlotTickets`: the request waits for its
   * slot on the request thread (providers/request-thread) and goes out from there.
   */
  slot?: SlotTicket;
}

/** A {@link SlotPlace} and who hears when the request took its slot (after `queuedMs` in the queue). */
export interface SlotTicket extends SlotPlace {
  sent?(queuedMs: number): void;
}

export type FinishReason = 'stop' | 'tool-calls' | 'length' | 'content-filter' | 'error' | 'other';

/** Whether a number was reported by the server, measured by us at the client, or is unknown. */
export type MeasurementSource = 'server' | 'measured' | 'unavailable';

export interface Usage {
  inputTokens: number;
  /** Input tokens served from a prompt cache (llama.cpp `cache_n`, OpenAI `cached_tokens`, Anthropic cache reads). */
  cachedInputTokens: number;
  outputTokens: number;
  /** Output tokens spent on reasoning, when the server says so (else 0). */
  reasoningTokens: number;
  /** `server` when the server reported usage, `measured` when we estimated it (e.g. counted stream chunks). */
  source: MeasurementSource;
  /**
   * Input tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`), included in `inputTokens`;
   * billed above plain input (Anthropic: 1.25x for 5-minute, 2x for 1-hour entries). Absent: none reported.
   */
  cacheWriteInputTokens?: number;
  /** Of `cacheWriteInputTokens`, those written with the 1-hour lifetime (`ephemeral_1h_input_tokens`). */
  cacheWriteOneHourInputTokens?: number;
  /** The price of this response in US dollars as the server reported it (OpenRouter `usage.cost`), when it did. */
  reportedCostUsd?: number;
}

export interface Timings {
  /** Request sent to first streamed token (text, reasoning or tool call), measured at the client. */
  timeToFirstTokenMs: number | null;
  /** Prompt-processing speed in tokens per second. */
  prefillTokensPerSecond: number | null;
  /** Generation speed in tokens per second. */
  decodeTokensPerSecond: number | null;
  /** Prompt-processing time, server-reported where available. */
  prefillMs: number | null;
  /** Generation time, server-reported where available. */
  decodeMs: number | null;
  /** Whole request, measured at the client. */
  wallMs: number;
  /** Model load time reported by the server (Ollama `load_duration`). */
  loadMs: number | null;
  sources: {
    timeToFirstToken: MeasurementSource;
    prefill: MeasurementSource;
    decode: MeasurementSource;
  };
}

/** A model-side problem in a response, recorded against the model (never retried as infrastructure). */
export interface ModelIssue {
  kind: 'malformed-arguments' | 'empty-turn' | 'truncated' | 'leaked-tool-call' | 'other';
  message: string;
}

export interface StepResult {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** The server's own finish/done reason string. */
  rawFinishReason: string | null;
  usage: Usage;
  timings: Timings;
  /** Model-side problems noticed while normalizing the response. */
  issues: ModelIssue[];
  /** The provider and model that answered. */
  provider: string;
  model: string;
  /** True when the answer came from a simulated server or scripted model, never a real one. */
  simulated: boolean;
  /** Infrastructure failures that were retried before this result was obtained. */
  retries: RetryRecord[];
  /**
   * Time the request waited for a free slot of its endpoint before it was sent (set by the run's endpoint gate,
   * see src/run/endpoint-gated-client.ts); not model time. Absent when it did not wait.
   */
  queuedMs?: number;
}

export interface RetryRecord {
  attempt: number;
  error: string;
  kind: InfrastructureErrorKind;
  delayMs: number;
}

export type InfrastructureErrorKind =
  | 'connection'
  | 'timeout'
  | 'server-error'
  | 'rate-limit'
  | 'stream-error'
  | 'bad-response'
  | 'client-error'
  /** The sandbox failed (its exec server died or answered garbage), not the model server. */
  | 'sandbox';

/** What an endpoint says about itself (for `doctor` and for fit/context warnings). */
export interface EndpointInfo {
  provider: string;
  model: string;
  reachable: boolean;
  /** The context length the server will really use for this model (not the model's maximum). */
  contextLength: number | null;
  /** The model's trained maximum context, when known. */
  maxContextLength: number | null;
  quantization: string | null;
  parameterCount: string | null;
  /** Bytes of the loaded model and how much of it is in VRAM (Ollama /api/ps). */
  sizeBytes: number | null;
  sizeVramBytes: number | null;
  /** True when part of the model is offloaded to the CPU. */
  cpuOffload: boolean | null;
  /** Parallel slots the server offers (llama.cpp /props total_slots). */
  parallelSlots: number | null;
  /** The compute backend the model runs on, when the client knows it (embedded GGUF: cuda, vulkan, metal, cpu). */
  backend?: string;
  supportsTools: boolean | null;
  simulated: boolean;
  notes: string[];
}

export interface ModelClient {
  /** Canonical model id, e.g. `ollama:qwen3.5:9b`. */
  readonly id: string;
  readonly provider: string;
  readonly model: string;
  /** Whether this client talks to a simulated server / scripted model. */
  readonly simulated: boolean;
  /** One model turn: send the conversation, stream and normalize the answer. Throws InfrastructureError. */
  step(request: StepRequest): Promise<StepResult>;
  /** Ask the endpoint about itself. */
  describe(): Promise<EndpointInfo>;
  close?(): Promise<void>;
  /** Whether `step` honours a request's `slot` (its model requests then wait for their slot on the request thread). */
  readonly takesSlotTickets?: boolean;
}
