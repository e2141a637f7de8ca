import type { Message, ToolCall, ToolDefinition } from '../providers/types.ts';
import {
  ChatRequestError,
  contentText,
  isRecord,
  optionalNumber,
  type TranslatedChatRequest,
  translateToolCall,
  translateToolChoice,
} from './openai-request.ts';

/**
 * Translation of an OpenAI Responses API request (`POST /v1/responses`, what Codex CLI sends: it no longer speaks
 * chat completions) into our normalized StepRequest. Function tools map to tools; freeform `custom` tools (Codex's
 * `apply_patch`) become function tools with one string parameter `input`, and their calls are answered as
 * `custom_tool_call` items again. Hosted tools (web search, …) are dropped: no local model runs them. Reasoning
 * items are dropped from the history (they hold provider-encrypted content).
 */

type JsonObject = Record<string, unknown>;

/** A translated Responses request: the chat translation plus the names of the freeform tools. */
export interface TranslatedResponsesRequest extends TranslatedChatRequest {
  customTools: ReadonlySet<string>;
}

/** The single parameter a freeform tool's input is passed in. */
export const CUSTOM_TOOL_INPUT = 'input';

function translateTools(value: unknown): { tools: ToolDefinition[]; custom: Set<string> } {
  const custom = new Set<string>();
  if (value === undefined || value === null) return { tools: [], custom };
  if (!Array.isArray(value)) throw new ChatRequestError('tools must be an array');
  const tools = value.flatMap((tool, index): ToolDefinition[] => {
    if (!isRecord(tool)) throw new ChatRequestError(`tools[${index}] must be an object`);
    const description = typeof tool.description === 'string' ? tool.description : '';
    if (tool.type === 'function' && typeof tool.name === 'string') {
      return [
        {
          name: tool.name,
          description,
          parameters: isRecord(tool.parameters) ? tool.parameters : { type: 'object', properties: {} },
        },
      ];
    }
    if (tool.type === 'custom' && typeof tool.name === 'string') {
      custom.add(tool.name);
      const format =
        isRecord(tool.format) && typeof tool.format.definition === 'string' ? tool.format.definition : '';
      return [
        {
          name: tool.name,
          description,
          parameters: {
            type: 'object',
            properties: {
              [CUSTOM_TOOL_INPUT]: {
                type: 'string',
                description: format ? `The raw input, in this grammar:\n${format}` : 'The raw input.',
              },
            },
            required: [CUSTOM_TOOL_INPUT],
            additionalProperties: false,
          },
        },
      ];
    }
    return [];
  });
  return { tools, custom };
}

function outputText(output: unknown, where: string): string {
  if (typeof output === 'string') return output;
  return contentText(output, where);
}

function translateInput(body: JsonObject): Message[] {
  const messages: Message[] = [];
  if (typeof body.instructions === 'string' && body.instructions.length > 0) {
    messages.push({ role: 'system', content: body.instructions });
  }
  if (typeof body.input === 'string') {
    messages.push({ role: 'user', content: body.input });
    return messages;
  }
  if (!Array.isArray(body.input)) throw new ChatRequestError('input must be a string or an array of items');
  const toolNames = new Map<string, string>();
  /** The assistant message tool calls attach to (calls follow the assistant text they belong to). */
  const assistantForCalls = (): Message & { role: 'assistant' } => {
    const last = messages.at(-1);
    if (last?.role === 'assistant') return last;
    const fresh: Message & { role: 'assistant' } = { role: 'assistant', content: '' };
    messages.push(fresh);
    return fresh;
  };
  body.input.forEach((item, index) => {
    const where = `input[${index}]`;
    if (!isRecord(item)) throw new ChatRequestError(`${where} must be an object`);
    const type = item.type ?? (typeof item.role === 'string' ? 'message' : undefined);
    if (type === 'message') {
      const text = contentText(item.content, where);
      if (item.role === 'system' || item.role === 'developer')
        messages.push({ role: 'system', content: text });
      else if (item.role === 'user') messages.push({ role: 'user', content: text });
      else if (item.role === 'assistant') messages.push({ role: 'assistant', content: text });
      else throw new ChatRequestError(`${where}.role ${JSON.stringify(item.role)} is not supported`);
      return;
    }
    if (type === 'function_call' || type === 'custom_tool_call') {
      const callId = typeof item.call_id === 'string' ? item.call_id : `call_${index}`;
      const call: ToolCall =
        type === 'function_call'
          ? translateToolCall(
              { id: callId, function: { name: item.name, arguments: item.arguments } },
              where,
              callId,
            )
          : translateToolCall(
              {
                id: callId,
                function: {
                  name: item.name,
                  arguments: JSON.stringify({ [CUSTOM_TOOL_INPUT]: item.input ?? '' }),
                },
              },
              where,
              callId,
            );
      toolNames.set(call.id, call.name);
      const assistant = assistantForCalls();
      assistant.toolCalls = [...(assistant.toolCalls ?? []), call];
      return;
    }
    if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      const toolCallId = typeof item.call_id === 'string' ? item.call_id : '';
      messages.push({
        role: 'tool',
        toolCallId,
        toolName: toolNames.get(toolCallId) ?? 'unknown',
        content: outputText(item.output, where),
      });
    }
    // reasoning, hosted tool calls and other item types carry nothing a local model can use.
  });
  if (messages.length === 0) throw new ChatRequestError('input holds no messages');
  return messages;
}

/** Translates a parsed `/v1/responses` body; throws {@link ChatRequestError} (answered 400) when it is not one. */
export function translateResponsesRequest(body: unknown): TranslatedResponsesRequest {
  if (!isRecord(body)) throw new ChatRequestError('the request body must be a JSON object');
  const { tools, custom } = translateTools(body.tools);
  const maxOutputTokens = optionalNumber(body, 'max_output_tokens');
  const toolChoice = translateToolChoice(body.tool_choice);
  const step: TranslatedChatRequest['step'] = {
    messages: translateInput(body),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
    ...(optionalNumber(body, 'temperature') !== undefined
      ? { temperature: optionalNumber(body, 'temperature') }
      : {}),
    ...(optionalNumber(body, 'top_p') !== undefined ? { topP: optionalNumber(body, 'top_p') } : {}),
  };
  return {
    step,
    requestedModel: typeof body.model === 'string' ? body.model : null,
    stream: body.stream === true,
    includeUsage: true,
    customTools: custom,
  };
}
