import type { ServerResponse } from 'node:http';
import { isRecord, type JsonObject } from '../../shared/json-values.ts';
import { estimateTokens } from './token-estimate.ts';
import {
  argumentsText,
  countRequestCharacters,
  deliverToolCalls,
  splitIntoChunks,
  writeFlushed,
} from './tool-call-delivery.ts';
import { sendJson, sleep, type WireContext } from './wire-context.ts';
import { answerUpfrontFault, answerWholeResponseFault, retryAfterHeaders } from './wire-faults.ts';

/**
 * The Anthropic Messages API (`POST /v1/messages`) as the real service speaks it, simulated from a script: SSE
 * events message_start, content_block_start/delta/stop (text, thinking with signature, tool_use with
 * input_json_delta), message_delta with the stop reason and output tokens, message_stop, ping, and `event: error`.
 * Errors use Anthropic's `{"type":"error","error":{type,message}}` body; an over-long prompt is a 400
 * "prompt is too long". Every answer carries the simulated header.
 */

const DEFAULT_CHUNK_SIZE = 8;
let messageCounter = 0;

function errorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/**
 * Anthropic's in-stream overload as really sent (test-support/fixtures/anthropic/stream-error-overloaded-captured.txt):
 * `details: null`, which the documented example lacks; the stream ends after it.
 */
function overloadedEvent(message: string): string {
  return sseEvent('error', { error: { details: null, type: 'overloaded_error', message } });
}

function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  retryAfterSeconds?: number,
): void {
  const requestId = `req_simulated_${Date.now()}`;
  const headers = { 'request-id': requestId, ...retryAfterHeaders(retryAfterSeconds) };
  // Real error bodies repeat the request id (test-support/fixtures/anthropic/prompt-too-long.txt).
  sendJson(
    response,
    status,
    { type: 'error', error: { type: errorType(status), message }, request_id: requestId },
    headers,
  );
}

/** The lifetime of the cache_control breakpoints a request set (`5m` or `1h`), or null when it set none. */
function requestedCacheTtl(body: JsonObject): '5m' | '1h' | null {
  const text = JSON.stringify([body.system, body.messages, body.tools]);
  if (!text.includes('"cache_control"')) return null;
  return text.includes('"ttl":"1h"') ? '1h' : '5m';
}

