import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ContextLengthExceededError } from '../providers/context-length-error.ts';
import { isInfrastructureError } from '../providers/infrastructure-error.ts';
import type { InfrastructureErrorKind, ModelClient, StepResult, ToolCall } from '../providers/types.ts';
import type { ToolCallValidity, TranscriptEventOf } from '../transcript/events.ts';
import type { TranscriptWriter } from '../transcript/transcript-writer.ts';
import { writeModelResponse } from '../transcript/write-model-response.ts';
import { classifyDeclaredToolCall, type DeclaredToolCallClassification } from './declared-tool-call.ts';
import { ChatRequestError, type TranslatedChatRequest, translateChatRequest } from './openai-request.ts';
import { openAIError, type ResponseIdentity } from './openai-response.ts';
import { chatAnswer, responsesAnswer } from './proxy-answer.ts';
import { type TranslatedResponsesRequest, translateResponsesRequest } from './responses-request.ts';
import { toolResultErrorReason } from './tool-result-error.ts';

/** Largest request body accepted from the agent. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Options of {@link startRecordingProxy}. */
export interface RecordingProxyOptions {
  /** The model every request is answered by (any provider: Ollama, llama.cpp, an API, a GGUF file). */
  client: ModelClient;
  /** Receives model-request / model-response / tool-call / tool-result / format-error / infrastructure-error events. */
  transcript: TranscriptWriter;
  /** Listen on this unix socket (created; removed on close) instead of TCP. */
  socketPath?: string;
  /** TCP port on 127.0.0.1 when no socketPath (default 0: any free port). */
  port?: number;
  /** Model calls answered before further requests are refused with HTTP 403 (default: unlimited). */
  maxModelCalls?: number;
  /** Called once when `maxModelCalls` refuses a request (e.g. to stop the agent). */
  onLimitReached?: () => void;
}

/** What the proxy has seen so far. */
export interface RecordingProxyStats {
  /** Chat requests forwarded to the model. */
  modelCalls: number;
  /** Of those, answered with a model response. */
  responses: number;
  /** Model calls that failed with an infrastructure error (answered 502). */
  infrastructureErrors: number;
  /** How the most recent model call ended; null before the first. */
  lastOutcome: 'response' | 'infrastructure-error' | 'context-exceeded' | 'cancelled' | null;
  /** True once a request was refused because of `maxModelCalls`. */
  limitReached: boolean;
}

/** A running proxy. */
export interface RecordingProxy {
  /** `http://127.0.0.1:<port>` (TCP), or null when listening on a unix socket. */
  readonly url: string | null;
  /** The unix socket path, or null on TCP. */
  readonly socketPath: string | null;
  /** A snapshot of the counters. */
  stats(): RecordingProxyStats;
  /** Writes the tool-call events of calls whose result the agent never sent back (done by `close` too). */
  flush(): void;
  /** Stops accepting, aborts model calls in flight, flushes pending tool calls, removes the socket. */
  close(): Promise<void>;
}

/** A tool call answered to the agent whose result has not come back yet. */
interface PendingCall {
  step: number;
  call: ToolCall;
  classification: DeclaredToolCallClassification;
  answeredAt: number;
}

type JsonObject = Record<string, unknown>;

