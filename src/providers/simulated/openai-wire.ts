import type { ServerResponse } from 'node:http';
import { isRecord, type JsonObject } from '../../shared/json-values.ts';
import type { OpenAIFlavour, SimulatedTurn, SimulatedUsage } from './script.ts';
import { estimateTokens } from './token-estimate.ts';
import {
  argumentsText,
  countRequestCharacters,
  deliverToolCalls,
  splitIntoChunks,
} from './tool-call-delivery.ts';
import { sendJson, sleep, type WireContext } from './wire-context.ts';
import { retryAfterHeaders } from './wire-faults.ts';

/**
 * The OpenAI-compatible chat wire format as real servers speak it (OpenAI, llama.cpp `llama-server`, vLLM,
 * LM Studio, OpenRouter), simulated from a script. Everything here is labelled simulated by the server's header.
 */

const DEFAULT_CHUNK_SIZE = 8;
let responseCounter = 0;

/** The name of the delta/message field that carries reasoning text, or null when the flavour sends none. */
function reasoningField(flavour: OpenAIFlavour): 'reasoning_content' | 'reasoning' | null {
  switch (flavour) {
    case 'llamacpp':
    case 'lmstudio':
      return 'reasoning_content';
    case 'vllm':
    case 'openrouter':
      return 'reasoning';
    case 'openai':
      return null;
  }
}

/** What the server puts in each field, once the turn's tool-call delivery has been applied. */
interface RenderedTurn {
  content: string;
  reasoning: string;
  nativeCalls: Array<{ id: string; name: string; arguments: string }>;
}

function renderTurn(turn: SimulatedTurn, flavour: OpenAIFlavour, responseId: number): RenderedTurn {
  const delivered = deliverToolCalls(turn, reasoningField(flavour) !== null);
  return {
    content: delivered.content,
    reasoning: delivered.reasoning,
    nativeCalls: delivered.nativeCalls.map((call, index) => ({
      id: call.id ?? `call_${responseId}_${index}`,
      name: call.name,
      arguments: argumentsText(call),
    })),
  };
}

/** Prompt tokens of a request body by the endpoint's simulated tokenizer. */
function promptTokensOf(requestBody: unknown, endpoint: WireContext['endpoint']): number {
  const charactersPerToken = endpoint.charactersPerToken ?? 4;
  return Math.max(1, Math.ceil(countRequestCharacters(requestBody) / charactersPerToken));
}

function defaultUsage(
  requestBody: unknown,
  rendered: RenderedTurn,
  endpoint: WireContext['endpoint'],
): SimulatedUsage {
  const output =
    rendered.content.length +
    rendered.reasoning.length +
    rendered.nativeCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
  return {
    promptTokens: promptTokensOf(requestBody, endpoint),
    completionTokens: estimateTokens(output),
  };
}

function usageObject(usage: SimulatedUsage, flavour: OpenAIFlavour): JsonObject {
  const object: JsonObject = {
    completion_tokens: usage.completionTokens,
    prompt_tokens: usage.promptTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens ?? 0 },
  };
  // llama.cpp reports no reasoning-token breakdown.
  if (flavour !== 'llamacpp') {
    object.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens ?? 0 };
  }
  if (flavour === 'openrouter') {
    // OpenRouter passes on the upstream (OpenAI) detail fields.
    object.prompt_tokens_details = { cached_tokens: usage.cachedTokens ?? 0, audio_tokens: 0 };
    object.completion_tokens_details = {
      reasoning_tokens: usage.reasoningTokens ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    };
  }
  return object;
}

/** llama.cpp's build id on every chunk (`system_fingerprint`). */
const LLAMACPP_FINGERPRINT = 'b0000-simulated';

/** llama.cpp's `timings` object. Defaults: prefill at 1000 tokens/s, decode at 50 tokens/s. */
function llamaCppTimings(usage: SimulatedUsage, serverTimings: SimulatedTurn['serverTimings']): JsonObject {
  const cached = usage.cachedTokens ?? 0;
  const promptN = Math.max(0, usage.promptTokens - cached);
  const predictedN = usage.completionTokens;
  const promptMs = serverTimings?.promptMs ?? promptN;
  const predictedMs = serverTimings?.predictedMs ?? predictedN * 20;
  const perToken = (ms: number, n: number) => (n > 0 ? ms / n : 0);
  const perSecond = (ms: number, n: number) => (ms > 0 ? (n / ms) * 1000 : 0);
  return {
    cache_n: cached,
    prompt_n: promptN,
    prompt_ms: promptMs,
    prompt_per_token_ms: perToken(promptMs, promptN),
    prompt_per_second: perSecond(promptMs, promptN),
    predicted_n: predictedN,
    predicted_ms: predictedMs,
    predicted_per_token_ms: perToken(predictedMs, predictedN),
    predicted_per_second: perSecond(predictedMs, predictedN),
  };
}

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 401 || status === 403) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function sendHttpError(
  response: ServerResponse,
  status: number,
  body?: string,
  retryAfterSeconds?: number,
): void {
  const headers = retryAfterHeaders(retryAfterSeconds);
  if (body !== undefined) {
    let isJson = true;
    try {
      JSON.parse(body);
    } catch {
      isJson = false;
    }
    response.writeHead(status, { 'content-type': isJson ? 'application/json' : 'text/plain', ...headers });
    response.end(body);
    return;
  }
  sendJson(
    response,
    status,
    { error: { message: `simulated HTTP ${status} error`, type: errorType(status), code: status } },
    headers,
  );
}

