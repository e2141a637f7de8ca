import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { StepResult } from '../providers/types.ts';
import {
  openAIFinishReason,
  openAIUsage,
  type ResponseIdentity,
  renderCompletion,
  wireArguments,
} from './openai-response.ts';
import {
  messageItem,
  reasoningItem,
  renderResponse,
  responseObject,
  responseStatus,
  toolCallItem,
} from './responses-response.ts';

/**
 * How the recording proxy answers one model call, streamed or whole, on the chat-completions or Responses route.
 *
 * Streaming: tokens are forwarded as the model client reports them (`StepRequest.onDelta`), so an agent that
 * streams sees them as they arrive. Two rules keep what the agent receives the model's real answer:
 * - text is held back from the first `<` on until the answer is complete: a tool call leaked in text
 *   (`<tool_call>…`, `<function=…`) is recovered by the client and reaches the agent as a tool call, never as
 *   content; the held-back rest is sent with the final chunks;
 * - a failure before the first byte is an HTTP error (502, 400 context overflow); after it, an error inside the
 *   stream as real servers send one (chat: `data: {"error":…}` then `[DONE]`; Responses: `response.failed`).
 * Tool calls are sent whole, after the text.
 */

type JsonObject = Record<string, unknown>;

/** The answer to one model call. */
export interface ProxyAnswer {
  /** A token delta as the model produces it (ignored unless streaming). */
  delta(kind: 'text' | 'reasoning', text: string): void;
  /** Sends the rest of the answer and ends the response. */
  finish(result: StepResult): void;
  /** Ends the response with an error (`status` is used only when nothing was sent yet). */
  fail(status: number, body: JsonObject): void;
  /** What the proxy measured: recorded in the `model-response` event. */
  record(): { streamed: boolean; timeToFirstTokenMs: number | null; divergedText?: string };
}

interface AnswerSettings {
  response: ServerResponse;
  stream: boolean;
  identity: ResponseIdentity;
  /** Extra headers (the simulated label). */
  headers: Record<string, string>;
  /** `performance.now()` when the agent's request arrived. */
  receivedAt: number;
}

function sendWhole(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Holds text back from the first `<` on (a possible leaked tool call) and tracks what was sent. */
class TextGate {
  sent = '';
  private holding = false;

  /** The part of a delta that may be sent now. */
  push(delta: string): string {
    if (this.holding) return '';
    const marker = delta.indexOf('<');
    const now = marker < 0 ? delta : delta.slice(0, marker);
    if (marker >= 0) this.holding = true;
    this.sent += now;
    return now;
  }

  /** The final text still to send, and what was sent that the final text does not start with. */
  rest(final: string): { rest: string; diverged?: string } {
    if (final.startsWith(this.sent)) return { rest: final.slice(this.sent.length) };
    return { rest: '', diverged: this.sent };
  }
}

/** Shared streaming state: headers on first use, first-token time, the event writer. */
class StreamState {
  firstTokenAt: number | null = null;
  text = new TextGate();
  reasoningSent = '';

  constructor(
    private readonly settings: AnswerSettings,
    private readonly onOpen: () => void,
  ) {}

  get open(): boolean {
    return this.settings.response.headersSent;
  }

  ensureOpen(): void {
    const { response, headers } = this.settings;
    if (response.headersSent) return;
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    });
    this.onOpen();
  }

  write(text: string, carriesToken: boolean): void {
    const { response } = this.settings;
    if (response.destroyed || response.writableEnded) return;
    response.write(text);
    if (carriesToken && this.firstTokenAt === null) this.firstTokenAt = performance.now();
  }

  timeToFirstTokenMs(): number | null {
    return this.firstTokenAt === null ? null : this.firstTokenAt - this.settings.receivedAt;
  }
}

/** A whole (non-streaming) answer. */
function wholeAnswer(settings: AnswerSettings, render: (result: StepResult) => JsonObject): ProxyAnswer {
  let sentAt: number | null = null;
  return {
    delta: () => undefined,
    finish(result) {
      const simulated: Record<string, string> = result.simulated ? { 'x-shakedown-simulated': '1' } : {};
      sendWhole(settings.response, 200, render(result), { ...settings.headers, ...simulated });
      sentAt = performance.now();
    },
    fail(status, body) {
      sendWhole(settings.response, status, body, {});
    },
    record: () => ({
      streamed: false,
      timeToFirstTokenMs: sentAt === null ? null : sentAt - settings.receivedAt,
    }),
  };
}

