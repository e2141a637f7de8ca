import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { positiveIntegerOption, requireModelOption, requireValidBaseUrl } from './client-option-checks.ts';
import { ContextLengthExceededError } from './context-length-error.ts';
import { InfrastructureError } from './infrastructure-error.ts';
import { isRecord, type JsonObject, numberOrNull } from './json-values.ts';
import {
  errorBodyText,
  errorForStatus,
  excerpt,
  openTimedRequest,
  type TimedResponse,
} from './provider-http.ts';
import { redactSecrets } from './redact-secrets.ts';
import {
  assembleStepResult,
  emptyTurnIssues,
  outputLimitIssue,
  serverParsedArgumentIssues,
} from './step-result-assembly.ts';
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

/**
 * The Anthropic Messages API client (`POST /v1/messages`, streaming SSE). Keeps the system prompt apart, sends tool
 * calls and results as content blocks, replays thinking blocks (with their signatures) before the tool calls they
 * led to, and maps overloads, rate limits, in-stream errors and "prompt is too long" onto the shared error types.
 */

export interface AnthropicClientOptions {
  /** API root, default `https://api.anthropic.com`. */
  baseUrl?: string;
  model: string;
  apiKey: string;
  /** `max_tokens` when the step request gives none (default 4096). */
  maxTokens?: number;
  /** Extended thinking budget in tokens (at least 1024, below the max tokens); unset = no extended thinking. */
  thinkingBudget?: number;
  /**
   * Prompt caching (`cache_control` breakpoints on the system prompt and the newest message, so each turn reads the
   * conversation so far from the cache): `5m` (default, written at 1.25x input price), `1h` (2x) or `off`.
   */
  promptCaching?: AnthropicPromptCaching;
  /** Longest one request may take (default 10 minutes). */
  requestTimeoutMs?: number;
  /** Longest the service may stay silent (default 2 minutes). */
  idleTimeoutMs?: number;
  /** Extra HTTP headers sent on every request (e.g. Basic auth of a proxy in front of the API). */
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
}

/** Which prompt caching the client asks Anthropic for. */
export type AnthropicPromptCaching = 'off' | '5m' | '1h';
export const DEFAULT_ANTHROPIC_PROMPT_CACHING: AnthropicPromptCaching = '5m';

const DEFAULT_BASE_URL = 'https://api.anthropic.com';
const ANTHROPIC_VERSION = '2023-06-01';
const DEFAULT_MAX_TOKENS = 4096;
const MINIMUM_THINKING_BUDGET = 1024;
const DEFAULT_REQUEST_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_IDLE_TIMEOUT_MS = 2 * 60_000;
const INFO_TIMEOUT_MS = 10_000;
/** The documented context window of current Claude models (the API does not report it). */
const CLAUDE_CONTEXT_LENGTH = 200_000;

const LABEL = 'Anthropic client';
const positiveInteger = (value: number | undefined, name: string) =>
  positiveIntegerOption(LABEL, value, name);

/** A thinking block as the service sent it; it must go back verbatim (signature included) with its tool calls. */
export interface ThinkingBlock {
  thinking: string;
  signature: string;
}

/**
 * Maps the normalized conversation onto Anthropic's `system` + `messages`: system messages are joined into the
 * system prompt, assistant tool calls become tool_use blocks, tool results become tool_result blocks in a user
 * message, and consecutive messages of the same role are merged (the API wants alternating roles).
 * `thinkingFor` returns the thinking block that preceded a tool call, to replay it.
 */