function sseEvent(type: string, data: JsonObject): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** Answers POST /v1/messages from the scripted turn, as SSE when the request says `stream: true`. */
export async function handleAnthropicMessages(context: WireContext): Promise<void> {
  const { request, response, turn, endpoint } = context;
  const fault = turn.fault;
  const sendWireError = (status: number, message: string, retryAfterSeconds?: number) =>
    sendError(response, status, message, retryAfterSeconds);
  if (answerUpfrontFault(fault, sendWireError)) return;
  if (typeof request.headers['x-api-key'] !== 'string' || request.headers['x-api-key'].length === 0) {
    sendError(response, 401, 'x-api-key header is required');
    return;
  }
  if (typeof request.headers['anthropic-version'] !== 'string') {
    sendError(response, 400, 'anthropic-version: header is required');
    return;
  }
  const body = isRecord(request.body) ? request.body : null;
  if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
    sendError(response, 400, 'model: Field required; messages: Field required');
    return;
  }
  if (typeof body.max_tokens !== 'number') {
    sendError(response, 400, 'max_tokens: Field required');
    return;
  }
  const thinkingEnabled = isRecord(body.thinking) && body.thinking.type === 'enabled';
  const delivered = deliverToolCalls(turn, thinkingEnabled);
  // Without extended thinking enabled the service returns no thinking blocks.
  const thinking = thinkingEnabled ? delivered.reasoning : '';
  const content = delivered.content;

  const requestedPrompt =
    turn.usage?.promptTokens ??
    estimateTokens(countRequestCharacters({ system: body.system, messages: body.messages }));
  if (requestedPrompt > endpoint.contextLength) {
    sendError(
      response,
      400,
      `prompt is too long: ${requestedPrompt} tokens > ${endpoint.contextLength} maximum`,
    );
    return;
  }
  const cached = Math.min(turn.usage?.cachedTokens ?? 0, requestedPrompt);
  // Cache writes happen only where the request set a cache_control breakpoint, with its lifetime.
  const cacheTtl = requestedCacheTtl(body);
  const written = cacheTtl ? Math.min(turn.usage?.cacheWriteTokens ?? 0, requestedPrompt - cached) : 0;
  messageCounter += 1;
  const toolUses = delivered.nativeCalls.map((call, index) => ({
    id: call.id ?? `toolu_sim${messageCounter.toString().padStart(6, '0')}${index}`,
    name: call.name,
    json: argumentsText(call),
  }));
  const outputCharacters =
    thinking.length + content.length + toolUses.reduce((sum, use) => sum + use.json.length, 0);
  const outputTokens = turn.usage?.completionTokens ?? estimateTokens(outputCharacters);
  const stopReason = turn.finishReason ?? (toolUses.length > 0 ? 'tool_use' : 'end_turn');
  const usage = {
    input_tokens: requestedPrompt - cached - written,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
  const cacheCreation = {
    ephemeral_5m_input_tokens: cacheTtl === '1h' ? 0 : written,
    ephemeral_1h_input_tokens: cacheTtl === '1h' ? written : 0,
  };
  const messageId = `msg_sim${messageCounter.toString().padStart(8, '0')}`;
  const signature = `simulated-signature-${messageCounter}`;
  await sleep(turn.firstTokenDelayMs ?? 0);

  if (body.stream !== true) {
    if (answerWholeResponseFault(fault, response, 529, sendWireError)) return;
    const blocks: JsonObject[] = [];
    if (thinking) blocks.push({ type: 'thinking', thinking, signature });
    if (content) blocks.push({ type: 'text', text: content });
    for (const use of toolUses) {
      let input: unknown = {};
      try {
        input = JSON.parse(use.json);
      } catch {
        input = {};
      }
      blocks.push({ type: 'tool_use', id: use.id, name: use.name, input });
    }
    sendJson(response, 200, {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: blocks,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: {
        ...usage,
        cache_creation: cacheCreation,
        output_tokens: outputTokens,
        service_tier: 'standard',
      },
    });
    return;
  }

  // Every event after message_start, in order; `delta` marks the chunks that fault offsets count.
  const events: Array<{ text: string; delta: boolean }> = [];
  const push = (type: string, data: JsonObject, delta = false) =>
    events.push({ text: sseEvent(type, data), delta });
  const size = turn.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let index = 0;
  if (thinking) {
    push('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    for (const piece of splitIntoChunks(thinking, size)) {
      push('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: piece } }, true);
    }
    push('content_block_delta', { index, delta: { type: 'signature_delta', signature } });
    push('content_block_stop', { index });
    index += 1;
  }
  if (content) {
    push('content_block_start', { index, content_block: { type: 'text', text: '' } });
    push('ping', {});
    for (const piece of splitIntoChunks(content, size)) {
      push('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }, true);
    }
    push('content_block_stop', { index });
    index += 1;
  }
  for (const use of toolUses) {
    push('content_block_start', {
      index,
      content_block: { type: 'tool_use', id: use.id, name: use.name, input: {} },
    });
    push('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } });
    for (const piece of splitIntoChunks(use.json, size)) {
      push('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }, true);
    }
    push('content_block_stop', { index });
    index += 1;
  }
  push('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: null },
    // The final counts, cumulative: input, cache writes and reads again, output with its thinking part.
    usage: {
      ...usage,
      output_tokens: outputTokens,
      ...(thinking
        ? {
            output_tokens_details: {
              thinking_tokens: turn.usage?.reasoningTokens ?? estimateTokens(thinking.length),
            },
          }
        : {}),
    },
  });
  push('message_stop', {});

  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  await writeFlushed(
    response,
    sseEvent('message_start', {
      message: {
        id: messageId,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, cache_creation: cacheCreation, output_tokens: 1, service_tier: 'standard' },
      },
    }),
  );
  let deltasSent = 0;
  for (const event of events) {
    if (event.delta && fault?.kind === 'drop-connection' && deltasSent >= fault.afterChunks) {
      response.destroy();
      return;
    }
    if (event.delta && fault?.kind === 'error-in-stream' && deltasSent >= fault.afterChunks) {
      response.end(overloadedEvent(fault.message));
      return;
    }
    if (event.delta) {
      if (deltasSent > 0) await sleep(turn.chunkDelayMs ?? 0);
      deltasSent += 1;
    }
    const isLast = event === events[events.length - 1];
    if (isLast && fault?.kind === 'drop-connection') {
      response.destroy();
      return;
    }
    if (isLast && fault?.kind === 'error-in-stream') {
      response.end(overloadedEvent(fault.message));
      return;
    }
    await writeFlushed(response, event.text);
  }
  response.end();
}
