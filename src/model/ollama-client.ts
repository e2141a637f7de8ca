import { positiveIntegerOption, requireModelOption, requireValidBaseUrl } from './client-option-checks.ts';
import { ContextLengthExceededError } from './context-length-error.ts';
import { InfrastructureError } from './infrastructure-error.ts';
import { isRecord, type JsonObject, numberOrNull } from './json-values.ts';
import {
  errorBodyText,
  errorForStatus,
  excerpt,
  openTimedRequest,
  readLines,
  type TimedResponse,
} from './provider-http.ts';
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
 * The Ollama native API client (`/api/chat`, `/api/show`, `/api/ps`). Streams NDJSON, takes tool calls whole with
 * object arguments, converts nanosecond durations, and flags Ollama's silent prompt truncation at `num_ctx`.
 */

export interface OllamaClientOptions {
  /** Server root, default `http://127.0.0.1:11434`. */
  baseUrl?: string;
  /** Model name as Ollama knows it, e.g. `qwen3.5:9b`. */
  model: string;
  /** Context length to request (`options.num_ctx`). Without it Ollama uses its default, which can be 4096. */
  numCtx?: number;
  /** Ask thinking models to think (`think: true`, reasoning in `message.thinking`). Unset: the server decides. */
  think?: boolean;
  /** How long Ollama keeps the model loaded after the request (`keep_alive`, e.g. `30m`). */
  keepAlive?: string;
  /** Longest one request may take (default 30 minutes). */
  requestTimeoutMs?: number;
  /** Longest the server may stay silent, model loading included (default 5 minutes). */
  idleTimeoutMs?: number;
  /** Extra HTTP headers sent on every request (e.g. Basic auth of a proxy in front of the server). */
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
}

const DEFAULT_BASE_URL = 'http://127.0.0.1:11434';
const OLLAMA_DEFAULT_CONTEXT = 4096;
const SMALL_CONTEXT = 8192;
const DEFAULT_REQUEST_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
const INFO_TIMEOUT_MS = 10_000;
const NANOSECONDS_PER_MILLISECOND = 1_000_000;

const LABEL = 'Ollama client';
const positiveInteger = (value: number | undefined, name: string) =>
  positiveIntegerOption(LABEL, value, name);

/** Maps the normalized conversation onto Ollama's message shape. */
export function toOllamaMessages(messages: Message[]): JsonObject[] {
  return messages.map((message): JsonObject => {
    switch (message.role) {
      case 'system':
      case 'user':
        return { role: message.role, content: message.content };
      case 'assistant': {
        const mapped: JsonObject = { role: 'assistant', content: message.content };
        if (message.reasoning) mapped.thinking = message.reasoning;
        if (message.toolCalls && message.toolCalls.length > 0) {
          mapped.tool_calls = message.toolCalls.map((call, index) => ({
            id: call.id,
            function: { index, name: call.name, arguments: call.arguments },
          }));
        }
        return mapped;
      }
      case 'tool':
        return { role: 'tool', content: message.content, tool_name: message.toolName };
      default:
        throw new Error(`Ollama client: unknown message role ${(message as { role: unknown }).role}`);
    }
  });
}

