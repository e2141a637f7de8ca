import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { ContextLengthExceededError } from './context-length-error.ts';
import { InfrastructureError } from './infrastructure-error.ts';
import { isRecord, type JsonObject, numberOrNull } from './json-values.ts';
import { applyLmStudioModelInfo, lmStudioModelEntry } from './lmstudio-model-info.ts';
import { usageFromOpenAIUsage } from './openai-usage.ts';
import { parseRetryAfter, SIMULATED_RESPONSE_HEADER } from './provider-http.ts';
import { assembleStepResult, emptyTurnIssues } from './step-result-assembly.ts';
import { normalizeAssistantOutput } from './tool-call-recovery.ts';
import type {
  EndpointInfo,
  FinishReason,
  Message,
  ModelClient,
  ModelIssue,
  StepRequest,
  StepResult,
  Timings,
  ToolCall,
  ToolDefinition,
  Usage,
} from './types.ts';
import { unknownEndpointInfo } from './unknown-endpoint-info.ts';

/** Which OpenAI-compatible server the client talks to; decides a few wire details (token limit field, /props). */
export type OpenAICompatibleFlavour = 'openai' | 'llamacpp' | 'vllm' | 'lmstudio' | 'openrouter' | 'generic';

export interface OpenAICompatibleClientOptions {
  /** Server base URL, with or without the trailing `/v1` (e.g. `http://127.0.0.1:8080` or `https://api.openai.com/v1`). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Default `generic`. */
  flavour?: OpenAICompatibleFlavour;
  /** Provider name used in the client id (`<provider>:<model>`); defaults to the flavour. */
  provider?: string;
  /** Extra HTTP headers sent on every request. */
  headers?: Record<string, string>;
  /** Milliseconds to wait for the response headers (default 300 000). */
  requestTimeoutMs?: number;
  /** Milliseconds to wait between two streamed chunks (default 120 000). */
  idleTimeoutMs?: number;
  /** Extra fields merged into every chat request body (e.g. `top_k`, `chat_template_kwargs`). */
  extraBody?: Record<string, unknown>;
  /** A fetch implementation (default: the global fetch). */
  fetch?: typeof fetch;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
/**
 * llama-server's in-stream error when the model's output does not parse as the chat format it expects
 * (`{"error":{"code":500,"message":"The model produced output that does not match the expected peg-native
 * format","type":"server_error"}}`, sent after the streamed content, with no finish reason or usage).
 */
const UNPARSED_MODEL_OUTPUT_PATTERN = /model produced output that does not match the expected .*format/i;
const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const DESCRIBE_TIMEOUT_MS = 10_000;

/** Splits a base URL into the server root and the `/v1` API base. */
function resolveBaseUrls(baseUrl: string): { root: string; api: string } {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new Error(`invalid baseUrl for OpenAI-compatible client: ${JSON.stringify(baseUrl)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`baseUrl must be http(s): ${baseUrl}`);
  }
  const trimmed = baseUrl.replace(/\/+$/, '');
  if (/\/v1$/.test(trimmed)) return { root: trimmed.slice(0, -'/v1'.length), api: trimmed };
  return { root: trimmed, api: `${trimmed}/v1` };
}

/** Whether the model takes `max_completion_tokens` rather than `max_tokens` (OpenAI reasoning models). */
function usesMaxCompletionTokens(flavour: OpenAICompatibleFlavour, model: string): boolean {
  return flavour === 'openai' || /(^|\/)o\d/.test(model);
}

/** Maps one of our messages to an OpenAI chat message. */
function toOpenAIMessage(message: Message): JsonObject {
  if (message.role === 'tool') {
    return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
  if (message.role !== 'assistant') return { role: message.role, content: message.content };
  const calls = message.toolCalls ?? [];
  if (calls.length === 0) return { role: 'assistant', content: message.content };
  return {
    role: 'assistant',
    content: message.content.length > 0 ? message.content : null,
    // Parsed arguments, never the raw text: servers re-parse them to render chat templates.
    tool_calls: calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    })),
  };
}

/** Maps our messages to OpenAI chat messages. */
export function toOpenAIMessages(messages: Message[]): JsonObject[] {
  return messages.map(toOpenAIMessage);
}

/** Maps our tool definitions to OpenAI function tools. */
export function toOpenAITools(tools: ToolDefinition[]): JsonObject[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/** Maps an OpenAI finish_reason to ours. */
export function mapFinishReason(reason: string | null): FinishReason {
  switch (reason) {
    case 'stop':
    case 'end_turn':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    case 'error':
      return 'error';
    default:
      return 'other';
  }
}

/** Parses streamed tool-call arguments. Empty text means "no arguments". */
export function parseToolArguments(raw: string): { arguments: Record<string, unknown>; error?: string } {
  if (raw.trim().length === 0) return { arguments: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { arguments: {}, error: `arguments are not valid JSON: ${(error as Error).message}` };
  }
  if (!isRecord(parsed)) return { arguments: {}, error: 'arguments are not a JSON object' };
  return { arguments: parsed };
}

const CONTEXT_OVERFLOW_PATTERN =
  /exceed_context_size_error|context_length_exceeded|maximum context length|context length|context size|context window|prompt is too long/i;

/**
 * An error a server sent inside an HTTP 200 stream: a context refusal (2025 llama.cpp builds refused an over-long
 * prompt this way, test-support/fixtures/llamacpp-b5966) ends the attempt as context-exceeded; anything else is
 * an infrastructure stream error.
 */
function streamedError(described: string, json: JsonObject | null): Error {
  if (CONTEXT_OVERFLOW_PATTERN.test(described)) {
    return new ContextLengthExceededError(described, contextLengthFromError(described, json));
  }
  return new InfrastructureError('stream-error', described);
}

/** Pulls a readable message out of an error body (`{"error":{"message":…}}`, `{"error":"…"}`, `{"message":…}`, text). */
function errorMessageFromBody(text: string): { message: string; json: JsonObject | null } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) {
      const error = parsed.error;
      if (isRecord(error) && typeof error.message === 'string')
        return { message: error.message, json: parsed };
      if (typeof error === 'string') return { message: error, json: parsed };
      if (typeof parsed.message === 'string') return { message: parsed.message, json: parsed };
      if (typeof parsed.detail === 'string') return { message: parsed.detail, json: parsed };
    }
  } catch {
    // Not JSON: use the text itself.
  }
  return { message: text.trim().slice(0, 500) || '(empty body)', json: null };
}

/** The context length an overflow error names (llama.cpp `n_ctx`, vLLM/OpenAI "maximum context length is N"). */
function contextLengthFromError(message: string, json: JsonObject | null): number | null {
  const error = json && isRecord(json.error) ? json.error : null;
  const nCtx = error ? numberOrNull(error.n_ctx) : null;
  if (nCtx !== null) return nCtx;
  const match = /maximum context length is (\d+)/i.exec(message);
  return match ? Number(match[1]) : null;
}

interface ToolCallAccumulator {
  id: string;
  name: string;
  arguments: string;
}

/** Everything gathered from one streamed (or whole) response. */
interface ResponseAccumulator {
  text: string;
  reasoning: string;
  toolCalls: ToolCallAccumulator[];
  finishReason: string | null;
  done: boolean;
  usage: JsonObject | null;
  serverTimings: JsonObject | null;
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  /** The server's refusal of the model's own output (llama-server could not parse it), a model failure. */
  unparsedOutputError: string | null;
}

function emptyAccumulator(): ResponseAccumulator {
  return {
    text: '',
    reasoning: '',
    toolCalls: [],
    finishReason: null,
    done: false,
    usage: null,
    serverTimings: null,
    firstTokenAt: null,
    lastTokenAt: null,
    unparsedOutputError: null,
  };
}

function reasoningOf(fields: JsonObject): string {
  if (typeof fields.reasoning_content === 'string' && fields.reasoning_content.length > 0) {
    return fields.reasoning_content;
  }
  return typeof fields.reasoning === 'string' ? fields.reasoning : '';
}

/** Rough token estimate of the prompt: characters / 4. */
function estimatePromptTokens(messages: Message[], tools: ToolDefinition[] | undefined): number {
  let characters = tools ? JSON.stringify(tools).length : 0;
  for (const message of messages) {
    characters += message.content.length;
    if (message.role === 'assistant') {
      for (const call of message.toolCalls ?? []) characters += call.name.length + call.rawArguments.length;
    }
  }
  return Math.ceil(characters / 4);
}

/** The file name of a model path without `.gguf` (llama.cpp lists a model by its path unless given an alias). */
function modelFileStem(id: string): string {
  return (id.split(/[\\/]/).pop() ?? id).replace(/\.gguf$/i, '');
}

/**
 * The `/v1/models` entry of the requested model: by id, alias or file name. llama-server serves exactly one model
 * and answers to any name, so for it (and for `llamacpp:URL`, whose model is `default`) a lone entry is the one.
 */
function findModelEntry(
  data: JsonObject[],
  model: string,
  flavour: OpenAICompatibleFlavour,
): JsonObject | null {
  const named = data.find(
    (candidate) =>
      candidate.id === model ||
      (Array.isArray(candidate.aliases) && candidate.aliases.includes(model)) ||
      (typeof candidate.id === 'string' && modelFileStem(candidate.id) === modelFileStem(model)),
  );
  if (named) return named;
  if (flavour === 'llamacpp' && data.length === 1) return data[0];
  return null;
}

/** Why an in-flight request was aborted by us (as opposed to by the caller's signal). */
type TimeoutReason = { kind: 'request' | 'idle'; ms: number };

/** Creates a model client for any server speaking the OpenAI chat-completions streaming API. */
export function createOpenAICompatibleClient(options: OpenAICompatibleClientOptions): ModelClient {
  if (typeof options.model !== 'string' || options.model.trim() === '') {
    throw new Error('OpenAI-compatible client needs a model name');
  }
  const urls = resolveBaseUrls(options.baseUrl);
  const flavour = options.flavour ?? 'generic';
  const provider = options.provider ?? flavour;
  const model = options.model;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  for (const [name, value] of [
    ['requestTimeoutMs', requestTimeoutMs],
    ['idleTimeoutMs', idleTimeoutMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`${name} must be a positive number, got ${value}`);
  }
  const fetchImplementation = options.fetch ?? globalThis.fetch;
  let sawSimulated = false;

  const headers = (): Record<string, string> => {
    const result: Record<string, string> = {
      accept: 'application/json, text/event-stream',
      ...options.headers,
    };
    if (options.apiKey) result.authorization = `Bearer ${options.apiKey}`;
    return result;
  };

  const noteSimulated = (response: Response) => {
    if (response.headers.get(SIMULATED_RESPONSE_HEADER) === '1') sawSimulated = true;
    return response.headers.get(SIMULATED_RESPONSE_HEADER) === '1';
  };

  const buildBody = (request: StepRequest): JsonObject => {
    const body: JsonObject = { model, messages: toOpenAIMessages(request.messages) };
    if (request.tools && request.tools.length > 0) {
      body.tools = toOpenAITools(request.tools);
      if (request.toolChoice) body.tool_choice = request.toolChoice;
    }
    if (request.maxOutputTokens !== undefined) {
      body[usesMaxCompletionTokens(flavour, model) ? 'max_completion_tokens' : 'max_tokens'] =
        request.maxOutputTokens;
    }
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
    if (request.seed !== undefined) body.seed = request.seed;
    if (request.stop && request.stop.length > 0) body.stop = request.stop;
    return { ...body, ...options.extraBody, stream: true, stream_options: { include_usage: true } };
  };

  const errorFromResponse = async (response: Response, readText: () => Promise<string>): Promise<Error> => {
    const status = response.status;
    const text = await readText().catch(() => '');
    const { message, json } = errorMessageFromBody(text);
    const described = `${provider} ${model}: HTTP ${status}: ${message}`;
    if (status === 429) {
      return new InfrastructureError('rate-limit', described, {
        status,
        retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
      });
    }
    if (status >= 500) {
      return new InfrastructureError('server-error', described, {
        status,
        retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
      });
    }
    if (status >= 400 && CONTEXT_OVERFLOW_PATTERN.test(`${message} ${text}`)) {
      return new ContextLengthExceededError(described, contextLengthFromError(message, json));
    }
    if (status === 408) return new InfrastructureError('timeout', described, { status });
    if (status >= 400)
      return new InfrastructureError('client-error', described, { status, retryable: false });
    return new InfrastructureError('bad-response', `${provider} ${model}: unexpected HTTP ${status}`, {
      status,
    });
  };

  /** Applies one parsed chunk (or a whole non-streamed completion) to the accumulator. */
  const applyChunk = (
    chunk: JsonObject,
    state: ResponseAccumulator,
    request: StepRequest,
    streamed: boolean,
  ) => {
    if (chunk.error !== undefined) {
      const { message } = errorMessageFromBody(JSON.stringify(chunk));
      if (UNPARSED_MODEL_OUTPUT_PATTERN.test(message)) {
        // llama-server streamed the turn, then could not parse what the model wrote as its chat format (e.g. a
        // tool call it started and never finished): the model's failure, which a retry would not fix reliably.
        state.unparsedOutputError = message;
        state.done = true;
        return;
      }
      throw streamedError(`${provider} ${model}: error inside the stream: ${message}`, chunk);
    }
    if (isRecord(chunk.usage)) state.usage = chunk.usage;
    if (isRecord(chunk.timings)) state.serverTimings = chunk.timings;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = choices.find((entry) => isRecord(entry) && (entry.index ?? 0) === 0);
    if (!isRecord(choice)) return;
    const fields = streamed ? choice.delta : choice.message;
    let produced = false;
    if (isRecord(fields)) {
      const reasoning = reasoningOf(fields);
      if (reasoning.length > 0) {
        state.reasoning += reasoning;
        produced = true;
        request.onDelta?.({ kind: 'reasoning', text: reasoning });
      }
      if (typeof fields.content === 'string' && fields.content.length > 0) {
        state.text += fields.content;
        produced = true;
        request.onDelta?.({ kind: 'text', text: fields.content });
      }
      if (Array.isArray(fields.tool_calls)) {
        for (const [position, delta] of fields.tool_calls.entries()) {
          if (!isRecord(delta)) continue;
          produced = true;
          const deltaId = typeof delta.id === 'string' && delta.id.length > 0 ? delta.id : null;
          const last = state.toolCalls.length - 1;
          let index: number;
          if (!streamed) index = position;
          else if (typeof delta.index === 'number') index = delta.index;
          else if (last < 0) index = 0;
          else {
            // No index (some servers): a new id starts a new call, anything else continues the last one.
            index =
              deltaId && state.toolCalls[last]?.id && state.toolCalls[last].id !== deltaId ? last + 1 : last;
          }
          let call = state.toolCalls[index];
          if (!call) {
            call = { id: '', name: '', arguments: '' };
            state.toolCalls[index] = call;
          }
          if (deltaId) call.id = deltaId;
          const fn = isRecord(delta.function) ? delta.function : {};
          if (typeof fn.name === 'string' && fn.name.length > 0 && fn.name !== call.name)
            call.name += fn.name;
          if (typeof fn.arguments === 'string') call.arguments += fn.arguments;
          else if (isRecord(fn.arguments)) call.arguments += JSON.stringify(fn.arguments);
        }
      }
    }
    if (produced) {
      const now = performance.now();
      state.firstTokenAt ??= now;
      state.lastTokenAt = now;
    }
    if (typeof choice.finish_reason === 'string') state.finishReason = choice.finish_reason;
  };

  const buildResult = (
    state: ResponseAccumulator,
    request: StepRequest,
    startedAt: number,
    simulated: boolean,
  ): StepResult => {
    const wallMs = performance.now() - startedAt;
    const issues: ModelIssue[] = [];
    const serverCalls: ToolCall[] = [];
    state.toolCalls.forEach((accumulated, position) => {
      if (!accumulated) return;
      const parsed = parseToolArguments(accumulated.arguments);
      const call: ToolCall = {
        id: accumulated.id || `call_${position}`,
        name: accumulated.name,
        arguments: parsed.arguments,
        rawArguments: accumulated.arguments,
        origin: 'server-parsed',
        format: 'native',
      };
      if (parsed.error) {
        call.argumentsError = parsed.error;
        issues.push({
          kind: 'malformed-arguments',
          message: `tool call ${call.name || '(unnamed)'}: ${parsed.error}`,
        });
      }
      serverCalls.push(call);
    });
    const normalized = normalizeAssistantOutput(
      { text: state.text, reasoning: state.reasoning, toolCalls: serverCalls },
      { knownTools: request.tools?.map((tool) => tool.name) },
    );
    for (const issue of normalized.issues) {
      if (!issues.some((existing) => existing.kind === issue.kind && existing.message === issue.message)) {
        issues.push(issue);
      }
    }

    let finishReason = mapFinishReason(state.finishReason);
    if (state.unparsedOutputError !== null) {
      finishReason = 'error';
      issues.push({
        kind: 'other',
        message: `the server could not parse the model's output: ${state.unparsedOutputError}`,
      });
    }
    if (finishReason === 'stop' && normalized.toolCalls.length > 0) finishReason = 'tool-calls';
    if (finishReason === 'length') {
      issues.push({ kind: 'truncated', message: 'the answer stopped at the output token limit' });
    }
    issues.push(...emptyTurnIssues(normalized));

    const usage = resolveUsage(state, request, normalized);
    const timings = resolveTimings(state, usage, startedAt, wallMs);
    return assembleStepResult(normalized, {
      finishReason,
      rawFinishReason: state.finishReason,
      usage,
      timings,
      issues,
      provider,
      model,
      simulated,
    });
  };

  const step = async (request: StepRequest): Promise<StepResult> => {
    request.signal?.throwIfAborted();
    const body = buildBody(request);
    const controller = new AbortController();
    let timeout: TimeoutReason | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (kind: TimeoutReason['kind'], ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timeout = { kind, ms };
        controller.abort(new Error(`${kind} timeout`));
      }, ms);
    };
    const onCallerAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onCallerAbort, { once: true });

    /** Turns whatever a failed fetch/read threw into the right error. */
    const translate = (error: unknown, phase: 'connect' | 'stream'): unknown => {
      if (error instanceof InfrastructureError || error instanceof ContextLengthExceededError) return error;
      if (request.signal?.aborted) return request.signal.reason ?? error;
      const reached = timeout as TimeoutReason | null;
      if (reached) {
        const what = reached.kind === 'request' ? 'no response headers' : 'no streamed data';
        return new InfrastructureError('timeout', `${provider} ${model}: ${what} within ${reached.ms} ms`, {
          cause: error,
        });
      }
      const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
      const detail = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
      if (phase === 'connect') {
        return new InfrastructureError(
          'connection',
          `${provider} ${model}: cannot reach ${urls.api}: ${detail}`,
          {
            cause: error,
          },
        );
      }
      return new InfrastructureError('stream-error', `${provider} ${model}: stream broke off: ${detail}`, {
        cause: error,
      });
    };

    const startedAt = performance.now();
    arm('request', requestTimeoutMs);
    try {
      let response: Response;
      try {
        response = await fetchImplementation(`${urls.api}/chat/completions`, {
          method: 'POST',
          headers: { ...headers(), 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: controller.signal,
        });
      } catch (error) {
        throw translate(error, 'connect');
      }
      const simulated = noteSimulated(response);
      arm('idle', idleTimeoutMs);
      const readText = async () => {
        try {
          return await response.text();
        } catch (error) {
          throw translate(error, 'stream');
        }
      };
      if (!response.ok) throw await errorFromResponse(response, readText);

      const state = emptyAccumulator();
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.includes('text/event-stream')) {
        // The server ignored `stream: true` and sent a whole completion.
        const text = await readText();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new InfrastructureError(
            'bad-response',
            `${provider} ${model}: expected an event stream or JSON, got ${contentType || 'no content type'}: ${text.slice(0, 200)}`,
          );
        }
        if (!isRecord(parsed)) {
          throw new InfrastructureError(
            'bad-response',
            `${provider} ${model}: response is not a JSON object`,
          );
        }
        applyChunk(parsed, state, request, false);
        state.done = true;
      } else {
        await readStream(response, state, request, () => arm('idle', idleTimeoutMs), applyChunk, translate);
      }
      if (!state.done && state.finishReason === null) {
        throw new InfrastructureError(
          'stream-error',
          `${provider} ${model}: the stream ended without a finish reason or [DONE]`,
        );
      }
      if (state.finishReason === null && state.firstTokenAt === null && state.unparsedOutputError === null) {
        // `[DONE]` with no finish reason and nothing before it: the server gave up, the model said nothing.
        throw new InfrastructureError(
          'stream-error',
          `${provider} ${model}: the stream ended with [DONE] but no output and no finish reason`,
        );
      }
      return buildResult(state, request, startedAt, simulated);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onCallerAbort);
      if (!controller.signal.aborted) controller.abort();
    }
  };

  const getJson = async (
    url: string,
  ): Promise<{ reached: boolean; status: number | null; json: JsonObject | null; error?: string }> => {
    const signal = AbortSignal.timeout(Math.min(requestTimeoutMs, DESCRIBE_TIMEOUT_MS));
    try {
      const response = await fetchImplementation(url, { headers: headers(), signal });
      noteSimulated(response);
      const text = await response.text();
      let json: JsonObject | null = null;
      try {
        const parsed: unknown = JSON.parse(text);
        json = isRecord(parsed) ? parsed : null;
      } catch {
        json = null;
      }
      return { reached: true, status: response.status, json };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } })?.cause;
      return { reached: false, status: null, json: null, error: cause?.code ?? (error as Error).message };
    }
  };

  const describe = async (): Promise<EndpointInfo> => {
    const info = unknownEndpointInfo(provider, model);
    const models = await getJson(`${urls.api}/models`);
    if (!models.reached) {
      info.notes.push(`cannot reach ${urls.api}/models: ${models.error}`);
      return info;
    }
    info.reachable = true;
    if (models.status !== 200 || !models.json) {
      info.notes.push(`GET ${urls.api}/models answered HTTP ${models.status}`);
    } else {
      const data = Array.isArray(models.json.data) ? models.json.data.filter(isRecord) : [];
      const entry = findModelEntry(data, model, flavour);
      if (!entry) {
        const available = data.map((candidate) => String(candidate.id)).slice(0, 10);
        info.notes.push(
          `model ${model} is not listed by the server${available.length > 0 ? ` (available: ${available.join(', ')})` : ''}`,
        );
      } else {
        // llama-server answers to any name with its one model: report the name it serves.
        if (typeof entry.id === 'string' && entry.id !== model) info.model = entry.id;
        const maxModelLength = numberOrNull(entry.max_model_len);
        if (maxModelLength !== null) info.contextLength = maxModelLength;
        const meta = isRecord(entry.meta) ? entry.meta : null;
        if (meta) {
          info.maxContextLength = numberOrNull(meta.n_ctx_train);
          info.sizeBytes = numberOrNull(meta.size);
          info.contextLength ??= numberOrNull(meta.n_ctx);
        }
        const contextLength = numberOrNull(entry.context_length);
        if (contextLength !== null) info.maxContextLength ??= contextLength;
      }
    }
    if (flavour === 'llamacpp' || flavour === 'generic') {
      const props = await getJson(`${urls.root}/props`);
      if (props.status === 200 && props.json) {
        const settings = isRecord(props.json.default_generation_settings)
          ? props.json.default_generation_settings
          : {};
        const nCtx = numberOrNull(settings.n_ctx) ?? numberOrNull(props.json.n_ctx);
        if (nCtx !== null) info.contextLength = nCtx;
        info.parallelSlots = numberOrNull(props.json.total_slots);
        const caps = isRecord(props.json.chat_template_caps) ? props.json.chat_template_caps : {};
        if (typeof caps.supports_tool_calls === 'boolean') {
          info.supportsTools = caps.supports_tool_calls;
        } else if (typeof props.json.chat_template === 'string') {
          info.supportsTools = /tool/i.test(props.json.chat_template);
        }
        if (info.supportsTools === false) info.notes.push('the chat template does not handle tools');
      } else if (flavour === 'llamacpp') {
        info.notes.push(
          `GET ${urls.root}/props ${props.reached ? `answered HTTP ${props.status}` : 'failed'}`,
        );
      }
    }
    if (flavour === 'lmstudio') {
      const native = await getJson(`${urls.root}/api/v0/models/${encodeURIComponent(model)}`);
      const entry = native.status === 200 && native.json ? lmStudioModelEntry(native.json, model) : null;
      if (entry) applyLmStudioModelInfo(info, entry);
      else
        info.notes.push(
          `GET ${urls.root}/api/v0/models/${model} gave no model entry (LM Studio 0.3.6+ has it)`,
        );
    }
    if (info.contextLength === null) info.notes.push('the server did not report its context length');
    info.simulated = sawSimulated;
    return info;
  };

  return {
    id: `${provider}:${model}`,
    provider,
    model,
    get simulated() {
      return sawSimulated;
    },
    step,
    describe,
  };
}