export function toAnthropicMessages(
  messages: Message[],
  thinkingFor: (toolCallId: string) => ThinkingBlock | undefined = () => undefined,
): { system: string | undefined; messages: JsonObject[] } {
  const systemParts: string[] = [];
  const mapped: Array<{ role: 'user' | 'assistant'; content: JsonObject[] }> = [];
  const append = (role: 'user' | 'assistant', blocks: JsonObject[]) => {
    if (blocks.length === 0) return;
    const last = mapped[mapped.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else mapped.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        systemParts.push(message.content);
        break;
      case 'user':
        if (message.content.length > 0) append('user', [{ type: 'text', text: message.content }]);
        break;
      case 'assistant': {
        const blocks: JsonObject[] = [];
        const calls = message.toolCalls ?? [];
        const thinking = calls.map((call) => thinkingFor(call.id)).find((block) => block !== undefined);
        if (thinking)
          blocks.push({ type: 'thinking', thinking: thinking.thinking, signature: thinking.signature });
        if (message.content.trim().length > 0) blocks.push({ type: 'text', text: message.content });
        for (const call of calls) {
          blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
        }
        append('assistant', blocks);
        break;
      }
      case 'tool': {
        const block: JsonObject = {
          type: 'tool_result',
          tool_use_id: message.toolCallId,
          content: message.content,
        };
        if (message.isError) block.is_error = true;
        append('user', [block]);
        break;
      }
    }
  }
  // Tool results must open their user message: move them before any text merged into the same message.
  for (const entry of mapped) {
    if (entry.role !== 'user') continue;
    const results = entry.content.filter((block) => block.type === 'tool_result');
    const others = entry.content.filter((block) => block.type !== 'tool_result');
    entry.content = [...results, ...others];
  }
  return {
    system: systemParts.length > 0 ? systemParts.join('\n\n') : undefined,
    messages: mapped.map((entry) => ({ role: entry.role, content: entry.content })),
  };
}

/** Maps tool definitions onto Anthropic's `{name, description, input_schema}`. */
export function toAnthropicTools(tools: ToolDefinition[]): JsonObject[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.parameters,
  }));
}

/** Maps Anthropic's stop_reason onto the normalized finish reason. */
export function mapAnthropicStopReason(reason: string | null, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    case 'end_turn':
    case 'stop_sequence':
      return hasToolCalls ? 'tool-calls' : 'stop';
    default:
      return hasToolCalls ? 'tool-calls' : 'other';
  }
}

