import { isRecord, type JsonObject } from '../../shared/json-values.ts';
import type { Message, StepRequest, ToolDefinition } from '../types.ts';

/** A thinking block as the service sent it; it must go back verbatim (signature included) with its tool calls. */
export interface ThinkingBlock {
  thinking: string;
  signature: string;
}

/**
 * Maps the normalized conversation onto Anthropic's `system` + `messages`: system messages are joined into the
 * system prompt, assistant tool calls become tool_use blocks, tool results become tool_result blocks in a user
 * message, and consecutive messages of the same role are merged (the API wants alternating roles).
 * `thinkingFor` returns the thinking block that preceded a tool call, to replay it.
 */
export function toAnthropicMessages(
  messages: Message[],
  thinkingFor: (toolCallId: string) => ThinkingBlock | undefined = () => undefined,
): { system: string | undefined; messages: JsonObject[] } {
  const systemParts: string[] = [];
  const mapped: Array<{ role: 'user' | 'assistant'; content: JsonObject[] }> = [];
  const append = (role: 'user' | 'assistant', blocks: JsonObject[]) => {
    if (blocks.length === 0) return;
    const last = mapped[mapped.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else mapped.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        systemParts.push(message.content);
        break;
      case 'user':
        if (message.content.length > 0) append('user', [{ type: 'text', text: message.content }]);
        break;
      case 'assistant': {
        const blocks: JsonObject[] = [];
        const calls = message.toolCalls ?? [];
        const thinking = calls.map((call) => thinkingFor(call.id)).find((block) => block !== undefined);
        if (thinking)
          blocks.push({ type: 'thinking', thinking: thinking.thinking, signature: thinking.signature });
        if (message.content.trim().length > 0) blocks.push({ type: 'text', text: message.content });
        for (const call of calls) {
          blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
        }
        append('assistant', blocks);
        break;
      }
      case 'tool': {
        const block: JsonObject = {
          type: 'tool_result',
          tool_use_id: message.toolCallId,
          content: message.content,
        };
        if (message.isError) block.is_error = true;
        append('user', [block]);
        break;
      }
    }
  }
  // Tool results must open their user message: move them before any text merged into the same message.
  for (const entry of mapped) {
    if (entry.role !== 'user') continue;
    const results = entry.content.filter((block) => block.type === 'tool_result');
    const others = entry.content.filter((block) => block.type !== 'tool_result');
    entry.content = [...results, ...others];
  }
  return {
    system: systemParts.length > 0 ? systemParts.join('\n\n') : undefined,
    messages: mapped.map((entry) => ({ role: entry.role, content: entry.content })),
  };
}

/** Maps tool definitions onto Anthropic's `{name, description, input_schema}`. */
export function toAnthropicTools(tools: ToolDefinition[]): JsonObject[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.parameters,
  }));
}

/** Caching, thinking and defaults the client applies to every request. */
export interface AnthropicRequestSettings {
  model: string;
  maxTokens: number;
  thinkingBudget: number | undefined;
  /** The `cache_control` breakpoint to set, or null for no prompt caching. */
  cacheControl: JsonObject | null;
  thinkingFor: (toolCallId: string) => ThinkingBlock | undefined;
}

/** The streaming Messages request body for one step. */
export function anthropicRequestBody(request: StepRequest, settings: AnthropicRequestSettings): JsonObject {
  const { maxTokens, thinkingBudget, cacheControl } = settings;
  const mapped = toAnthropicMessages(request.messages, settings.thinkingFor);
  if (mapped.messages.length === 0) throw new Error('Anthropic client: the conversation has no user message');
  const body: JsonObject = {
    model: settings.model,
    max_tokens: request.maxOutputTokens ?? maxTokens,
    messages: mapped.messages,
    stream: true,
  };
  if (mapped.system !== undefined) {
    body.system = cacheControl
      ? [{ type: 'text', text: mapped.system, cache_control: cacheControl }]
      : mapped.system;
  }
  if (cacheControl) markNewestBlockCached(mapped.messages, cacheControl);
  if (request.tools && request.tools.length > 0) {
    body.tools = toAnthropicTools(request.tools);
    if (request.toolChoice === 'none') body.tool_choice = { type: 'none' };
    else if (request.toolChoice === 'required') body.tool_choice = { type: 'any' };
    else if (request.toolChoice === 'auto') body.tool_choice = { type: 'auto' };
  }
  if (thinkingBudget !== undefined) {
    body.thinking = { type: 'enabled', budget_tokens: thinkingBudget };
    if (typeof body.max_tokens === 'number' && body.max_tokens <= thinkingBudget) {
      body.max_tokens = thinkingBudget + (request.maxOutputTokens ?? maxTokens);
    }
    // Extended thinking accepts no temperature other than 1; top_p only between 0.95 and 1.
    if (request.topP !== undefined && request.topP >= 0.95) body.top_p = request.topP;
  } else {
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
  }
  if (request.stop && request.stop.length > 0) body.stop_sequences = request.stop;
  return body;
}

/** Puts a cache breakpoint on the last content block of the newest message (the conversation so far is cached). */
function markNewestBlockCached(messages: JsonObject[], cacheControl: JsonObject): void {
  const newest = messages[messages.length - 1];
  const blocks = newest && Array.isArray(newest.content) ? newest.content : [];
  const last = blocks[blocks.length - 1];
  if (isRecord(last) && last.type !== 'thinking') last.cache_control = cacheControl;
}
