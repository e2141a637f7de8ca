import type { FinishReason, StepResult, ToolCall } from '../providers/types.ts';

/**
 * Renders a normalized {@link StepResult} back into the exact OpenAI chat-completions wire format: a whole
 * `chat.completion` object, or the `chat.completion.chunk` sequence of a stream (content, reasoning, tool-call
 * deltas, finish chunk, optional usage chunk with `choices: []`, then `[DONE]`).
 */

type JsonObject = Record<string, unknown>;

/** Identity of one answer. */
export interface ResponseIdentity {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
}

/** Characters of content or reasoning per streamed chunk. */
const STREAM_CHUNK_CHARACTERS = 64;

/** The OpenAI finish_reason for a result: `tool_calls` whenever calls are present. */
export function openAIFinishReason(result: Pick<StepResult, 'finishReason' | 'toolCalls'>): string {
  if (result.toolCalls.length > 0) return 'tool_calls';
  const reasons: Record<FinishReason, string> = {
    stop: 'stop',
    'tool-calls': 'stop',
    length: 'length',
    'content-filter': 'content_filter',
    error: 'stop',
    other: 'stop',
  };
  return reasons[result.finishReason];
}

/**
 * The argument text sent to the agent: exactly what the model produced for a server-parsed call (malformed JSON
 * included, so the agent meets the model's real mistakes), re-serialized JSON for calls recovered from text.
 */
export function wireArguments(call: ToolCall): string {
  if (call.origin === 'server-parsed' || call.argumentsError !== undefined) return call.rawArguments;
  return JSON.stringify(call.arguments);
}

/** OpenAI `usage` object of a result. */
export function openAIUsage(result: StepResult): JsonObject {
  return {
    prompt_tokens: result.usage.inputTokens,
    completion_tokens: result.usage.outputTokens,
    total_tokens: result.usage.inputTokens + result.usage.outputTokens,
    prompt_tokens_details: { cached_tokens: result.usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: result.usage.reasoningTokens },
  };
}

function wireToolCall(call: ToolCall): JsonObject {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: wireArguments(call) } };
}

/** The non-streaming `chat.completion` body. Reasoning goes in `reasoning_content` (llama.cpp / DeepSeek style). */
export function renderCompletion(result: StepResult, identity: ResponseIdentity): JsonObject {
  const message: JsonObject = {
    role: 'assistant',
    content: result.text.length > 0 || result.toolCalls.length === 0 ? result.text : null,
  };
  if (result.reasoning.length > 0) message.reasoning_content = result.reasoning;
  if (result.toolCalls.length > 0) message.tool_calls = result.toolCalls.map(wireToolCall);
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: openAIFinishReason(result) }],
    usage: openAIUsage(result),
  };
}

function splitText(text: string): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += STREAM_CHUNK_CHARACTERS) {
    pieces.push(text.slice(start, start + STREAM_CHUNK_CHARACTERS));
  }
  return pieces;
}

/**
 * The `chat.completion.chunk` objects of a streamed answer, in order (without the `[DONE]` sentinel): a role chunk,
 * reasoning and content deltas, one delta per tool call (id, type, name and the whole argument text, with its
 * `index`), the finish chunk, and a usage chunk with `choices: []` when `includeUsage`.
 */
export function renderCompletionChunks(
  result: StepResult,
  identity: ResponseIdentity,
  includeUsage: boolean,
): JsonObject[] {
  const chunk = (delta: JsonObject, finishReason: string | null = null): JsonObject => ({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const chunks: JsonObject[] = [chunk({ role: 'assistant', content: '' })];
  for (const piece of splitText(result.reasoning)) chunks.push(chunk({ reasoning_content: piece }));
  for (const piece of splitText(result.text)) chunks.push(chunk({ content: piece }));
  result.toolCalls.forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [
          {
            index,
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: wireArguments(call) },
          },
        ],
      }),
    );
  });
  chunks.push(chunk({}, openAIFinishReason(result)));
  if (includeUsage) {
    chunks.push({
      id: identity.id,
      object: 'chat.completion.chunk',
      created: identity.created,
      model: identity.model,
      choices: [],
      usage: openAIUsage(result),
    });
  }
  return chunks;
}

/** Serializes chunks as a server-sent-events body, ending with `data: [DONE]`. */
export function serverSentEvents(chunks: JsonObject[]): string {
  return `${chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('')}data: [DONE]\n\n`;
}

/** An OpenAI-style error body. */
export function openAIError(message: string, type: string, code: string | null = null): JsonObject {
  return { error: { message, type, param: null, code } };
}