function parseToolInput(raw: string): { arguments: Record<string, unknown>; error?: string } {
  if (raw.trim() === '') return { arguments: {} };
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed)
      ? { arguments: parsed }
      : { arguments: {}, error: 'tool input is JSON but not an object' };
  } catch (error) {
    return {
      arguments: {},
      error: `tool input is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Reads Anthropic's error body `{"type":"error","error":{"type","message"}}`. */
function errorOfBody(text: string): { type: string | null; message: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && isRecord(parsed.error)) {
      return {
        type: typeof parsed.error.type === 'string' ? parsed.error.type : null,
        message:
          typeof parsed.error.message === 'string' ? parsed.error.message : JSON.stringify(parsed.error),
      };
    }
  } catch {
    // Not JSON: fall through to the text itself.
  }
  return { type: null, message: excerpt(text) || '(empty body)' };
}

/** The context limit in a "prompt is too long: 210000 tokens > 200000 maximum" message, when present. */
export function contextLimitFromMessage(message: string): number | null {
  const match = />\s*(\d+)\s*maximum/i.exec(message);
  return match ? Number(match[1]) : null;
}

interface BlockState {
  type: string;
  text: string;
  signature: string;
  id: string;
  name: string;
  json: string;
}

/** Creates a ModelClient for the Anthropic Messages API. */
export function createAnthropicClient(options: AnthropicClientOptions): ModelClient {
  requireModelOption(LABEL, options.model);
  if (!options.apiKey || options.apiKey.trim() === '') {
    throw new Error('Anthropic client: apiKey is required (set ANTHROPIC_API_KEY)');
  }
  const maxTokens = positiveInteger(options.maxTokens, 'maxTokens') ?? DEFAULT_MAX_TOKENS;
  const thinkingBudget = positiveInteger(options.thinkingBudget, 'thinkingBudget');
  if (thinkingBudget !== undefined && thinkingBudget < MINIMUM_THINKING_BUDGET) {
    throw new Error(
      `Anthropic client: thinkingBudget must be at least ${MINIMUM_THINKING_BUDGET}, got ${thinkingBudget}`,
    );
  }
  if (thinkingBudget !== undefined && thinkingBudget >= maxTokens) {
    throw new Error(
      `Anthropic client: thinkingBudget (${thinkingBudget}) must be below maxTokens (${maxTokens})`,
    );
  }
  const requestTimeoutMs =
    positiveInteger(options.requestTimeoutMs, 'requestTimeoutMs') ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const idleTimeoutMs = positiveInteger(options.idleTimeoutMs, 'idleTimeoutMs') ?? DEFAULT_IDLE_TIMEOUT_MS;
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/v1$/, '');
  requireValidBaseUrl(LABEL, baseUrl);
  const { model, apiKey } = options;
  const promptCaching = options.promptCaching ?? DEFAULT_ANTHROPIC_PROMPT_CACHING;
  if (!['off', '5m', '1h'].includes(promptCaching)) {
    throw new Error(`Anthropic client: promptCaching must be off, 5m or 1h, got ${String(promptCaching)}`);
  }
  const cacheControl: JsonObject | null =
    promptCaching === 'off'
      ? null
      : promptCaching === '1h'
        ? { type: 'ephemeral', ttl: '1h' }
        : { type: 'ephemeral' };
  const fetchFunction = options.fetch ?? globalThis.fetch;
  const target = `Anthropic at ${baseUrl}`;
  const headers = { ...options.headers, 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_VERSION };
  const redact = (text: string) => redactSecrets(text, [apiKey]);
  let simulated = false;
  /** Thinking blocks by the id of the tool calls they preceded, to replay them in later requests. */
  const thinkingByToolCall = new Map<string, ThinkingBlock>();

  const open = async (
    path: string,
    method: 'GET' | 'POST',
    body: unknown,
    signal?: AbortSignal,
    quick = false,
  ) => {
    try {
      return await openTimedRequest({
        url: `${baseUrl}${path}`,
        method,
        headers,
        body,
        fetch: fetchFunction,
        requestTimeoutMs: quick ? INFO_TIMEOUT_MS : requestTimeoutMs,
        idleTimeoutMs: quick ? INFO_TIMEOUT_MS : idleTimeoutMs,
        signal,
        target,
      });
    } catch (error) {
      if (error instanceof InfrastructureError) {
        throw new InfrastructureError(error.kind, redact(error.message), {
          status: error.status,
          cause: error.cause,
        });
      }
      throw error;
    }
  };

  async function failForStatus(opened: TimedResponse): Promise<never> {
    const status = opened.response.status;
    const text = await errorBodyText(opened);
    const { type, message } = errorOfBody(redact(text));
    if (status === 400 && /prompt is too long/i.test(message)) {
      throw new ContextLengthExceededError(`${target}: ${message}`, contextLimitFromMessage(message));
    }
    const label = type ? `${type}: ${message}` : message;
    let hint = '';
    if (status === 401) hint = ' (check the API key)';
    else if (status === 404) hint = ` (check the model name ${model})`;
    throw errorForStatus(
      status,
      `${target} answered HTTP ${status}${hint}: ${label}`,
      opened.response.headers.get('retry-after'),
    );
  }

  function buildBody(request: StepRequest): JsonObject {
    const mapped = toAnthropicMessages(request.messages, (id) => thinkingByToolCall.get(id));
    if (mapped.messages.length === 0)
      throw new Error('Anthropic client: the conversation has no user message');
    const body: JsonObject = {
      model,
      max_tokens: request.maxOutputTokens ?? maxTokens,
      messages: mapped.messages,
      stream: true,
    };
    if (mapped.system !== undefined) {
      body.system = cacheControl
        ? [{ type: 'text', text: mapped.system, cache_control: cacheControl }]
        : mapped.system;
    }
    if (cacheControl) markNewestBlockCached(mapped.messages, cacheControl);
    if (request.tools && request.tools.length > 0) {
      body.tools = toAnthropicTools(request.tools);
      if (request.toolChoice === 'none') body.tool_choice = { type: 'none' };
      else if (request.toolChoice === 'required') body.tool_choice = { type: 'any' };
      else if (request.toolChoice === 'auto') body.tool_choice = { type: 'auto' };
    }
    if (thinkingBudget !== undefined) {
      body.thinking = { type: 'enabled', budget_tokens: thinkingBudget };
      if (typeof body.max_tokens === 'number' && body.max_tokens <= thinkingBudget) {
        body.max_tokens = thinkingBudget + (request.maxOutputTokens ?? maxTokens);
      }
      // Extended thinking accepts no temperature other than 1; top_p only between 0.95 and 1.
      if (request.topP !== undefined && request.topP >= 0.95) body.top_p = request.topP;
    } else {
      if (request.temperature !== undefined) body.temperature = request.temperature;
      if (request.topP !== undefined) body.top_p = request.topP;
    }
    if (request.stop && request.stop.length > 0) body.stop_sequences = request.stop;
    return body;
  }

  async function step(request: StepRequest): Promise<StepResult> {
    const body = buildBody(request);
    const opened = await open('/v1/messages', 'POST', body, request.signal);
    if (opened.simulated) simulated = true;
    if (!opened.response.ok) await failForStatus(opened);

    const blocks = new Map<number, BlockState>();
    const order: number[] = [];
    const counts = new AnthropicUsageCounts();
    let stopReason: string | null = null;
    let stopped = false;
    let firstTokenAt: number | null = null;
    let lastTokenAt: number | null = null;
    const pending: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => pending.push(event) });
    const markToken = () => {
      const now = performance.now();
      if (firstTokenAt === null) firstTokenAt = now;
      lastTokenAt = now;
    };

    const handle = (event: EventSourceMessage) => {
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        throw new InfrastructureError(
          'bad-response',
          `${target} sent an event that is not JSON: ${excerpt(event.data, 200)}`,
        );
      }
      if (!isRecord(data))
        throw new InfrastructureError('bad-response', `${target} sent an event that is not an object`);
      const type = typeof data.type === 'string' ? data.type : event.event;
      switch (type) {
        case 'message_start': {
          counts.read(isRecord(data.message) ? data.message.usage : undefined);
          break;
        }
        case 'content_block_start': {
          const index = numberOrNull(data.index) ?? order.length;
          const block = isRecord(data.content_block) ? data.content_block : {};
          const state: BlockState = {
            type: typeof block.type === 'string' ? block.type : 'unknown',
            text:
              typeof block.text === 'string'
                ? block.text
                : typeof block.thinking === 'string'
                  ? block.thinking
                  : '',
            signature: typeof block.signature === 'string' ? block.signature : '',
            id: typeof block.id === 'string' ? block.id : '',
            name: typeof block.name === 'string' ? block.name : '',
            json: '',
          };
          blocks.set(index, state);
          order.push(index);
          if (state.type === 'tool_use') markToken();
          break;
        }
        case 'content_block_delta': {
          const state = blocks.get(numberOrNull(data.index) ?? -1);
          const delta = isRecord(data.delta) ? data.delta : {};
          if (!state)
            throw new InfrastructureError(
              'bad-response',
              `${target} sent a delta for a block it never started`,
            );
          if (delta.type === 'text_delta' && typeof delta.text === 'string') {
            state.text += delta.text;
            if (delta.text) {
              markToken();
              request.onDelta?.({ kind: 'text', text: delta.text });
            }
          } else if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string') {
            state.text += delta.thinking;
            if (delta.thinking) {
              markToken();
              request.onDelta?.({ kind: 'reasoning', text: delta.thinking });
            }
          } else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
            state.json += delta.partial_json;
            if (delta.partial_json) markToken();
          } else if (delta.type === 'signature_delta' && typeof delta.signature === 'string') {
            state.signature += delta.signature;
          }
          break;
        }
        case 'message_delta': {
          const delta = isRecord(data.delta) ? data.delta : {};
          if (typeof delta.stop_reason === 'string') stopReason = delta.stop_reason;
          counts.read(data.usage);
          break;
        }
        case 'message_stop':
          stopped = true;
          break;
        case 'error': {
          const error = isRecord(data.error) ? data.error : {};
          const errorType = typeof error.type === 'string' ? error.type : 'error';
          const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
          throw new InfrastructureError(
            'stream-error',
            redact(`${target} reported an error inside the stream: ${errorType}: ${message}`),
          );
        }
        default:
          // ping, content_block_stop and event types added later carry nothing we need.
          break;
      }
    };

    try {
      for await (const chunk of opened.chunks()) {
        parser.feed(chunk);
        for (const event of pending.splice(0)) handle(event);
        if (stopped) break;
      }
    } finally {
      opened.close();
    }
    if (!stopped) {
      throw new InfrastructureError('stream-error', `${target} ended the stream before message_stop`);
    }
    const finishedAt = performance.now();

    let text = '';
    let reasoning = '';
    let thinkingBlock: ThinkingBlock | undefined;
    const toolCalls: ToolCall[] = [];
    for (const index of [...order].sort((a, b) => a - b)) {
      const state = blocks.get(index);
      if (!state) continue;
      if (state.type === 'text') text += state.text;
      else if (state.type === 'thinking') {
        reasoning += state.text;
        thinkingBlock = { thinking: state.text, signature: state.signature };
      } else if (state.type === 'tool_use') {
        const parsed = parseToolInput(state.json);
        const call: ToolCall = {
          id: state.id || `call_${toolCalls.length}`,
          name: state.name,
          arguments: parsed.arguments,
          rawArguments: state.json,
          origin: 'server-parsed',
          format: 'native',
        };
        if (parsed.error) call.argumentsError = parsed.error;
        toolCalls.push(call);
      }
    }
    if (thinkingBlock?.signature) {
      for (const call of toolCalls) thinkingByToolCall.set(call.id, thinkingBlock);
    }

    const normalized = normalizeAssistantOutput(
      { text, reasoning, toolCalls },
      { knownTools: request.tools?.map((tool) => tool.name) },
    );
    const issues: ModelIssue[] = [...normalized.issues, ...serverParsedArgumentIssues(normalized.toolCalls)];
    const finishReason = mapAnthropicStopReason(stopReason, normalized.toolCalls.length > 0);
    if (finishReason === 'length') issues.push(outputLimitIssue(`stop_reason ${stopReason}`));
    issues.push(...emptyTurnIssues(normalized));

    const usage = counts.usage();
    const timings = measuredTimings(
      opened.sentAt,
      firstTokenAt,
      lastTokenAt,
      finishedAt,
      counts.outputTokens,
    );

    return assembleStepResult(normalized, {
      finishReason,
      rawFinishReason: stopReason,
      usage,
      timings,
      issues,
      provider: 'anthropic',
      model,
      simulated: opened.simulated,
    });
  }

  async function describe(): Promise<EndpointInfo> {
    const info = unknownEndpointInfo('anthropic', model, {
      contextLength: CLAUDE_CONTEXT_LENGTH,
      maxContextLength: CLAUDE_CONTEXT_LENGTH,
      supportsTools: true,
      simulated,
      notes: [
        `context length ${CLAUDE_CONTEXT_LENGTH} is Anthropic's documented window; the API does not report it`,
        promptCaching === 'off'
          ? 'prompt caching: off (every turn pays full input price)'
          : `prompt caching: ${promptCaching} (cache_control on the system prompt and the newest message)`,
      ],
    });
    try {
      const opened = await open('/v1/models?limit=1000', 'GET', undefined, undefined, true);
      if (opened.simulated) simulated = true;
      info.simulated = simulated;
      info.reachable = true;
      const text = await opened.text();
      if (!opened.response.ok) {
        const { message } = errorOfBody(redact(text));
        info.notes.push(`/v1/models answered HTTP ${opened.response.status}: ${message}`);
        return info;
      }
      const parsed: unknown = JSON.parse(text);
      const ids =
        isRecord(parsed) && Array.isArray(parsed.data)
          ? parsed.data.flatMap((entry) =>
              isRecord(entry) && typeof entry.id === 'string' ? [entry.id] : [],
            )
          : [];
      const listed = ids.some((id) => id === model || id.startsWith(`${model}-`));
      if (!listed) info.notes.push(`${model} is not in the /v1/models list: check the model name`);
    } catch (error) {
      info.notes.push(redact(error instanceof Error ? error.message : String(error)));
    }
    return info;
  }

  return {
    id: `anthropic:${model}`,
    provider: 'anthropic',
    model,
    get simulated() {
      return simulated;
    },
    step,
    describe,
  };
}

