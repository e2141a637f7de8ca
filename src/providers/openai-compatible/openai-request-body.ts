import type { JsonObject } from '../../shared/json-values.ts';
import type { Message, StepRequest, ToolDefinition } from '../types.ts';

/** Which OpenAI-compatible server the client talks to; decides a few wire details (token limit field, /props). */
export type OpenAICompatibleFlavour = 'openai' | 'llamacpp' | 'vllm' | 'lmstudio' | 'openrouter' | 'generic';

/** Whether the model takes `max_completion_tokens` rather than `max_tokens` (OpenAI reasoning models). */
function usesMaxCompletionTokens(flavour: OpenAICompatibleFlavour, model: string): boolean {
  return flavour === 'openai' || /(^|\/)o\d/.test(model);
}

/** Maps one of our messages to an OpenAI chat message. */
function toOpenAIMessage(message: Message): JsonObject {
  if (message.role === 'tool') {
    return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
  if (message.role !== 'assistant') return { role: message.role, content: message.content };
  const calls = message.toolCalls ?? [];
  if (calls.length === 0) return { role: 'assistant', content: message.content };
  return {
    role: 'assistant',
    content: message.content.length > 0 ? message.content : null,
    // Parsed arguments, never the raw text: servers re-parse them to render chat templates.
    tool_calls: calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    })),
  };
}

/** Maps our messages to OpenAI chat messages. */
export function toOpenAIMessages(messages: Message[]): JsonObject[] {
  return messages.map(toOpenAIMessage);
}

/** Maps our tool definitions to OpenAI function tools. */
export function toOpenAITools(tools: ToolDefinition[]): JsonObject[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/** The streaming chat-completions request body for one step (usage included in the stream). */
export function chatRequestBody(
  request: StepRequest,
  target: { model: string; flavour: OpenAICompatibleFlavour; extraBody?: Record<string, unknown> },
): JsonObject {
  const body: JsonObject = { model: target.model, messages: toOpenAIMessages(request.messages) };
  if (request.tools && request.tools.length > 0) {
    body.tools = toOpenAITools(request.tools);
    if (request.toolChoice) body.tool_choice = request.toolChoice;
  }
  if (request.maxOutputTokens !== undefined) {
    body[usesMaxCompletionTokens(target.flavour, target.model) ? 'max_completion_tokens' : 'max_tokens'] =
      request.maxOutputTokens;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.stop && request.stop.length > 0) body.stop = request.stop;
  return { ...body, ...target.extraBody, stream: true, stream_options: { include_usage: true } };
}