function writeEvent(response: ServerResponse, payload: unknown): void {
  response.write(`data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`);
}

/**
 * vLLM's error inside a stream, then `[DONE]`, as its chat handler sends them: `create_streaming_error_response`
 * is Python's json.dumps of `ErrorResponse(error=ErrorInfo(message, type, param, code))` (", " and ": " separators),
 * an exception while generating being an InternalServerError with code 500.
 */
function writeVllmStreamError(response: ServerResponse, message: string): void {
  const pythonJson = `{"error": {"message": ${JSON.stringify(message)}, "type": "InternalServerError", "param": null, "code": 500}}`;
  response.write(`data: ${pythonJson}\n\n`);
  response.end('data: [DONE]\n\n');
}

/** The wording of llama.cpp builds before #16109 for a prompt over the context (tools/server/server.cpp). */
const LLAMACPP_LEGACY_CONTEXT_REFUSAL =
  'the request exceeds the available context size. try increasing the context size or enable context shift';

/**
 * A llama.cpp error inside a 200 stream. Builds before #16109 (b5966) wrote it as the SSE field `error: {…}`
 * (server_sent_event(sink, "error", error_data)), then `data: [DONE]` (test-support/fixtures/llamacpp-b5966). Current
 * builds write `data: {"error":{…}}` and end the stream there, without `[DONE]` ("terminate on error" in
 * tools/server/server-context.cpp, llama.cpp de3ff815 as bundled by node-llama-cpp). `error` is
 * format_error_response's object (keys sorted, as nlohmann::json writes them).
 */
function writeLlamaCppStreamError(
  response: ServerResponse,
  error: JsonObject,
  legacyErrorField: boolean,
): void {
  if (legacyErrorField) {
    response.write(`error: ${JSON.stringify(error)}\n\n`);
    response.end('data: [DONE]\n\n');
  } else {
    response.end(`data: ${JSON.stringify({ error })}\n\n`);
  }
}

/** Opens a 200 event stream. */
function openEventStream(response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  response.flushHeaders();
}

/** Resolves when the client goes away (used for the `hang` fault). */
function waitForClose(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed || response.socket?.destroyed) resolve();
    else response.on('close', () => resolve());
  });
}

