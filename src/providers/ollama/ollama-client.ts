import { type JsonObject, numberOrNull } from '../../shared/json-values.ts';
import { positiveIntegerOption, requireModelOption, requireValidBaseUrl } from '../client-option-checks.ts';
import { ContextLengthExceededError } from '../context-length-error.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import { nodeHttpFetch } from '../node-http-fetch.ts';
import {
  errorBodyText,
  errorForStatus,
  excerpt,
  openTimedRequest,
  readLines,
  type TimedResponse,
} from '../provider-http.ts';
import {
  assembleStepResult,
  emptyTurnIssues,
  outputLimitIssue,
  serverParsedArgumentIssues,
} from '../step-result-assembly.ts';
import { normalizeAssistantOutput } from '../tool-call-recovery.ts';
import type {
  EndpointInfo,
  ModelClient,
  ModelIssue,
  SlotTicket,
  StepRequest,
  StepResult,
  ToolCall,
} from '../types.ts';
import { unknownEndpointInfo } from '../unknown-endpoint-info.ts';
import { ollamaFinishReason, ollamaTimings, ollamaUsage } from './ollama-final-chunk.ts';
import { ollamaRequestBody } from './ollama-request-body.ts';
import { parseOllamaToolCall } from './ollama-tool-call.ts';
import {
  nestedRunnerErrorSchema,
  type OllamaChatChunk,
  type OllamaRunningModel,
  type OllamaShow,
  ollamaChatChunkSchema,
  ollamaErrorBodySchema,
  ollamaProcessListSchema,
  ollamaShowSchema,
} from './ollama-wire-schemas.ts';

/**
 * The Ollama native API client (`/api/chat`, `/api/show`, `/api/ps`). Streams NDJSON, takes tool calls whole with
 * object arguments, converts nanosecond durations, and flags Ollama's silent prompt truncation at `num_ctx`.
 */

export { toOllamaMessages, toOllamaTools } from './ollama-request-body.ts';
export { parseOllamaToolCall } from './ollama-tool-call.ts';

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

const LABEL = 'Ollama client';
const positiveInteger = (value: number | undefined, name: string) =>
  positiveIntegerOption(LABEL, value, name);

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
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = ollamaErrorBodySchema.safeParse(parsed);
  if (body.success) return nestedErrorMessage(body.data.error);
  return excerpt(text) || '(empty body)';
}

function nestedErrorMessage(message: string): string {
  if (!message.trimStart().startsWith('{')) return message;
  try {
    const nested = nestedRunnerErrorSchema.safeParse(JSON.parse(message));
    if (nested.success) return nested.data.error.message;
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
  const fetchFunction = options.fetch ?? nodeHttpFetch;
  const target = `Ollama at ${baseUrl}`;
  let simulated = false;
  /** The context length the server uses for this model, once known (numCtx, or learned from /api/ps, /api/show). */
  let learnedContextLength: number | null = null;

  // With the default transport, a request given a slot goes out from the request thread; a custom fetch is used as is.
  const takesSlotTickets = options.fetch === undefined;
  const request = (
    path: string,
    method: 'GET' | 'POST',
    body: unknown,
    signal?: AbortSignal,
    quick = false,
    slot?: SlotTicket,
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
      ...(takesSlotTickets && slot ? { slot } : {}),
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

  async function readJson(path: string, method: 'GET' | 'POST', body?: unknown): Promise<unknown> {
    const opened = await request(path, method, body, undefined, true);
    if (opened.simulated) simulated = true;
    const text = await opened.text();
    if (!opened.response.ok) return null;
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }

  function findRunning(psBody: unknown): OllamaRunningModel | null {
    const ps = ollamaProcessListSchema.safeParse(psBody);
    const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
    const found = (ps.success ? (ps.data.models ?? []) : []).find(
      (entry) =>
        (entry.name !== undefined && withTag(entry.name) === withTag(model)) ||
        (entry.model !== undefined && withTag(entry.model) === withTag(model)),
    );
    return found ?? null;
  }

  /** Looks up the context the loaded model runs with, once, after a step; failures leave it unknown. */
  async function learnContextLength(): Promise<number | null> {
    if (numCtx !== undefined) return numCtx;
    if (learnedContextLength !== null) return learnedContextLength;
    try {
      const running = findRunning(await readJson('/api/ps', 'GET'));
      learnedContextLength = running?.context_length ?? null;
      if (learnedContextLength === null) {
        const show = ollamaShowSchema.safeParse(await readJson('/api/show', 'POST', { model }));
        learnedContextLength = show.success ? numCtxFromParameters(show.data.parameters) : null;
      }
    } catch {
      learnedContextLength = null;
    }
    return learnedContextLength;
  }

  const buildBody = (stepRequest: StepRequest): JsonObject =>
    ollamaRequestBody(stepRequest, { model, numCtx, think: options.think, keepAlive: options.keepAlive });

  async function step(stepRequest: StepRequest): Promise<StepResult> {
    const opened = await request(
      '/api/chat',
      'POST',
      buildBody(stepRequest),
      stepRequest.signal,
      false,
      stepRequest.slot,
    );
    if (opened.simulated) simulated = true;
    if (!opened.response.ok) await failForStatus(opened);

    let text = '';
    let reasoning = '';
    const toolCalls: ToolCall[] = [];
    let firstTokenAt: number | null = null;
    let final: OllamaChatChunk | null = null;
    try {
      for await (const line of readLines(opened.chunks())) {
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new InfrastructureError(
            'bad-response',
            `${target} sent a stream line that is not JSON: ${excerpt(line, 200)}`,
          );
        }
        const parsed = ollamaChatChunkSchema.safeParse(value);
        if (!parsed.success) {
          throw new InfrastructureError('bad-response', `${target} sent a stream line that is not an object`);
        }
        const chunk = parsed.data;
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
        const contentDelta = chunk.message?.content ?? '';
        const thinkingDelta = chunk.message?.thinking ?? '';
        const calls = chunk.message?.tool_calls ?? [];
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

    const rawFinishReason = final.done_reason ?? null;
    const finishReason = ollamaFinishReason(rawFinishReason, normalized.toolCalls.length > 0);
    const usage = ollamaUsage(final);
    const timings = ollamaTimings(final, opened.sentAt, firstTokenAt, finishedAt);
    const promptEvalCount = final.prompt_eval_count ?? null;

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
    let show: OllamaShow;
    let ps: unknown;
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
      show = ollamaShowSchema.parse(JSON.parse(text));
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

    const modelInfo = show.model_info ?? {};
    info.quantization = show.details?.quantization_level ?? null;
    info.parameterCount = show.details?.parameter_size ?? null;
    if (info.parameterCount === null && typeof modelInfo['general.parameter_count'] === 'number') {
      info.parameterCount = String(modelInfo['general.parameter_count']);
    }
    const architecture =
      typeof modelInfo['general.architecture'] === 'string' ? modelInfo['general.architecture'] : null;
    if (architecture) info.maxContextLength = numberOrNull(modelInfo[`${architecture}.context_length`]);
    if (show.capabilities) info.supportsTools = show.capabilities.includes('tools');
    if (info.supportsTools === false) {
      info.notes.push(
        `${model} does not declare the "tools" capability: Ollama will reject requests with tools`,
      );
    }

    const running = findRunning(ps);
    const runningContext = running?.context_length ?? null;
    const parameterContext = numCtxFromParameters(show.parameters);
    if (running) {
      info.sizeBytes = running.size ?? null;
      info.sizeVramBytes = running.size_vram ?? null;
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
    takesSlotTickets,
  };
}
