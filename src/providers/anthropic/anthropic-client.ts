import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { isRecord, type JsonObject } from '../../shared/json-values.ts';
import { redactSecrets } from '../../shared/redact-secrets.ts';
import { positiveIntegerOption, requireModelOption, requireValidBaseUrl } from '../client-option-checks.ts';
import { ContextLengthExceededError } from '../context-length-error.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import { nodeHttpFetch } from '../node-http-fetch.ts';
import {
  errorBodyText,
  errorForStatus,
  excerpt,
  openTimedRequest,
  type TimedResponse,
} from '../provider-http.ts';
import {
  assembleStepResult,
  emptyTurnIssues,
  outputLimitIssue,
  serverParsedArgumentIssues,
} from '../step-result-assembly.ts';
import { normalizeAssistantOutput } from '../tool-call-recovery.ts';
import type { EndpointInfo, ModelClient, ModelIssue, StepRequest, StepResult } from '../types.ts';
import { unknownEndpointInfo } from '../unknown-endpoint-info.ts';
import { anthropicRequestBody, type ThinkingBlock } from './anthropic-request-body.ts';
import { mapAnthropicStopReason } from './anthropic-stop-reason.ts';
import { AnthropicStreamAccumulator, measuredTimings } from './anthropic-stream-accumulator.ts';
import { anthropicErrorBodySchema, anthropicModelListSchema } from './anthropic-wire-schemas.ts';

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

export type { ThinkingBlock } from './anthropic-request-body.ts';
export { toAnthropicMessages, toAnthropicTools } from './anthropic-request-body.ts';
export { mapAnthropicStopReason } from './anthropic-stop-reason.ts';

/** Reads Anthropic's error body `{"type":"error","error":{"type","message"}}`. */
function errorOfBody(text: string): { type: string | null; message: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = anthropicErrorBodySchema.safeParse(parsed);
  if (body.success) {
    const { error } = body.data;
    return { type: error.type ?? null, message: error.message ?? JSON.stringify(error) };
  }
  return { type: null, message: excerpt(text) || '(empty body)' };
}

/** The context limit in a "prompt is too long: 210000 tokens > 200000 maximum" message, when present. */
export function contextLimitFromMessage(message: string): number | null {
  const match = />\s*(\d+)\s*maximum/i.exec(message);
  return match ? Number(match[1]) : null;
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
  const fetchFunction = options.fetch ?? nodeHttpFetch;
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

  const buildBody = (request: StepRequest): JsonObject =>
    anthropicRequestBody(request, {
      model,
      maxTokens,
      thinkingBudget,
      cacheControl,
      thinkingFor: (id) => thinkingByToolCall.get(id),
    });

  async function step(request: StepRequest): Promise<StepResult> {
    const body = buildBody(request);
    const opened = await open('/v1/messages', 'POST', body, request.signal);
    if (opened.simulated) simulated = true;
    if (!opened.response.ok) await failForStatus(opened);

    const stream = new AnthropicStreamAccumulator(target, request, redact);
    const pending: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => pending.push(event) });
    try {
      for await (const chunk of opened.chunks()) {
        parser.feed(chunk);
        for (const event of pending.splice(0)) stream.handle(event);
        if (stream.stopped) break;
      }
    } finally {
      opened.close();
    }
    if (!stream.stopped) {
      throw new InfrastructureError('stream-error', `${target} ended the stream before message_stop`);
    }
    const finishedAt = performance.now();
    const { text, reasoning, thinkingBlock, toolCalls } = stream.output();
    if (thinkingBlock?.signature) {
      for (const call of toolCalls) thinkingByToolCall.set(call.id, thinkingBlock);
    }

    const normalized = normalizeAssistantOutput(
      { text, reasoning, toolCalls },
      { knownTools: request.tools?.map((tool) => tool.name) },
    );
    const issues: ModelIssue[] = [...normalized.issues, ...serverParsedArgumentIssues(normalized.toolCalls)];
    const { stopReason, counts } = stream;
    const finishReason = mapAnthropicStopReason(stopReason, normalized.toolCalls.length > 0);
    if (finishReason === 'length') issues.push(outputLimitIssue(`stop_reason ${stopReason}`));
    issues.push(...emptyTurnIssues(normalized));

    const usage = counts.usage();
    const timings = measuredTimings(
      opened.sentAt,
      stream.firstTokenAt,
      stream.lastTokenAt,
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
      const list = anthropicModelListSchema.safeParse(JSON.parse(text));
      const ids = (list.success ? (list.data.data ?? []) : []).flatMap((entry) =>
        isRecord(entry) && typeof entry.id === 'string' ? [entry.id] : [],
      );
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