type WireRoute = 'chat-completions' | 'responses';

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ChatRequestError(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function routeOf(url: string | undefined): string {
  const pathname = new URL(url ?? '/', 'http://proxy').pathname.replace(/\/+$/, '');
  return pathname.startsWith('/v1/') ? pathname.slice('/v1'.length) : pathname;
}

/**
 * Starts an OpenAI-compatible HTTP server (POST /v1/chat/completions, streaming and not; GET /v1/models) that sits
 * between a black-box coding agent and a {@link ModelClient}, recording every call in the transcript:
 *
 * - each request is translated to a StepRequest and sent through the client; the StepResult goes back in OpenAI
 *   wire format (SSE chunks with tool_calls deltas, a usage chunk when `stream_options.include_usage`). The whole
 *   answer is produced before the first byte is sent, so a failure can still be answered as an HTTP error and
 *   tool calls the client recovered from leaked text never reach the agent as content;
 * - every tool call is classified against the tools the agent declared in that same request (format, unknown
 *   tool, schema); its `tool-call` event is written when the agent's next request carries its result, and a
 *   `valid` call whose result looks like a failure becomes `execution-error` (best effort: see
 *   tool-result-error.ts). The matching `tool-result` event's `durationMs` is the time from our answer to the
 *   agent's next request: an upper bound of the tool's run time that includes the agent's own overhead;
 * - infrastructure failures (the model server down, 5xx, timeouts) are answered with HTTP 502 and recorded as
 *   `infrastructure-error` events (`final: false`: the agent may retry; the attempt status says whether one ended
 *   it), never as model errors. A context overflow is answered 400 `context_length_exceeded` and recorded as
 *   `limit-reached` (context).
 */
export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const { client, transcript } = options;
  const counters: RecordingProxyStats = {
    modelCalls: 0,
    responses: 0,
    infrastructureErrors: 0,
    lastOutcome: null,
    limitReached: false,
  };
  const pending = new Map<string, PendingCall>();
  const inFlight = new Set<AbortController>();
  const sockets = new Set<Socket>();
  let responseCounter = 0;
  let closed = false;

  const recordInfrastructureError = (
    step: number,
    kind: InfrastructureErrorKind,
    message: string,
    retries = 0,
  ) => {
    transcript.write({ type: 'infrastructure-error', step, kind, message, retries, final: false });
  };

  /** Writes the tool-call (and tool-result) event of a pending call; `result` is the agent's tool message. */
  const settle = (entry: PendingCall, result: { content: string; at: number } | null): void => {
    pending.delete(entry.call.id);
    let validity: ToolCallValidity = entry.classification.validity;
    let detail = entry.classification.detail;
    const errorReason = result ? toolResultErrorReason(result.content) : null;
    if (validity === 'valid' && errorReason !== null) {
      validity = 'execution-error';
      detail = `inferred from the tool result: ${errorReason}`;
    }
    if (!result && validity === 'valid') detail = 'the agent sent no result for this call';
    transcript.write({
      type: 'tool-call',
      step: entry.step,
      callId: entry.call.id,
      name: entry.call.name,
      arguments: entry.call.arguments,
      rawArguments: entry.call.rawArguments,
      origin: entry.call.origin,
      format: entry.call.format,
      validity,
      detail,
    });
    if (result) {
      transcript.write({
        type: 'tool-result',
        step: entry.step,
        callId: entry.call.id,
        name: entry.call.name,
        content: result.content,
        isError: errorReason !== null,
        truncated: false,
        metadata: { source: 'external-agent', errorInferred: errorReason !== null },
        durationMs: Math.max(0, result.at - entry.answeredAt),
      });
    }
  };

  const settleFromMessages = (
    messages: ReturnType<typeof translateChatRequest>['step']['messages'],
  ): void => {
    const now = performance.now();
    for (const message of messages) {
      if (message.role !== 'tool') continue;
      const entry = pending.get(message.toolCallId);
      if (entry) settle(entry, { content: message.content, at: now });
    }
  };

  const flush = (): void => {
    for (const entry of [...pending.values()]) settle(entry, null);
  };

  const recordResponse = (
    step: number,
    result: StepResult,
    declared: ReturnType<typeof translateChatRequest>['step']['tools'],
    proxyRecord: TranscriptEventOf<'model-response'>['proxy'],
  ) => {
    writeModelResponse(transcript, step, result, proxyRecord);
    const answeredAt = performance.now();
    for (const call of result.toolCalls) {
      const classification = classifyDeclaredToolCall(call, declared ?? []);
      if (classification.validity === 'format') {
        transcript.write({
          type: 'format-error',
          step,
          reason: 'malformed-arguments',
          detail: classification.detail ?? 'arguments not parseable',
          callId: call.id,
        });
      }
      pending.set(call.id, { step, call, classification, answeredAt });
    }
    if (result.toolCalls.length === 0 && result.text.trim() === '') {
      transcript.write({
        type: 'format-error',
        step,
        reason: 'empty-turn',
        detail: `the model answered with neither text nor a tool call (finish reason ${result.finishReason})`,
      });
    }
  };

  /** The previous request's wire body per route, to record only what changed. */
  const previousWire = new Map<WireRoute, { settings: string; messages: string[] }>();

  const wireRecord = (route: WireRoute, body: JsonObject, translated: TranslatedChatRequest) => {
    const list = route === 'responses' ? body.input : body.messages;
    const messages = Array.isArray(list) ? list : [list];
    const { messages: _messages, input: _input, ...rest } = body;
    const settings = JSON.stringify(rest);
    const texts = messages.map((message) => JSON.stringify(message));
    const previous = previousWire.get(route);
    let sharedPrefix = 0;
    while (previous && sharedPrefix < Math.min(texts.length, previous.messages.length)) {
      if (texts[sharedPrefix] !== previous.messages[sharedPrefix]) break;
      sharedPrefix += 1;
    }
    previousWire.set(route, { settings, messages: texts });
    return {
      route,
      stream: translated.stream,
      model: translated.requestedModel,
      ...(previous?.settings === settings ? {} : { settings: rest }),
      sharedPrefix,
      newMessages: messages.slice(sharedPrefix),
    };
  };

  const handleModelCall = async (
    route: WireRoute,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> => {
    const receivedAt = performance.now();
    let translated: TranslatedChatRequest | TranslatedResponsesRequest;
    let body: JsonObject;
    try {
      const text = await readBody(request);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ChatRequestError('the request body is not valid JSON');
      }
      translated = route === 'responses' ? translateResponsesRequest(parsed) : translateChatRequest(parsed);
      body = parsed as JsonObject;
    } catch (error) {
      if (!(error instanceof ChatRequestError)) throw error;
      sendJson(response, 400, openAIError(`shakedown proxy: ${error.message}`, 'invalid_request_error'));
      return;
    }
    settleFromMessages(translated.step.messages);

    if (options.maxModelCalls !== undefined && counters.modelCalls >= options.maxModelCalls) {
      if (!counters.limitReached) {
        counters.limitReached = true;
        transcript.write({
          type: 'limit-reached',
          which: 'steps',
          limit: options.maxModelCalls,
          value: counters.modelCalls,
        });
        options.onLimitReached?.();
      }
      sendJson(
        response,
        403,
        openAIError(
          `shakedown proxy: the limit of ${options.maxModelCalls} model calls for this attempt is reached`,
          'shakedown_limit_reached',
        ),
      );
      return;
    }

    const step = counters.modelCalls++;
    const { messages } = translated.step;
    transcript.write({
      type: 'model-request',
      step,
      messageCount: messages.length,
      estimatedPromptChars: messages.reduce((total, message) => total + message.content.length, 0),
      wire: wireRecord(route, body, translated),
    });
    const identity: ResponseIdentity = {
      id: `${route === 'responses' ? 'resp' : 'chatcmpl'}-shakedown-${++responseCounter}`,
      created: Math.floor(Date.now() / 1000),
      model: translated.requestedModel ?? client.model,
    };
    const settings = {
      response,
      stream: translated.stream,
      identity,
      // Known before the answer: a streamed answer's headers leave with its first token.
      headers: client.simulated ? { 'x-shakedown-simulated': '1' } : ({} as Record<string, string>),
      receivedAt,
    };
    const answer =
      route === 'responses'
        ? responsesAnswer({
            ...settings,
            customTools: (translated as TranslatedResponsesRequest).customTools,
          })
        : chatAnswer({ ...settings, includeUsage: translated.includeUsage });
    const controller = new AbortController();
    inFlight.add(controller);
    const onGone = (): void => {
      if (!response.writableFinished) controller.abort();
    };
    response.on('close', onGone);
    let result: StepResult;
    try {
      result = await client.step({
        ...translated.step,
        signal: controller.signal,
        onDelta: (delta) => answer.delta(delta.kind, delta.text),
      });
    } catch (error) {
      if (controller.signal.aborted) {
        counters.lastOutcome = 'cancelled';
        recordInfrastructureError(
          step,
          'connection',
          closed
            ? 'the proxy closed while the model call was in flight'
            : 'the agent closed the connection before the model answered',
        );
        response.destroy();
        return;
      }
      if (error instanceof ContextLengthExceededError) {
        counters.lastOutcome = 'context-exceeded';
        transcript.write({
          type: 'limit-reached',
          which: 'context',
          limit: error.contextLength,
          value: null,
        });
        answer.fail(400, openAIError(error.message, 'invalid_request_error', 'context_length_exceeded'));
        return;
      }
      counters.infrastructureErrors += 1;
      counters.lastOutcome = 'infrastructure-error';
      const kind: InfrastructureErrorKind = isInfrastructureError(error) ? error.kind : 'bad-response';
      const message = error instanceof Error ? error.message : String(error);
      const retries = isInfrastructureError(error) ? error.retries.length : 0;
      recordInfrastructureError(
        step,
        kind,
        isInfrastructureError(error) ? message : `model client failed: ${message}`,
        retries,
      );
      answer.fail(
        502,
        openAIError(
          `shakedown proxy: the model server failed (${kind}): ${message}`,
          'shakedown_infrastructure_error',
          kind,
        ),
      );
      return;
    } finally {
      inFlight.delete(controller);
      response.off('close', onGone);
    }
    counters.responses += 1;
    counters.lastOutcome = 'response';
    answer.finish(result);
    recordResponse(step, result, translated.step.tools, answer.record());
  };

  const modelsBody = (): JsonObject => ({
    object: 'list',
    data: [{ id: client.model, object: 'model', created: 0, owned_by: `shakedown:${client.provider}` }],
  });

  const server: Server = createServer((request, response) => {
    const route = routeOf(request.url);
    const method = request.method ?? 'GET';
    const handle = async (): Promise<void> => {
      if (method === 'POST' && route === '/chat/completions') {
        return handleModelCall('chat-completions', request, response);
      }
      if (method === 'POST' && route === '/responses') return handleModelCall('responses', request, response);
      if (method === 'GET' && route === '/models') return sendJson(response, 200, modelsBody());
      if (method === 'GET' && route.startsWith('/models/')) {
        return sendJson(response, 200, (modelsBody().data as JsonObject[])[0]);
      }
      sendJson(
        response,
        404,
        openAIError(`shakedown proxy: no route ${method} ${request.url ?? '/'}`, 'invalid_request_error'),
      );
    };
    handle().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      sendJson(response, 500, openAIError(`shakedown proxy internal error: ${message}`, 'server_error'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (options.socketPath) server.listen(options.socketPath, resolve);
    else server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const url = options.socketPath ? null : `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    socketPath: options.socketPath ?? null,
    stats: () => ({ ...counters }),
    flush,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const controller of inFlight) controller.abort();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
      flush();
      if (options.socketPath) await rm(options.socketPath, { force: true });
    },
  };
}