/** Answers POST /v1/chat/completions in the wire format of `context.flavour`. */
export async function handleOpenAIChat(context: WireContext): Promise<void> {
  const { request, response, turn, flavour, endpoint } = context;
  const body: JsonObject = isRecord(request.body) ? request.body : {};
  const fault = turn.fault;

  if (fault?.kind === 'http-error') {
    sendHttpError(response, fault.status, fault.body, fault.retryAfterSeconds);
    return;
  }
  if (!Array.isArray(body.messages)) {
    sendJson(response, 400, {
      error: {
        message: "'messages' is required and must be an array",
        type: 'invalid_request_error',
        code: 400,
      },
    });
    return;
  }
  const promptTokens = promptTokensOf(body, endpoint);
  const legacyErrorField = flavour === 'llamacpp' && endpoint.streamErrorsAsSseErrorField === true;
  if (promptTokens > endpoint.contextLength && legacyErrorField && body.stream === true) {
    openEventStream(response);
    const error = { code: 400, message: LLAMACPP_LEGACY_CONTEXT_REFUSAL, type: 'invalid_request_error' };
    writeLlamaCppStreamError(response, error, true);
    return;
  }
  if (promptTokens > endpoint.contextLength) {
    sendJson(response, 400, {
      error: {
        code: 400,
        message: 'the request exceeds the available context size, try increasing it',
        type: 'exceed_context_size_error',
        n_prompt_tokens: promptTokens,
        n_ctx: endpoint.contextLength,
      },
    });
    return;
  }
  if (fault?.kind === 'hang') {
    await waitForClose(response);
    return;
  }

  responseCounter += 1;
  const responseId = responseCounter;
  const rendered = renderTurn(turn, flavour, responseId);
  const usage = turn.usage ?? defaultUsage(body, rendered, endpoint);
  const finishReason = turn.finishReason ?? (rendered.nativeCalls.length > 0 ? 'tool_calls' : 'stop');
  const model = typeof body.model === 'string' && body.model.length > 0 ? body.model : endpoint.model;
  const id = `chatcmpl-simulated-${responseId}`;
  const created = Math.floor(Date.now() / 1000);
  const field = reasoningField(flavour);

  if (body.stream !== true) {
    await sleep(turn.firstTokenDelayMs ?? 0);
    const message: JsonObject = {
      role: 'assistant',
      content: rendered.content.length > 0 || rendered.nativeCalls.length === 0 ? rendered.content : null,
    };
    if (field !== null && rendered.reasoning.length > 0) message[field] = rendered.reasoning;
    if (rendered.nativeCalls.length > 0) {
      message.tool_calls = rendered.nativeCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      }));
    }
    const completion: JsonObject = {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, finish_reason: finishReason }],
      usage: usageObject(usage, flavour),
    };
    if (flavour === 'llamacpp') completion.timings = llamaCppTimings(usage, turn.serverTimings);
    sendJson(response, 200, completion);
    return;
  }

  const chunkSize = turn.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const llamaCpp = flavour === 'llamacpp';
  const fingerprint: JsonObject = llamaCpp ? { system_fingerprint: LLAMACPP_FINGERPRINT } : {};
  const openRouter = flavour === 'openrouter';
  const chunk = (delta: JsonObject, finish: string | null = null): JsonObject =>
    openRouter
      ? openRouterChunk(`gen-simulated-${responseId}`, model, created, delta, finish)
      : {
          choices: [{ finish_reason: finish, index: 0, delta }],
          created,
          id,
          model,
          ...fingerprint,
          object: 'chat.completion.chunk',
        };

  // llama.cpp opens with a null content, others with an empty string.
  const deltas: JsonObject[] = [{ role: 'assistant', content: llamaCpp ? null : '' }];
  if (field !== null) {
    for (const piece of splitIntoChunks(rendered.reasoning, chunkSize)) deltas.push({ [field]: piece });
  }
  for (const piece of splitIntoChunks(rendered.content, chunkSize)) deltas.push({ content: piece });
  rendered.nativeCalls.forEach((call, index) => {
    deltas.push({
      tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
    });
    for (const piece of splitIntoChunks(call.arguments, chunkSize)) {
      deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
  });
  // OpenRouter repeats the opening delta on its finish chunk.
  const finishDelta: JsonObject = openRouter ? { role: 'assistant', content: '' } : {};
  const events: JsonObject[] = [...deltas.map((delta) => chunk(delta)), chunk(finishDelta, finishReason)];
  const streamOptions = body.stream_options;
  const includeUsage = isRecord(streamOptions) && streamOptions.include_usage === true;
  if (includeUsage && openRouter) {
    // OpenRouter sends the usage after the finish chunk, in a chunk whose choice says finish_reason null again.
    events.push({ ...chunk({ role: 'assistant', content: '' }), usage: usageObject(usage, flavour) });
  } else if (includeUsage) {
    events.push({
      choices: [],
      created,
      id,
      model,
      ...fingerprint,
      object: 'chat.completion.chunk',
      usage: usageObject(usage, flavour),
    });
  }
  // llama.cpp puts its timings on the last chunk: the usage chunk when there is one.
  if (llamaCpp) events[events.length - 1].timings = llamaCppTimings(usage, turn.serverTimings);
  const stream: unknown[] = [...events, '[DONE]'];

  openEventStream(response);
  await sleep(turn.firstTokenDelayMs ?? 0);

  let sent = 0;
  for (const event of stream) {
    if (response.destroyed) return;
    if (fault?.kind === 'error-in-stream' && sent === fault.afterChunks && flavour === 'vllm') {
      writeVllmStreamError(response, fault.message);
      return;
    }
    if (fault?.kind === 'error-in-stream' && sent === fault.afterChunks && llamaCpp) {
      const error = { code: 500, message: fault.message, type: 'server_error' };
      writeLlamaCppStreamError(response, error, legacyErrorField);
      return;
    }
    if (fault?.kind === 'error-in-stream' && sent === fault.afterChunks) {
      writeEvent(response, { error: { message: fault.message, type: 'server_error', code: 500 } });
      response.end();
      return;
    }
    if (fault?.kind === 'drop-connection' && sent === fault.afterChunks) {
      response.socket?.destroy();
      response.destroy();
      return;
    }
    if (sent > 0) await sleep(turn.chunkDelayMs ?? 0);
    writeEvent(response, event);
    sent += 1;
  }
  response.end();
}

