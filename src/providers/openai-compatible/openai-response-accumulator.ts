import type { JsonObject } from '../../shared/json-values.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import type { StepRequest } from '../types.ts';
import { errorMessageFromBody, streamedError } from './openai-error-body.ts';
import {
  type ChatCompletionChunk,
  chatCompletionChunkSchema,
  firstChoice,
  type MessageFields,
  toolCallDeltas,
} from './openai-wire-schemas.ts';

/**
 * llama-server's in-stream error when the model's output does not parse as the chat format it expects
 * (`{"error":{"code":500,"message":"The model produced output that does not match the expected peg-native
 * format","type":"server_error"}}`, sent after the streamed content, with no finish reason or usage).
 */
const UNPARSED_MODEL_OUTPUT_PATTERN = /model produced output that does not match the expected .*format/i;

interface ToolCallAccumulator {
  id: string;
  name: string;
  arguments: string;
}

/** Everything gathered from one streamed (or whole) chat completion. */
export interface ResponseAccumulator {
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

export function emptyAccumulator(): ResponseAccumulator {
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

/**
 * Checks one chunk (a parsed JSON value: a stream event, or a whole response) against the wire schema; a body of
 * another shape is a bad response.
 */
export function readChunk(
  value: unknown,
  label: string,
  what: 'stream event' | 'response',
): ChatCompletionChunk {
  const parsed = chatCompletionChunkSchema.safeParse(value);
  if (!parsed.success) {
    throw new InfrastructureError(
      'bad-response',
      `${label}: ${what} is not a JSON object: ${JSON.stringify(value)?.slice(0, 200)}`,
    );
  }
  return parsed.data;
}

/**
 * Applies one chunk (or a whole non-streamed completion) to the accumulator. An error inside the stream is an
 * infrastructure error, except a context refusal and llama-server's refusal of the model's unparsable output,
 * which are the model's.
 */
export function applyChunk(
  chunk: ChatCompletionChunk,
  state: ResponseAccumulator,
  request: StepRequest,
  streamed: boolean,
  label: string,
): void {
  if (chunk.error !== undefined) {
    const { message, contextLength } = errorMessageFromBody(JSON.stringify(chunk));
    if (UNPARSED_MODEL_OUTPUT_PATTERN.test(message)) {
      // llama-server streamed the turn, then could not parse what the model wrote as its chat format (e.g. a
      // tool call it started and never finished): the model's failure, which a retry would not fix reliably.
      state.unparsedOutputError = message;
      state.done = true;
      return;
    }
    throw streamedError(`${label}: error inside the stream: ${message}`, contextLength);
  }
  if (chunk.usage) state.usage = chunk.usage;
  if (chunk.timings) state.serverTimings = chunk.timings;
  const choice = firstChoice(chunk);
  if (!choice) return;
  const fields = streamed ? choice.delta : choice.message;
  if (fields && applyFields(fields, state, request, streamed)) {
    const now = performance.now();
    state.firstTokenAt ??= now;
    state.lastTokenAt = now;
  }
  if (choice.finish_reason !== undefined) state.finishReason = choice.finish_reason;
}

/** Adds a message's reasoning, text and tool-call pieces; true when it carried any output. */
function applyFields(
  fields: MessageFields,
  state: ResponseAccumulator,
  request: StepRequest,
  streamed: boolean,
): boolean {
  let produced = false;
  const reasoning = fields.reasoning_content || fields.reasoning || '';
  if (reasoning.length > 0) {
    state.reasoning += reasoning;
    produced = true;
    request.onDelta?.({ kind: 'reasoning', text: reasoning });
  }
  if (fields.content !== undefined && fields.content.length > 0) {
    state.text += fields.content;
    produced = true;
    request.onDelta?.({ kind: 'text', text: fields.content });
  }
  for (const [position, delta] of toolCallDeltas(fields).entries()) {
    produced = true;
    const deltaId = delta.id !== undefined && delta.id.length > 0 ? delta.id : null;
    const index = toolCallIndex(state, position, delta.index, deltaId, streamed);
    let call = state.toolCalls[index];
    if (!call) {
      call = { id: '', name: '', arguments: '' };
      state.toolCalls[index] = call;
    }
    if (deltaId) call.id = deltaId;
    const name = delta.function?.name;
    if (name !== undefined && name.length > 0 && name !== call.name) call.name += name;
    const args = delta.function?.arguments;
    if (typeof args === 'string') call.arguments += args;
    else if (args !== undefined) call.arguments += JSON.stringify(args);
  }
  return produced;
}

/** Which call a tool-call delta belongs to: its `index`, else (some servers send none) by id or the last call. */
function toolCallIndex(
  state: ResponseAccumulator,
  position: number,
  index: number | undefined,
  deltaId: string | null,
  streamed: boolean,
): number {
  if (!streamed) return position;
  if (index !== undefined) return index;
  const last = state.toolCalls.length - 1;
  if (last < 0) return 0;
  // No index: a new id starts a new call, anything else continues the last one.
  return deltaId && state.toolCalls[last]?.id && state.toolCalls[last].id !== deltaId ? last + 1 : last;
}
