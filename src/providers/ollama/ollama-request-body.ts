import type { JsonObject } from '../../shared/json-values.ts';
import type { Message, StepRequest, ToolDefinition } from '../types.ts';

/** Maps the normalized conversation onto Ollama's message shape. */
export function toOllamaMessages(messages: Message[]): JsonObject[] {
  return messages.map((message): JsonObject => {
    switch (message.role) {
      case 'system':
      case 'user':
        return { role: message.role, content: message.content };
      case 'assistant': {
        const mapped: JsonObject = { role: 'assistant', content: message.content };
        if (message.reasoning) mapped.thinking = message.reasoning;
        if (message.toolCalls && message.toolCalls.length > 0) {
          mapped.tool_calls = message.toolCalls.map((call, index) => ({
            id: call.id,
            function: { index, name: call.name, arguments: call.arguments },
          }));
        }
        return mapped;
      }
      case 'tool':
        return { role: 'tool', content: message.content, tool_name: message.toolName };
      default:
        throw new Error(`Ollama client: unknown message role ${(message as { role: unknown }).role}`);
    }
  });
}

/** Maps tool definitions onto Ollama's (OpenAI-style) tool shape. */
export function toOllamaTools(tools: ToolDefinition[]): JsonObject[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/** What the client adds to every chat request. */
export interface OllamaRequestSettings {
  model: string;
  numCtx: number | undefined;
  think: unknown;
  keepAlive: unknown;
}

/** The streaming `/api/chat` body for one step. */
export function ollamaRequestBody(request: StepRequest, settings: OllamaRequestSettings): JsonObject {
  const body: JsonObject = {
    model: settings.model,
    messages: toOllamaMessages(request.messages),
    stream: true,
  };
  // Ollama has no tool_choice: 'none' sends no tools; 'required' cannot be enforced and sends them as 'auto'.
  if (request.tools && request.tools.length > 0 && request.toolChoice !== 'none') {
    body.tools = toOllamaTools(request.tools);
  }
  if (settings.think !== undefined) body.think = settings.think;
  if (settings.keepAlive !== undefined) body.keep_alive = settings.keepAlive;
  const modelOptions: JsonObject = {};
  if (settings.numCtx !== undefined) modelOptions.num_ctx = settings.numCtx;
  if (request.temperature !== undefined) modelOptions.temperature = request.temperature;
  if (request.topP !== undefined) modelOptions.top_p = request.topP;
  if (request.seed !== undefined) modelOptions.seed = request.seed;
  if (request.maxOutputTokens !== undefined) modelOptions.num_predict = request.maxOutputTokens;
  if (request.stop && request.stop.length > 0) modelOptions.stop = request.stop;
  if (Object.keys(modelOptions).length > 0) body.options = modelOptions;
  return body;
}
