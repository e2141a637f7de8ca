import type { StepResult, ToolCall } from '../providers/types.ts';
import { type ResponseIdentity, wireArguments } from './openai-response.ts';
import { CUSTOM_TOOL_INPUT } from './responses-request.ts';

/**
 * Renders a normalized {@link StepResult} in the OpenAI Responses API wire format: output items (reasoning,
 * assistant message, function calls; `custom_tool_call` for freeform tools) and the `response` object that
 * `response.completed` carries or a non-streaming request gets.
 */

type JsonObject = Record<string, unknown>;

/** The Responses `usage` object of a result. */
export function responsesUsage(result: StepResult): JsonObject {
  return {
    input_tokens: result.usage.inputTokens,
    input_tokens_details: { cached_tokens: result.usage.cachedInputTokens },
    output_tokens: result.usage.outputTokens,
    output_tokens_details: { reasoning_tokens: result.usage.reasoningTokens },
    total_tokens: result.usage.inputTokens + result.usage.outputTokens,
  };
}

/** The assistant message item holding `text`. */
export function messageItem(id: string, text: string, status = 'completed'): JsonObject {
  return {
    type: 'message',
    id,
    role: 'assistant',
    status,
    content: status === 'completed' ? [{ type: 'output_text', text, annotations: [] }] : [],
  };
}

/** The reasoning item of a result's reasoning text (as a summary: the agent shows it, never replays it). */
export function reasoningItem(id: string, reasoning: string): JsonObject {
  return { type: 'reasoning', id, summary: [{ type: 'summary_text', text: reasoning }] };
}

/** A tool call as a `function_call` item, or a `custom_tool_call` for a freeform tool. */
export function toolCallItem(id: string, call: ToolCall, customTools: ReadonlySet<string>): JsonObject {
  if (customTools.has(call.name)) {
    const input = call.arguments[CUSTOM_TOOL_INPUT];
    return {
      type: 'custom_tool_call',
      id,
      call_id: call.id,
      name: call.name,
      input: typeof input === 'string' ? input : wireArguments(call),
      status: 'completed',
    };
  }
  return {
    type: 'function_call',
    id,
    call_id: call.id,
    name: call.name,
    arguments: wireArguments(call),
    status: 'completed',
  };
}

/** The `response` object; `output` given by the caller (a stream builds it item by item). */
export function responseObject(
  identity: ResponseIdentity,
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed',
  output: JsonObject[],
  result: StepResult | null,
  error: JsonObject | null = null,
): JsonObject {
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.created,
    status,
    model: identity.model,
    output,
    usage: result ? responsesUsage(result) : null,
    error,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
  };
}

/** `completed`, or `incomplete` when the answer was cut at the output-token limit. */
export function responseStatus(result: StepResult): 'completed' | 'incomplete' {
  return result.finishReason === 'length' ? 'incomplete' : 'completed';
}

/** The whole (non-streaming) response of a result. */
export function renderResponse(
  result: StepResult,
  identity: ResponseIdentity,
  customTools: ReadonlySet<string>,
): JsonObject {
  const output: JsonObject[] = [];
  if (result.reasoning.length > 0) output.push(reasoningItem(`rs_${identity.id}`, result.reasoning));
  if (result.text.length > 0) output.push(messageItem(`msg_${identity.id}`, result.text));
  result.toolCalls.forEach((call, index) => {
    output.push(toolCallItem(`fc_${identity.id}_${index}`, call, customTools));
  });
  return responseObject(identity, responseStatus(result), output, result);
}