/**
 * An OpenRouter stream chunk (its own fields: `provider`, `native_finish_reason`, `logprobs`), in the key order of
 * the real chunks in test-support/fixtures/openrouter/chat-stream-usage-after-finish.txt.
 */
function openRouterChunk(
  id: string,
  model: string,
  created: number,
  delta: JsonObject,
  finish: string | null,
): JsonObject {
  return {
    id,
    provider: 'Simulated',
    model,
    object: 'chat.completion.chunk',
    created,
    choices: [{ index: 0, delta, finish_reason: finish, native_finish_reason: finish, logprobs: null }],
    system_fingerprint: 'fp_simulated',
  };
}

function modelEntry(flavour: OpenAIFlavour, endpoint: WireContext['endpoint']): JsonObject {
  const created = Math.floor(Date.now() / 1000);
  const base: JsonObject = { id: endpoint.model, object: 'model', created };
  switch (flavour) {
    case 'openai':
      return { ...base, owned_by: 'system' };
    case 'llamacpp':
      // As llama-server lists its one model: by alias or file name, with the model's metadata.
      return {
        ...base,
        aliases: [],
        owned_by: 'llamacpp',
        meta: {
          vocab_type: 2,
          n_ctx: endpoint.contextLength,
          n_ctx_train: endpoint.maxContextLength,
          size: endpoint.sizeBytes,
        },
      };
    case 'vllm':
      return {
        ...base,
        owned_by: 'vllm',
        root: endpoint.model,
        parent: null,
        max_model_len: endpoint.contextLength,
        permission: [],
      };
    case 'lmstudio':
      return { ...base, owned_by: 'organization_owner' };
    case 'openrouter':
      // OpenRouter's model list: no `object`/`owned_by`, the context length as `context_length`.
      return { id: endpoint.model, name: endpoint.model, created, context_length: endpoint.maxContextLength };
  }
}

function chatTemplate(supportsTools: boolean): string {
  const tools = supportsTools
    ? '{%- if tools %}{{- "<tools>" }}{%- for tool in tools %}{{- tool | tojson }}{%- endfor %}{{- "</tools>" }}{%- endif %}'
    : '';
  return `${tools}{%- for message in messages %}{{- "<|im_start|>" + message.role + "\\n" + message.content + "<|im_end|>\\n" }}{%- endfor %}`;
}

/** Answers the info routes: GET /v1/models, GET /props (llama.cpp only), GET /health; 404 JSON otherwise. */
export async function handleOpenAIInfo(context: WireContext): Promise<void> {
  const { request, response, flavour, endpoint } = context;
  const notFound = () =>
    sendJson(response, 404, {
      error: {
        message: `simulated server: no route for ${request.method} ${request.path}`,
        type: 'not_found_error',
        code: 404,
      },
    });
  if (request.method !== 'GET') {
    notFound();
    return;
  }
  if (request.path === '/v1/models' || request.path === '/models') {
    sendJson(response, 200, { object: 'list', data: [modelEntry(flavour, endpoint)] });
    return;
  }
  if (flavour === 'lmstudio' && request.path.startsWith('/api/v0/models')) {
    // LM Studio's own REST API (docs: lmstudio.ai/docs/developer/rest/endpoints), with the loaded context.
    const entry = {
      id: endpoint.model,
      object: 'model',
      type: 'llm',
      publisher: 'lmstudio-community',
      arch: 'qwen3',
      compatibility_type: 'gguf',
      quantization: endpoint.quantization,
      state: 'loaded',
      max_context_length: endpoint.maxContextLength,
      loaded_context_length: endpoint.contextLength,
    };
    const single = decodeURIComponent(request.path.slice('/api/v0/models/'.length));
    if (request.path === '/api/v0/models') sendJson(response, 200, { object: 'list', data: [entry] });
    else if (single === endpoint.model) sendJson(response, 200, entry);
    else sendJson(response, 404, { error: `Model "${single}" not found` });
    return;
  }
  if (request.path === '/health') {
    sendJson(response, 200, { status: 'ok' });
    return;
  }
  if (request.path === '/props' && flavour === 'llamacpp') {
    sendJson(response, 200, {
      default_generation_settings: {
        params: { temperature: 0.8, top_p: 0.95, n_predict: -1 },
        n_ctx: endpoint.contextLength,
      },
      total_slots: endpoint.totalSlots,
      model_path: `/models/${endpoint.model}.gguf`,
      chat_template: chatTemplate(endpoint.supportsTools),
      chat_template_caps: {
        supports_tools: endpoint.supportsTools,
        supports_tool_calls: endpoint.supportsTools,
        supports_system_role: true,
      },
      build_info: LLAMACPP_FINGERPRINT,
    });
    return;
  }
  notFound();
}