/** Puts a cache breakpoint on the last content block of the newest message (the conversation so far is cached). */
function markNewestBlockCached(messages: JsonObject[], cacheControl: JsonObject): void {
  const newest = messages[messages.length - 1];
  const blocks = newest && Array.isArray(newest.content) ? newest.content : [];
  const last = blocks[blocks.length - 1];
  if (isRecord(last) && last.type !== 'thinking') last.cache_control = cacheControl;
}

/**
 * Token counts of one streamed message. `message_start` gives the counts known when the answer starts; the final
 * `message_delta` repeats them cumulatively (input, cache writes and reads can grow, e.g. with server tools), so
 * every later report replaces the earlier one. Cache writes are kept apart from plain input (billed higher), with
 * their 1-hour part from the `cache_creation` breakdown; thinking tokens from `output_tokens_details`.
 */
class AnthropicUsageCounts {
  private input: number | null = null;
  private cacheRead = 0;
  private cacheWrite = 0;
  private cacheWriteOneHour = 0;
  private thinking = 0;
  outputTokens: number | null = null;

  read(raw: unknown): void {
    if (!isRecord(raw)) return;
    this.input = numberOrNull(raw.input_tokens) ?? this.input;
    this.cacheRead = numberOrNull(raw.cache_read_input_tokens) ?? this.cacheRead;
    this.cacheWrite = numberOrNull(raw.cache_creation_input_tokens) ?? this.cacheWrite;
    if (isRecord(raw.cache_creation)) {
      this.cacheWriteOneHour =
        numberOrNull(raw.cache_creation.ephemeral_1h_input_tokens) ?? this.cacheWriteOneHour;
    }
    this.outputTokens = numberOrNull(raw.output_tokens) ?? this.outputTokens;
    if (isRecord(raw.output_tokens_details)) {
      this.thinking = numberOrNull(raw.output_tokens_details.thinking_tokens) ?? this.thinking;
    }
  }