/** Maps tool definitions onto Ollama's (OpenAI-style) tool shape. */
export function toOllamaTools(tools: ToolDefinition[]): JsonObject[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/** A tool call as Ollama sends it (whole, arguments normally an object) → the normalized ToolCall. */
export function parseOllamaToolCall(raw: unknown, fallbackIndex: number): ToolCall {
  const call = isRecord(raw) ? raw : {};
  const fn = isRecord(call.function) ? call.function : {};
  const name = typeof fn.name === 'string' ? fn.name : '';
  const id = typeof call.id === 'string' && call.id.length > 0 ? call.id : `call_${fallbackIndex}`;
  const base = { id, name, origin: 'server-parsed' as const, format: 'native' as const };
  const rawArguments = fn.arguments;
  if (isRecord(rawArguments)) {
    return { ...base, arguments: rawArguments, rawArguments: JSON.stringify(rawArguments) };
  }
  if (typeof rawArguments === 'string') {
    try {
      const parsed: unknown = JSON.parse(rawArguments);
      if (isRecord(parsed)) return { ...base, arguments: parsed, rawArguments };
      return { ...base, arguments: {}, rawArguments, argumentsError: 'arguments are JSON but not an object' };
    } catch (error) {
      return {
        ...base,
        arguments: {},
        rawArguments,
        argumentsError: `arguments are not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  if (rawArguments === undefined || rawArguments === null) {
    return { ...base, arguments: {}, rawArguments: '', argumentsError: 'the tool call has no arguments' };
  }
  return {
    ...base,
    arguments: {},
    rawArguments: JSON.stringify(rawArguments),
    argumentsError: 'arguments are not an object',
  };
}

/** Parses a `num_ctx` line from `/api/show`'s `parameters` text. */
export function numCtxFromParameters(parameters: unknown): number | null {
  if (typeof parameters !== 'string') return null;
  const match = /^\s*num_ctx\s+(\d+)\s*$/m.exec(parameters);
  return match ? Number(match[1]) : null;
}

/**
 * The message of an Ollama error body `{"error": "..."}`. Ollama passes llama.cpp runner errors through as a JSON
 * string inside that string (`{"error":"{\"error\":{\"message\":...,\"n_ctx\":4096}}"}`): unwrapped here.
 */
function errorMessageOf(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && typeof parsed.error === 'string') return nestedErrorMessage(parsed.error);
  } catch {
    // Not JSON: use the text itself.
  }
  return excerpt(text) || '(empty body)';
}

function nestedErrorMessage(message: string): string {
  if (!message.trimStart().startsWith('{')) return message;
  try {
    const nested: unknown = JSON.parse(message);
    if (isRecord(nested) && isRecord(nested.error) && typeof nested.error.message === 'string') {
      return nested.error.message;
    }
  } catch {
    // Not JSON after all.
  }
  return message;
}

/**
 * Ollama's context-overflow refusals: its own "the prompt is longer than the context length currently available to
 * the model" (llm/llama_server.go), the llama.cpp runner's "request (N tokens) exceeds the available context size
 * (M tokens)" it passes through, and older wordings.
 */
const CONTEXT_ERROR_PATTERN =
  /longer than the context length|exceeds the available context size|input length exceeds the context length|exceeds the (?:maximum )?context length|context length exceeded|prompt is too long/i;

/** The context size named in a llama.cpp overflow message ("... context size (4096 tokens)"), when present. */
function contextSizeFromMessage(message: string): number | null {
  const match = /context size \((\d+) tokens\)/i.exec(message);
  return match ? Number(match[1]) : null;
}

/** Creates a ModelClient for an Ollama server's native API. */
export function createOllamaClient(options: OllamaClientOptions): ModelClient {
  requireModelOption(LABEL, options.model);
  const numCtx = positiveInteger(options.numCtx, 'numCtx');
  const requestTimeoutMs =
    positiveInteger(options.requestTimeoutMs, 'requestTimeoutMs') ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const idleTimeoutMs = positiveInteger(options.idleTimeoutMs, 'idleTimeoutMs') ?? DEFAULT_IDLE_TIMEOUT_MS;
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  requireValidBaseUrl(LABEL, baseUrl);
  const model = options.model;
  const fetchFunction = options.fetch ?? globalThis.fetch;
  const target = `Ollama at ${baseUrl}`;
  let simulated = false;
  /** The context length the server uses for this model, once known (numCtx, or learned from /api/ps, /api/show). */
  let learnedContextLength: number | null = null;

  const request = (
    path: string,
    method: 'GET' | 'POST',
    body: unknown,
    signal?: AbortSignal,
    quick = false,
  ) =>
    openTimedRequest({
      url: `${baseUrl}${path}`,
      method,
      headers: options.headers,
      body,
      fetch: fetchFunction,
      requestTimeoutMs: quick ? INFO_TIMEOUT_MS : requestTimeoutMs,
      idleTimeoutMs: quick ? INFO_TIMEOUT_MS : idleTimeoutMs,
      signal,
      target,
    });

  async function failForStatus(opened: TimedResponse): Promise<never> {
    const status = opened.response.status;
    const text = await errorBodyText(opened);
    const message = errorMessageOf(text);
    if (status === 404 && /not found/i.test(message)) {
      throw new InfrastructureError(
        'client-error',
        `${target}: ${message}. Pull it first with \`ollama pull ${model}\`, or check the model name.`,
        { status, retryable: false },
      );
    }
    if (CONTEXT_ERROR_PATTERN.test(message)) {
      throw new ContextLengthExceededError(
        `${target}: ${message}`,
        contextSizeFromMessage(message) ?? numCtx ?? learnedContextLength,
      );
    }
    throw errorForStatus(
      status,
      `${target} answered HTTP ${status}: ${message}`,
      opened.response.headers.get('retry-after'),
    );
  }

  async function readJson(path: string, method: 'GET' | 'POST', body?: unknown): Promise<JsonObject | null> {
    const opened = await request(path, method, body, undefined, true);
    if (opened.simulated) simulated = true;
    const text = await opened.text();
    if (!opened.response.ok) return null;
    try {
      const parsed: unknown = JSON.parse(text);
      return isRecord(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }

  function findRunning(ps: JsonObject | null): JsonObject | null {
    if (!ps || !Array.isArray(ps.models)) return null;
    const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
    const found = ps.models.find(
      (entry) =>
        isRecord(entry) &&
        ((typeof entry.name === 'string' && withTag(entry.name) === withTag(model)) ||
          (typeof entry.model === 'string' && withTag(entry.model) === withTag(model))),
    );
    return isRecord(found) ? found : null;
  }

  /** Looks up the context the loaded model runs with, once, after a step; failures leave it unknown. */
  async function learnContextLength(): Promise<number | null> {
    if (numCtx !== undefined) return numCtx;
    if (learnedContextLength !== null) return learnedContextLength;
    try {
      const running = findRunning(await readJson('/api/ps', 'GET'));
      learnedContextLength = numberOrNull(running?.context_length);
      if (learnedContextLength === null) {
        const show = await readJson('/api/show', 'POST', { model });
        learnedContextLength = numCtxFromParameters(show?.parameters);
      }
    } catch {
      learnedContextLength = null;
    }
    return learnedContextLength;
  }

  function buildBody(stepRequest: StepRequest): JsonObject {
    const body: JsonObject = { model, messages: toOllamaMessages(stepRequest.messages), stream: true };
    // Ollama has no tool_choice: 'none' sends no tools; 'required' cannot be enforced and sends them as 'auto'.
    if (stepRequest.tools && stepRequest.tools.length > 0 && stepRequest.toolChoice !== 'none') {
      body.tools = toOllamaTools(stepRequest.tools);
    }
    if (options.think !== undefined) body.think = options.think;
    if (options.keepAlive !== undefined) body.keep_alive = options.keepAlive;
    const modelOptions: JsonObject = {};
    if (numCtx !== undefined) modelOptions.num_ctx = numCtx;
    if (stepRequest.temperature !== undefined) modelOptions.temperature = stepRequest.temperature;
    if (stepRequest.topP !== undefined) modelOptions.top_p = stepRequest.topP;
    if (stepRequest.seed !== undefined) modelOptions.seed = stepRequest.seed;
    if (stepRequest.maxOutputTokens !== undefined) modelOptions.num_predict = stepRequest.maxOutputTokens;
    if (stepRequest.stop && stepRequest.stop.length > 0) modelOptions.stop = stepRequest.stop;
    if (Object.keys(modelOptions).length > 0) body.options = modelOptions;
    return body;
  }

  async function step(stepRequest: StepRequest): Promise<StepResult> {
    const opened = await request('/api/chat', 'POST', buildBody(stepRequest), stepRequest.signal);
    if (opened.simulated) simulated = true;
    if (!opened.response.ok) await failForStatus(opened);

    let text = '';
    let reasoning = '';
    const toolCalls: ToolCall[] = [];
    let firstTokenAt: number | null = null;
    let final: JsonObject | null = null;
    try {
      for await (const line of readLines(opened.chunks())) {
        if (line.trim() === '') continue;
        let chunk: unknown;
        try {
          chunk = JSON.parse(line);
        } catch {
          throw new InfrastructureError(
            'bad-response',
            `${target} sent a stream line that is not JSON: ${excerpt(line, 200)}`,
          );
        }
        if (!isRecord(chunk)) {
          throw new InfrastructureError('bad-response', `${target} sent a stream line that is not an object`);
        }
        if (chunk.error !== undefined) {
          const message =
            typeof chunk.error === 'string' ? nestedErrorMessage(chunk.error) : JSON.stringify(chunk.error);
          if (CONTEXT_ERROR_PATTERN.test(message)) {
            throw new ContextLengthExceededError(
              `${target}: ${message}`,
              contextSizeFromMessage(message) ?? numCtx ?? learnedContextLength,
            );
          }
          throw new InfrastructureError(
            'stream-error',
            `${target} reported an error inside the stream: ${message}`,
          );
        }
        const message = isRecord(chunk.message) ? chunk.message : {};
        const contentDelta = typeof message.content === 'string' ? message.content : '';
        const thinkingDelta = typeof message.thinking === 'string' ? message.thinking : '';
        const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
        if (firstTokenAt === null && (contentDelta || thinkingDelta || calls.length > 0)) {
          firstTokenAt = performance.now();
        }
        if (thinkingDelta) {
          reasoning += thinkingDelta;
          stepRequest.onDelta?.({ kind: 'reasoning', text: thinkingDelta });
        }
        if (contentDelta) {
          text += contentDelta;
          stepRequest.onDelta?.({ kind: 'text', text: contentDelta });
        }
        for (const call of calls) toolCalls.push(parseOllamaToolCall(call, toolCalls.length));
        if (chunk.done === true) {
          final = chunk;
          break;
        }
      }
    } finally {
      opened.close();
    }
    if (!final) {
      throw new InfrastructureError(
        'stream-error',
        `${target} ended the stream before the final "done" line`,
      );
    }
    const finishedAt = performance.now();

    const normalized = normalizeAssistantOutput(
      { text, reasoning, toolCalls },
      { knownTools: stepRequest.tools?.map((tool) => tool.name) },
    );
    const issues: ModelIssue[] = [...normalized.issues, ...serverParsedArgumentIssues(normalized.toolCalls)];

    const rawFinishReason = typeof final.done_reason === 'string' ? final.done_reason : null;
    let finishReason: FinishReason;
    if (rawFinishReason === 'length') finishReason = 'length';
    else if (normalized.toolCalls.length > 0)
      finishReason = 'tool-calls'; // done_reason stays "stop" on tool calls.
    else if (rawFinishReason === 'stop' || rawFinishReason === null) finishReason = 'stop';
    else finishReason = 'other';

    const promptEvalCount = numberOrNull(final.prompt_eval_count);
    const evalCount = numberOrNull(final.eval_count);
    const usage: Usage = {
      inputTokens: promptEvalCount ?? 0,
      cachedInputTokens: 0,
      outputTokens: evalCount ?? 0,
      reasoningTokens: 0,
      source: promptEvalCount !== null || evalCount !== null ? 'server' : 'unavailable',
    };
    const timings = resolveTimings(final, opened.sentAt, firstTokenAt, finishedAt);

    if (promptEvalCount !== null) {
      const contextLength = await learnContextLength();
      if (contextLength !== null && promptEvalCount >= contextLength) {
        issues.push({
          kind: 'truncated',
          message:
            `the prompt filled the whole context (${promptEvalCount} of ${contextLength} tokens): Ollama silently ` +
            `truncated it and the model did not see all of the conversation. This is a configuration problem: set ` +
            `numCtx (Ollama num_ctx) higher${numCtx === undefined ? ' (it is unset, so the server default applies)' : ''}.`,
        });
      }
    }
    if (finishReason === 'length') issues.push(outputLimitIssue('done_reason "length"'));
    issues.push(...emptyTurnIssues(normalized));

    return assembleStepResult(normalized, {
      finishReason,
      rawFinishReason,
      usage,
      timings,
      issues,
      provider: 'ollama',
      model,
      simulated: opened.simulated,
    });
  }

  async function describe(): Promise<EndpointInfo> {
    const info = unknownEndpointInfo('ollama', model, { simulated });
    let show: JsonObject | null;
    let ps: JsonObject | null;
    try {
      const opened = await request('/api/show', 'POST', { model }, undefined, true);
      if (opened.simulated) simulated = true;
      info.simulated = simulated;
      info.reachable = true;
      const text = await opened.text();
      if (!opened.response.ok) {
        const message = errorMessageOf(text);
        info.notes.push(
          opened.response.status === 404
            ? `${message}: pull it with \`ollama pull ${model}\``
            : `/api/show answered HTTP ${opened.response.status}: ${message}`,
        );
        return info;
      }
      show = JSON.parse(text) as JsonObject;
      ps = await readJson('/api/ps', 'GET');
    } catch (error) {
      if (!info.reachable) {
        info.notes.push(error instanceof Error ? error.message : String(error));
        return info;
      }
      info.notes.push(
        `could not read the model details: ${error instanceof Error ? error.message : String(error)}`,
      );
      return info;
    }

    const details = isRecord(show.details) ? show.details : {};
    const modelInfo = isRecord(show.model_info) ? show.model_info : {};
    info.quantization = typeof details.quantization_level === 'string' ? details.quantization_level : null;
    info.parameterCount = typeof details.parameter_size === 'string' ? details.parameter_size : null;
    if (info.parameterCount === null && typeof modelInfo['general.parameter_count'] === 'number') {
      info.parameterCount = String(modelInfo['general.parameter_count']);
    }
    const architecture =
      typeof modelInfo['general.architecture'] === 'string' ? modelInfo['general.architecture'] : null;
    if (architecture) info.maxContextLength = numberOrNull(modelInfo[`${architecture}.context_length`]);
    if (Array.isArray(show.capabilities)) info.supportsTools = show.capabilities.includes('tools');
    if (info.supportsTools === false) {
      info.notes.push(
        `${model} does not declare the "tools" capability: Ollama will reject requests with tools`,
      );
    }

    const running = findRunning(ps);
    const runningContext = numberOrNull(running?.context_length);
    const parameterContext = numCtxFromParameters(show.parameters);
    if (running) {
      info.sizeBytes = numberOrNull(running.size);
      info.sizeVramBytes = numberOrNull(running.size_vram);
      if (info.sizeBytes !== null && info.sizeVramBytes !== null) {
        info.cpuOffload = info.sizeVramBytes < info.sizeBytes;
        if (info.cpuOffload) {
          const percent = Math.round((1 - info.sizeVramBytes / info.sizeBytes) * 100);
          info.notes.push(
            `${percent}% of the loaded model is offloaded to the CPU (size_vram ${info.sizeVramBytes} < size ${info.sizeBytes}): expect slow generation`,
          );
        }
      }
    } else {
      info.notes.push(
        `${model} is not loaded right now (/api/ps): size, VRAM use and offload are unknown until it is`,
      );
    }

    if (numCtx !== undefined) {
      info.contextLength = numCtx;
      if (runningContext !== null && runningContext !== numCtx) {
        info.notes.push(
          `loaded with context ${runningContext}; requests ask for numCtx ${numCtx}, so Ollama will reload it`,
        );
      }
    } else if (runningContext !== null) {
      info.contextLength = runningContext;
    } else if (parameterContext !== null) {
      info.contextLength = parameterContext;
    } else {
      info.contextLength = OLLAMA_DEFAULT_CONTEXT;
      info.notes.push(
        `context length not reported: assuming Ollama's default of ${OLLAMA_DEFAULT_CONTEXT} tokens (newer servers may pick more from the VRAM size)`,
      );
    }
    if (numCtx === undefined) learnedContextLength = info.contextLength;
    if (info.contextLength <= OLLAMA_DEFAULT_CONTEXT) {
      info.notes.push(
        `context is ${info.contextLength} tokens: Ollama's default; agent prompts will be silently truncated — set numCtx`,
      );
    } else if (info.contextLength < SMALL_CONTEXT) {
      info.notes.push(
        `context is only ${info.contextLength} tokens; agent prompts will likely be silently truncated — set numCtx`,
      );
    }
    if (info.maxContextLength !== null && info.contextLength > info.maxContextLength) {
      info.notes.push(
        `context ${info.contextLength} is above the model's trained maximum of ${info.maxContextLength} tokens`,
      );
    }
    return info;
  }

  return {
    id: `ollama:${model}`,
    provider: 'ollama',
    model,
    get simulated() {
      return simulated;
    },
    step,
    describe,
  };
}

function resolveTimings(
  final: JsonObject,
  sentAt: number,
  firstTokenAt: number | null,
  finishedAt: number,
): Timings {
  const milliseconds = (nanoseconds: unknown) => {
    const value = numberOrNull(nanoseconds);
    return value === null ? null : value / NANOSECONDS_PER_MILLISECOND;
  };
  const perSecond = (count: unknown, durationMs: number | null) => {
    const tokens = numberOrNull(count);
    return tokens === null || durationMs === null || durationMs <= 0 ? null : tokens / (durationMs / 1000);
  };
  const prefillMs = milliseconds(final.prompt_eval_duration);
  const decodeMs = milliseconds(final.eval_duration);
  const prefillTokensPerSecond = perSecond(final.prompt_eval_count, prefillMs);
  const decodeTokensPerSecond = perSecond(final.eval_count, decodeMs);
  return {
    timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - sentAt,
    prefillTokensPerSecond,
    decodeTokensPerSecond,
    prefillMs,
    decodeMs,
    wallMs: finishedAt - sentAt,
    loadMs: milliseconds(final.load_duration),
    sources: {
      timeToFirstToken: firstTokenAt === null ? 'unavailable' : 'measured',
      prefill: prefillTokensPerSecond === null ? 'unavailable' : 'server',
      decode: decodeTokensPerSecond === null ? 'unavailable' : 'server',
    },
  };
}
