import type { ServerResponse } from 'node:http';
import { isRecord } from '../../shared/json-values.ts';
import type { SimulatedToolCall, SimulatedTurn } from './script.ts';

/**
 * Applies a simulated turn's tool-call delivery: either the calls stay structured (`native`) or they leak into the
 * text the way real servers leak them when their tool parser fails (Hermes JSON, Qwen XML with or without the
 * opening tag, inside `<think>`, after a lone `</think>`, inside the reasoning channel). Simulation only.
 */

/** The text channels and structured calls a simulated server sends for one turn. */
export interface DeliveredTurn {
  content: string;
  reasoning: string;
  /** Calls to send as structured tool calls (empty when they leaked into text). */
  nativeCalls: SimulatedToolCall[];
}

/** A scripted call's arguments as the JSON text a server sends (a string is sent as it is). */
export function argumentsText(call: SimulatedToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

/** `<tool_call>{"name":…,"arguments":…}</tool_call>`, the Hermes format. */
export function hermesToolCallText(call: SimulatedToolCall): string {
  return `<tool_call>\n{"name":${JSON.stringify(call.name)},"arguments":${argumentsText(call)}}\n</tool_call>`;
}

/** `<tool_call><function=NAME><parameter=P>value</parameter></function></tool_call>`, the Qwen3-Coder format. */
export function qwenXmlToolCallText(call: SimulatedToolCall, withOpenTag = true): string {
  let parsed: unknown = call.arguments;
  let body: string;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      parsed = undefined;
    }
  }
  if (isRecord(parsed)) {
    const parameters = Object.entries(parsed).map(([name, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `<parameter=${name}>\n${text}\n</parameter>\n`;
    });
    body = `<function=${call.name}>\n${parameters.join('')}</function>`;
  } else {
    // Not a JSON object: the raw text becomes the function body, the way a confused model writes it.
    body = `<function=${call.name}>\n${argumentsText(call)}\n</function>`;
  }
  return `${withOpenTag ? '<tool_call>\n' : ''}${body}\n</tool_call>`;
}

function joinParts(parts: string[]): string {
  return parts.filter((part) => part.length > 0).join('\n\n');
}

/**
 * Renders a turn's content, reasoning and calls for a server. `hasReasoningChannel` says whether the wire format
 * carries reasoning apart from content; a leak into reasoning without such a channel is a script error.
 */
export function deliverToolCalls(turn: SimulatedTurn, hasReasoningChannel: boolean): DeliveredTurn {
  const content = turn.content ?? '';
  const reasoning = turn.reasoning ?? '';
  const calls = turn.toolCalls ?? [];
  const delivery = turn.toolCallDelivery ?? 'native';
  if (calls.length === 0 || delivery === 'native') return { content, reasoning, nativeCalls: calls };
  const leaked = (render: (call: SimulatedToolCall) => string) => calls.map(render).join('\n');
  switch (delivery) {
    case 'leak-hermes':
      return { content: joinParts([content, leaked(hermesToolCallText)]), reasoning, nativeCalls: [] };
    case 'leak-qwen-xml':
      return {
        content: joinParts([content, leaked((call) => qwenXmlToolCallText(call))]),
        reasoning,
        nativeCalls: [],
      };
    case 'leak-qwen-xml-no-open-tag':
      return {
        content: joinParts([content, leaked((call) => qwenXmlToolCallText(call, false))]),
        reasoning,
        nativeCalls: [],
      };
    case 'leak-hermes-in-reasoning':
      if (!hasReasoningChannel) {
        throw new Error('simulated script: leak-hermes-in-reasoning needs a request with reasoning enabled');
      }
      return { content, reasoning: joinParts([reasoning, leaked(hermesToolCallText)]), nativeCalls: [] };
    case 'leak-qwen-xml-in-think':
      return {
        content: `<think>\n${joinParts([reasoning, leaked((call) => qwenXmlToolCallText(call))])}\n</think>\n\n${content}`,
        reasoning: '',
        nativeCalls: [],
      };
    case 'leak-after-close-think':
      return {
        content: `${reasoning}\n</think>\n\n${joinParts([content, leaked((call) => qwenXmlToolCallText(call))])}`,
        reasoning: '',
        nativeCalls: [],
      };
  }
}

/** Splits text into pieces of at most `size` characters (at least one piece, possibly empty). */
export function splitIntoChunks(text: string, size: number): string[] {
  if (size < 1) throw new Error(`simulated script: chunkSize must be at least 1, got ${size}`);
  const chunks: string[] = [];
  for (let index = 0; index < text.length; index += size) chunks.push(text.slice(index, index + size));
  return chunks;
}

/** Characters of a chat request's messages (strings, content blocks, tool-call arguments), for rough token counts. */
export function countRequestCharacters(body: unknown): number {
  if (!isRecord(body)) return 0;
  let characters = 0;
  const countValue = (value: unknown): void => {
    if (typeof value === 'string') characters += value.length;
    else if (Array.isArray(value)) for (const item of value) countValue(item);
    else if (isRecord(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'role' || key === 'type' || key === 'id' || key === 'tool_use_id') continue;
        countValue(inner);
      }
    }
  };
  if (typeof body.system === 'string') characters += body.system.length;
  else countValue(body.system);
  countValue(body.messages);
  return characters;
}

/**
 * Writes a piece of a streamed answer and waits until it left for the socket, so a simulated fault that follows
 * (a destroyed connection) happens after the client could receive what came before it, as on a real network.
 */
export function writeFlushed(response: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    response.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