  usage(): Usage {
    const usage: Usage = {
      inputTokens: (this.input ?? 0) + this.cacheRead + this.cacheWrite,
      cachedInputTokens: this.cacheRead,
      outputTokens: this.outputTokens ?? 0,
      reasoningTokens: this.thinking,
      source: this.input !== null || this.outputTokens !== null ? 'server' : 'unavailable',
    };
    if (this.cacheWrite > 0) {
      usage.cacheWriteInputTokens = this.cacheWrite;
      usage.cacheWriteOneHourInputTokens = Math.min(this.cacheWriteOneHour, this.cacheWrite);
    }
    return usage;
  }
}

function measuredTimings(
  sentAt: number,
  firstTokenAt: number | null,
  lastTokenAt: number | null,
  finishedAt: number,
  outputTokens: number | null,
): Timings {
  const decodeMs = firstTokenAt !== null && lastTokenAt !== null ? lastTokenAt - firstTokenAt : null;
  const decodeTokensPerSecond =
    decodeMs !== null && decodeMs > 0 && outputTokens !== null && outputTokens > 1
      ? (outputTokens - 1) / (decodeMs / 1000)
      : null;
  return {
    timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - sentAt,
    prefillTokensPerSecond: null,
    decodeTokensPerSecond,
    prefillMs: null,
    decodeMs: decodeTokensPerSecond === null ? null : decodeMs,
    wallMs: finishedAt - sentAt,
    loadMs: null,
    sources: {
      timeToFirstToken: firstTokenAt === null ? 'unavailable' : 'measured',
      prefill: 'unavailable',
      decode: decodeTokensPerSecond === null ? 'unavailable' : 'measured',
    },
  };
}