/** Reads an SSE body into the accumulator, resetting the idle timer on every chunk. */
async function readStream(
  response: Response,
  state: ResponseAccumulator,
  request: StepRequest,
  onActivity: () => void,
  applyChunk: (
    chunk: JsonObject,
    state: ResponseAccumulator,
    request: StepRequest,
    streamed: boolean,
  ) => void,
  translate: (error: unknown, phase: 'connect' | 'stream') => unknown,
): Promise<void> {
  if (!response.body) throw new InfrastructureError('bad-response', 'the event stream has no body');
  let failure: unknown = null;
  const parser = createParser({
    // Older llama.cpp builds send a failure as a bare `error: {json}` SSE line, then `data: [DONE]`.
    onError(error: ParseError) {
      if (failure !== null || error.type !== 'unknown-field' || error.field !== 'error') return;
      const { message, json } = errorMessageFromBody(error.value ?? '');
      failure = streamedError(`error inside the stream: ${message}`, json);
    },
    onEvent(event: EventSourceMessage) {
      if (failure !== null || state.done) return;
      const data = event.data.trim();
      if (data === '[DONE]') {
        state.done = true;
        return;
      }
      if (data === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        failure = new InfrastructureError('bad-response', `unparseable stream event: ${data.slice(0, 200)}`);
        return;
      }
      if (!isRecord(parsed)) {
        failure = new InfrastructureError(
          'bad-response',
          `stream event is not a JSON object: ${data.slice(0, 200)}`,
        );
        return;
      }
      try {
        applyChunk(parsed, state, request, true);
      } catch (error) {
        failure = error;
      }
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (true) {
      let next: ReadableStreamReadResult<string>;
      try {
        next = await reader.read();
      } catch (error) {
        throw translate(error, 'stream');
      }
      if (next.done) break;
      onActivity();
      parser.feed(next.value);
      if (failure !== null) throw failure;
      if (state.done) break;
    }
    parser.reset({ consume: true });
    if (failure !== null) throw failure;
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

function resolveUsage(
  state: ResponseAccumulator,
  request: StepRequest,
  output: { text: string; reasoning: string; toolCalls: ToolCall[] },
): Usage {
  const timings = state.serverTimings;
  const cacheN = timings ? numberOrNull(timings.cache_n) : null;
  const reported = state.usage ? usageFromOpenAIUsage(state.usage, cacheN) : null;
  if (reported) return reported;
  if (timings) {
    const promptN = numberOrNull(timings.prompt_n);
    const predictedN = numberOrNull(timings.predicted_n);
    if (promptN !== null && predictedN !== null) {
      return {
        inputTokens: promptN + (cacheN ?? 0),
        cachedInputTokens: cacheN ?? 0,
        outputTokens: predictedN,
        reasoningTokens: 0,
        source: 'server',
      };
    }
  }
  const outputCharacters =
    output.text.length +
    output.reasoning.length +
    output.toolCalls.reduce((sum, call) => sum + call.name.length + call.rawArguments.length, 0);
  return {
    inputTokens: estimatePromptTokens(request.messages, request.tools),
    cachedInputTokens: 0,
    outputTokens: Math.ceil(outputCharacters / 4),
    reasoningTokens: 0,
    source: 'measured',
  };
}

function resolveTimings(
  state: ResponseAccumulator,
  usage: Usage,
  startedAt: number,
  wallMs: number,
): Timings {
  const timeToFirstTokenMs = state.firstTokenAt === null ? null : state.firstTokenAt - startedAt;
  const timings: Timings = {
    timeToFirstTokenMs,
    prefillTokensPerSecond: null,
    decodeTokensPerSecond: null,
    prefillMs: null,
    decodeMs: null,
    wallMs,
    loadMs: null,
    sources: {
      timeToFirstToken: timeToFirstTokenMs === null ? 'unavailable' : 'measured',
      prefill: 'unavailable',
      decode: 'unavailable',
    },
  };
  const server = state.serverTimings;
  const promptMs = server ? numberOrNull(server.prompt_ms) : null;
  const predictedMs = server ? numberOrNull(server.predicted_ms) : null;
  // Token rates need token counts the server reported: a rate from a chars/4 estimate would be invented.
  const countedByServer = usage.source === 'server';
  if (server && promptMs !== null) {
    timings.prefillMs = promptMs;
    timings.prefillTokensPerSecond = numberOrNull(server.prompt_per_second);
    timings.sources.prefill = 'server';
  } else if (timeToFirstTokenMs !== null && timeToFirstTokenMs > 0) {
    timings.prefillMs = timeToFirstTokenMs;
    timings.sources.prefill = 'measured';
    if (countedByServer) {
      timings.prefillTokensPerSecond =
        (usage.inputTokens - usage.cachedInputTokens) / (timeToFirstTokenMs / 1000);
    }
  }
  if (server && predictedMs !== null) {
    timings.decodeMs = predictedMs;
    timings.decodeTokensPerSecond = numberOrNull(server.predicted_per_second);
    timings.sources.decode = 'server';
  } else if (state.firstTokenAt !== null && state.lastTokenAt !== null) {
    const decodeMs = state.lastTokenAt - state.firstTokenAt;
    if (decodeMs > 0) {
      timings.decodeMs = decodeMs;
      timings.sources.decode = 'measured';
      // The first token ends the prefill; the rest were decoded between the first and the last streamed token.
      if (countedByServer && usage.outputTokens > 1) {
        timings.decodeTokensPerSecond = (usage.outputTokens - 1) / (decodeMs / 1000);
      }
    }
  }
  return timings;
}
