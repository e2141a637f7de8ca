import { isRecord } from '../../shared/json-values.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import { nodeHttpFetch } from '../node-http-fetch.ts';
import { errorBodyText, errorCode, openTimedRequest } from '../provider-http.ts';
import type { ModelClient, StepRequest, StepResult } from '../types.ts';
import { describeOpenAICompatibleEndpoint, type JsonAnswer } from './openai-endpoint-info.ts';
import { errorForResponse } from './openai-error-body.ts';
import { readEventStream, warmUpEventStreamReading } from './openai-event-stream.ts';
import { chatRequestBody, type OpenAICompatibleFlavour } from './openai-request-body.ts';
import { applyChunk, emptyAccumulator, readChunk } from './openai-response-accumulator.ts';
import { openAIStepResult } from './openai-step-result.ts';

export { mapFinishReason } from './openai-finish-reason.ts';
export { type OpenAICompatibleFlavour, toOpenAIMessages, toOpenAITools } from './openai-request-body.ts';
export { parseToolArguments } from './openai-step-result.ts';

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
  /** A fetch implementation (default: nodeHttpFetch, node:http for plain-HTTP servers, the global fetch otherwise). */
  fetch?: typeof fetch;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
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

function positiveTimeout(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * Creates a model client for any server speaking the OpenAI chat-completions streaming API. The pieces live apart,
 * as in the Vercel AI SDK: request body and message conversion, zod schemas of the wire, the stream accumulator,
 * finish-reason/usage/timing mapping, endpoint description, and the shared HTTP layer (`provider-http.ts`).
 */
export function createOpenAICompatibleClient(options: OpenAICompatibleClientOptions): ModelClient {
  if (typeof options.model !== 'string' || options.model.trim() === '') {
    throw new Error('OpenAI-compatible client needs a model name');
  }
  const urls = resolveBaseUrls(options.baseUrl);
  const flavour = options.flavour ?? 'generic';
  const provider = options.provider ?? flavour;
  const model = options.model;
  const label = `${provider} ${model}`;
  const headersTimeoutMs = positiveTimeout(
    'requestTimeoutMs',
    options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  );
  const idleTimeoutMs = positiveTimeout('idleTimeoutMs', options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  const fetch = options.fetch ?? nodeHttpFetch;
  // With the default transport, a request given a slot goes out from the request thread; a custom fetch is used as is.
  const takesSlotTickets = options.fetch === undefined;
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    ...options.headers,
  };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  let sawSimulated = false;
  void warmUpEventStreamReading();

  const step = async (request: StepRequest): Promise<StepResult> => {
    request.signal?.throwIfAborted();
    const opened = await openTimedRequest({
      url: `${urls.api}/chat/completions`,
      method: 'POST',
      headers,
      body: chatRequestBody(request, { model, flavour, extraBody: options.extraBody }),
      fetch,
      headersTimeoutMs,
      idleTimeoutMs,
      signal: request.signal,
      target: `${label} at ${urls.api}`,
      ...(takesSlotTickets && request.slot ? { slot: request.slot } : {}),
    });
    try {
      sawSimulated ||= opened.simulated;
      const { response } = opened;
      if (!response.ok) {
        throw errorForResponse(
          response.status,
          await errorBodyText(opened),
          response.headers.get('retry-after'),
          label,
        );
      }
      const state = emptyAccumulator();
      const contentType = response.headers.get('content-type') ?? '';
      if (contentType.includes('text/event-stream')) {
        await readEventStream(opened.chunks(), state, request, label);
      } else {
        // The server ignored `stream: true` and sent a whole completion.
        const text = await opened.text();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new InfrastructureError(
            'bad-response',
            `${label}: expected an event stream or JSON, got ${contentType || 'no content type'}: ${text.slice(0, 200)}`,
          );
        }
        applyChunk(readChunk(parsed, label, 'response'), state, request, false, label);
        state.done = true;
      }
      if (!state.done && state.finishReason === null) {
        throw new InfrastructureError(
          'stream-error',
          `${label}: the stream ended without a finish reason or [DONE]`,
        );
      }
      if (state.finishReason === null && state.firstTokenAt === null && state.unparsedOutputError === null) {
        // `[DONE]` with no finish reason and nothing before it: the server gave up, the model said nothing.
        throw new InfrastructureError(
          'stream-error',
          `${label}: the stream ended with [DONE] but no output and no finish reason`,
        );
      }
      const result = openAIStepResult(state, request, opened.sentAt, {
        provider,
        model,
        simulated: opened.simulated,
      });
      // The answer is whole: the connection stays open for the next request.
      opened.release();
      return result;
    } finally {
      opened.close();
    }
  };

  const getJson = async (url: string): Promise<JsonAnswer> => {
    const quick = Math.min(headersTimeoutMs, DESCRIBE_TIMEOUT_MS);
    try {
      const opened = await openTimedRequest({
        url,
        method: 'GET',
        headers,
        fetch,
        requestTimeoutMs: quick,
        idleTimeoutMs: quick,
        target: url,
      });
      sawSimulated ||= opened.simulated;
      const text = await errorBodyText(opened);
      let json: Record<string, unknown> | null = null;
      try {
        const parsed: unknown = JSON.parse(text);
        json = isRecord(parsed) ? parsed : null;
      } catch {
        json = null;
      }
      return { reached: true, status: opened.response.status, json };
    } catch (error) {
      return {
        reached: false,
        status: null,
        json: null,
        error: errorCode(error) ?? (error as Error).message,
      };
    }
  };

  return {
    id: `${provider}:${model}`,
    provider,
    model,
    get simulated() {
      return sawSimulated;
    },
    step,
    takesSlotTickets,
    async describe() {
      const info = await describeOpenAICompatibleEndpoint({ provider, model, flavour, urls, getJson });
      info.simulated = sawSimulated;
      return info;
    },
  };
}
