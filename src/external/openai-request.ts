import { parseToolArguments } from '../providers/openai-compatible/openai-compatible-client.ts';
import type { Message, StepRequest, ToolCall, ToolDefinition } from '../providers/types.ts';

/**
 * Translation of an incoming OpenAI chat-completions request (as a black-box agent sends it) into our normalized
 * {@link StepRequest}. Only the fields a model client understands are kept; the rest of the body is ignored.
 */

type JsonObject = Record<string, unknown>;

/** A chat-completions request, translated. */
export interface TranslatedChatRequest {
  /** The conversation and generation settings, ready for `ModelClient.step` (no signal yet). */
  step: Omit<StepRequest, 'signal' | 'onDelta'>;
  /** The model name the agent asked for (echoed back in answers). */
  requestedModel: string | null;
  stream: boolean;
  /** `stream_options.include_usage`: send a final usage chunk with `choices: []`. */
  includeUsage: boolean;
}

/** The request body is not a chat-completions request we can translate (answered with HTTP 400). */
export class ChatRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChatRequestError';
  }
}

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of a message `content`: a string, null, or an array of parts (text parts joined, others dropped). */
export function contentText(content: unknown, where: string): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === 'string') return part;
        if (isRecord(part) && typeof part.text === 'string') return part.text;
        return '';
      })
      .join('');
  }
  throw new ChatRequestError(`${where}.content must be a string, null or an array of parts`);
}

export function translateToolCall(value: unknown, where: string, fallbackId: string): ToolCall {
  if (!isRecord(value) || !isRecord(value.function) || typeof value.function.name !== 'string') {
    throw new ChatRequestError(`${where} must be {id, type: "function", function: {name, arguments}}`);
  }
  const rawArguments =
    typeof value.function.arguments === 'string'
      ? value.function.arguments
      : JSON.stringify(value.function.arguments ?? {});
  const parsed = parseToolArguments(rawArguments);
  return {
    id: typeof value.id === 'string' && value.id.length > 0 ? value.id : fallbackId,
    name: value.function.name,
    arguments: parsed.arguments,
    rawArguments,
    origin: 'server-parsed',
    format: 'native',
    ...(parsed.error ? { argumentsError: parsed.error } : {}),
  };
}

function translateMessages(value: unknown): Message[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ChatRequestError('messages must be a non-empty array');
  }
  const toolNames = new Map<string, string>();
  return value.map((message, index): Message => {
    const where = `messages[${index}]`;
    if (!isRecord(message) || typeof message.role !== 'string') {
      throw new ChatRequestError(`${where} must be an object with a role`);
    }
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: contentText(message.content, where) };
      case 'user':
        return { role: 'user', content: contentText(message.content, where) };
      case 'assistant': {
        const calls = Array.isArray(message.tool_calls)
          ? message.tool_calls.map((call, callIndex) =>
              translateToolCall(call, `${where}.tool_calls[${callIndex}]`, `call_${index}_${callIndex}`),
            )
          : [];
        for (const call of calls) toolNames.set(call.id, call.name);
        const reasoning =
          typeof message.reasoning_content === 'string' ? message.reasoning_content : undefined;
        return {
          role: 'assistant',
          content: contentText(message.content, where),
          ...(reasoning ? { reasoning } : {}),
          ...(calls.length > 0 ? { toolCalls: calls } : {}),
        };
      }
      case 'tool': {
        const toolCallId = typeof message.tool_call_id === 'string' ? message.tool_call_id : '';
        const toolName =
          toolNames.get(toolCallId) ?? (typeof message.name === 'string' ? message.name : 'unknown');
        return { role: 'tool', toolCallId, toolName, content: contentText(message.content, where) };
      }
      default:
        throw new ChatRequestError(`${where}.role ${JSON.stringify(message.role)} is not supported`);
    }
  });
}

function translateTools(value: unknown): ToolDefinition[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ChatRequestError('tools must be an array');
  return value.map((tool, index) => {
    if (!isRecord(tool) || !isRecord(tool.function) || typeof tool.function.name !== 'string') {
      throw new ChatRequestError(`tools[${index}] must be {type: "function", function: {name, parameters}}`);
    }
    return {
      name: tool.function.name,
      description: typeof tool.function.description === 'string' ? tool.function.description : '',
      parameters: isRecord(tool.function.parameters)
        ? tool.function.parameters
        : { type: 'object', properties: {} },
    };
  });
}

export function translateToolChoice(value: unknown): StepRequest['toolChoice'] {
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  // A named function (`{type: "function", function: {name}}`) is the closest to `required`.
  if (isRecord(value)) return 'required';
  return undefined;
}

export function optionalNumber(body: JsonObject, key: string): number | undefined {
  const value = body[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Translates a parsed `/v1/chat/completions` body. Throws {@link ChatRequestError} (an agent-side mistake, answered
 * 400) when the body is not a chat request. Assistant tool calls in the history keep their raw argument text;
 * tool messages get their tool name from the assistant call they answer.
 */
export function translateChatRequest(body: unknown): TranslatedChatRequest {
  if (!isRecord(body)) throw new ChatRequestError('the request body must be a JSON object');
  const tools = translateTools(body.tools);
  const stop =
    typeof body.stop === 'string'
      ? [body.stop]
      : Array.isArray(body.stop)
        ? body.stop.filter((item): item is string => typeof item === 'string')
        : undefined;
  const maxOutputTokens = optionalNumber(body, 'max_completion_tokens') ?? optionalNumber(body, 'max_tokens');
  const step: TranslatedChatRequest['step'] = {
    messages: translateMessages(body.messages),
    ...(tools && tools.length > 0 ? { tools } : {}),
    ...(translateToolChoice(body.tool_choice) ? { toolChoice: translateToolChoice(body.tool_choice) } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
    ...(optionalNumber(body, 'temperature') !== undefined
      ? { temperature: optionalNumber(body, 'temperature') }
      : {}),
    ...(optionalNumber(body, 'top_p') !== undefined ? { topP: optionalNumber(body, 'top_p') } : {}),
    ...(optionalNumber(body, 'seed') !== undefined ? { seed: optionalNumber(body, 'seed') } : {}),
    ...(stop && stop.length > 0 ? { stop } : {}),
  };
  const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
  return {
    step,
    requestedModel: typeof body.model === 'string' ? body.model : null,
    stream: body.stream === true,
    includeUsage: streamOptions.include_usage === true,
  };
}