/** The answer on `/v1/chat/completions`. */
export function chatAnswer(settings: AnswerSettings & { includeUsage: boolean }): ProxyAnswer {
  if (!settings.stream) return wholeAnswer(settings, (result) => renderCompletion(result, settings.identity));
  const { identity } = settings;
  const chunk = (delta: JsonObject, finishReason: string | null = null): JsonObject => ({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const data = (body: unknown): string => `data: ${JSON.stringify(body)}\n\n`;
  const state: StreamState = new StreamState(settings, () =>
    state.write(data(chunk({ role: 'assistant', content: '' })), false),
  );
  let diverged: string | undefined;
  return {
    delta(kind, text) {
      if (kind === 'reasoning') {
        state.ensureOpen();
        state.reasoningSent += text;
        state.write(data(chunk({ reasoning_content: text })), true);
        return;
      }
      const now = state.text.push(text);
      if (now.length === 0) return;
      state.ensureOpen();
      state.write(data(chunk({ content: now })), true);
    },
    finish(result) {
      state.ensureOpen();
      if (
        result.reasoning.startsWith(state.reasoningSent) &&
        result.reasoning.length > state.reasoningSent.length
      ) {
        state.write(
          data(chunk({ reasoning_content: result.reasoning.slice(state.reasoningSent.length) })),
          true,
        );
      }
      const { rest, diverged: textDiverged } = state.text.rest(result.text);
      diverged = textDiverged;
      if (rest.length > 0) state.write(data(chunk({ content: rest })), true);
      result.toolCalls.forEach((call, index) => {
        const delta = {
          tool_calls: [
            {
              index,
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: wireArguments(call) },
            },
          ],
        };
        state.write(data(chunk(delta)), true);
      });
      state.write(data(chunk({}, openAIFinishReason(result))), false);
      if (settings.includeUsage) {
        state.write(data({ ...chunk({}), choices: [], usage: openAIUsage(result) }), false);
      }
      state.write('data: [DONE]\n\n', false);
      settings.response.end();
    },
    fail(status, body) {
      if (!state.open) return sendWhole(settings.response, status, body, {});
      state.write(data(body), false);
      state.write('data: [DONE]\n\n', false);
      settings.response.end();
    },
    record: () => ({
      streamed: true,
      timeToFirstTokenMs: state.timeToFirstTokenMs(),
      ...(diverged !== undefined ? { divergedText: diverged } : {}),
    }),
  };
}

/** The answer on `/v1/responses` (server-sent events named by type, each with a sequence number). */
export function responsesAnswer(
  settings: AnswerSettings & { customTools: ReadonlySet<string> },
): ProxyAnswer {
  const { identity, customTools } = settings;
  if (!settings.stream)
    return wholeAnswer(settings, (result) => renderResponse(result, identity, customTools));
  let sequence = 0;
  const event = (type: string, body: JsonObject): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...body })}\n\n`;
  const state: StreamState = new StreamState(settings, () =>
    state.write(
      event('response.created', { response: responseObject(identity, 'in_progress', [], null) }),
      false,
    ),
  );
  const output: JsonObject[] = [];
  const messageId = `msg_${identity.id}`;
  let messageIndex: number | null = null;
  let diverged: string | undefined;

  const sendText = (text: string): void => {
    if (messageIndex === null) {
      messageIndex = output.length;
      output.push(messageItem(messageId, '', 'in_progress'));
      state.write(
        event('response.output_item.added', { output_index: messageIndex, item: output[messageIndex] }),
        false,
      );
      state.write(
        event('response.content_part.added', {
          item_id: messageId,
          output_index: messageIndex,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        }),
        false,
      );
    }
    state.write(
      event('response.output_text.delta', {
        item_id: messageId,
        output_index: messageIndex,
        content_index: 0,
        delta: text,
      }),
      true,
    );
  };
  const addItem = (item: JsonObject): void => {
    const index = output.length;
    output.push(item);
    state.write(event('response.output_item.added', { output_index: index, item }), true);
    state.write(event('response.output_item.done', { output_index: index, item }), false);
  };

  return {
    delta(kind, text) {
      // Reasoning is sent whole at the end as a summary item; text streams.
      if (kind !== 'text') return;
      const now = state.text.push(text);
      if (now.length === 0) return;
      state.ensureOpen();
      sendText(now);
    },
    finish(result) {
      state.ensureOpen();
      const { rest, diverged: textDiverged } = state.text.rest(result.text);
      diverged = textDiverged;
      if (rest.length > 0) sendText(rest);
      if (messageIndex !== null) {
        const text = state.text.sent + rest;
        const base = { item_id: messageId, output_index: messageIndex, content_index: 0 };
        state.write(event('response.output_text.done', { ...base, text }), false);
        state.write(
          event('response.content_part.done', {
            ...base,
            part: { type: 'output_text', text, annotations: [] },
          }),
          false,
        );
        output[messageIndex] = messageItem(messageId, text);
        state.write(
          event('response.output_item.done', { output_index: messageIndex, item: output[messageIndex] }),
          false,
        );
      }
      if (result.reasoning.length > 0) addItem(reasoningItem(`rs_${identity.id}`, result.reasoning));
      result.toolCalls.forEach((call, index) => {
        addItem(toolCallItem(`fc_${identity.id}_${index}`, call, customTools));
      });
      const status = responseStatus(result);
      state.write(
        event(status === 'completed' ? 'response.completed' : 'response.incomplete', {
          response: responseObject(identity, status, output, result),
        }),
        false,
      );
      settings.response.end();
    },
    fail(status, body) {
      if (!state.open) return sendWhole(settings.response, status, body, {});
      const error = (body.error ?? body) as JsonObject;
      state.write(
        event('response.failed', {
          response: responseObject(identity, 'failed', output, null, {
            code: error.code ?? error.type ?? 'server_error',
            message: error.message ?? 'the model call failed',
          }),
        }),
        false,
      );
      settings.response.end();
    },
    record: () => ({
      streamed: true,
      timeToFirstTokenMs: state.timeToFirstTokenMs(),
      ...(diverged !== undefined ? { divergedText: diverged } : {}),
    }),
  };
}
