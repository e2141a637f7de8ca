import type {
  AssistantMessage,
  EndpointInfo,
  Message,
  StepResult,
  ToolCall,
  ToolDefinition,
} from '../providers/types.ts';
import type { ToolProtocolName } from '../transcript/events.ts';
import { createHermesToolProtocol, createXmlToolProtocol } from './text-tool-protocol.ts';

/** The tool calls of one model step, read the way the protocol says. */
export interface InterpretedStep {
  calls: ToolCall[];
  /** The visible answer text without tool-call markup. */
  text: string;
  /** Text that looked like a tool call but could not be parsed (text protocols only). */
  errors: string[];
  /** What to append to the conversation for this step. */
  assistantMessage: AssistantMessage;
}

/** One tool result to send back to the model. */
export interface ToolResultForModel {
  call: ToolCall;
  content: string;
  isError: boolean;
}

/** How tools are offered to the model and how calls and results travel. */
export interface ToolProtocol {
  readonly name: ToolProtocolName;
  /** The system prompt with the protocol's tool description appended (unchanged for `native`). */
  systemPrompt(basePrompt: string, tools: ToolDefinition[]): string;
  /** Tool definitions to put on the request (`undefined` for text protocols). */
  requestTools(tools: ToolDefinition[]): ToolDefinition[] | undefined;
  /** Reads the calls out of a step result; `step` makes generated call ids unique. */
  interpret(result: StepResult, step: number): InterpretedStep;
  /** The messages that carry tool results back to the model. */
  resultMessages(results: ToolResultForModel[]): Message[];
  /** A reminder of the call format, sent after an unparseable call. */
  formatReminder(): string;
}

/** Tool protocol requested by configuration; `auto` picks from what the endpoint says. */
export type RequestedToolProtocol = 'auto' | ToolProtocolName;

/**
 * Picks the tool protocol: an explicit request wins; `auto` is `native` unless the endpoint says it has no tool
 * support (API models and servers that don't report it are assumed to have it), else `hermes` (tools described
 * in the system prompt).
 */
export function chooseToolProtocol(
  endpointInfo: EndpointInfo | null,
  requested: RequestedToolProtocol,
): ToolProtocolName {
  if (requested !== 'auto') return requested;
  return endpointInfo?.supportsTools === false ? 'hermes' : 'native';
}

/** Creates the protocol implementation for a name. */
export function createToolProtocol(name: ToolProtocolName): ToolProtocol {
  switch (name) {
    case 'native':
      return nativeToolProtocol;
    case 'hermes':
      return createHermesToolProtocol();
    case 'xml':
      return createXmlToolProtocol();
  }
}

/** Tools sent as structured definitions; calls come back structured; results go back as tool messages. */
const nativeToolProtocol: ToolProtocol = {
  name: 'native',
  systemPrompt: (basePrompt) => basePrompt,
  requestTools: (tools) => tools,
  interpret(result) {
    const assistantMessage: AssistantMessage = { role: 'assistant', content: result.text };
    if (result.toolCalls.length > 0) assistantMessage.toolCalls = result.toolCalls;
    return { calls: result.toolCalls, text: result.text, errors: [], assistantMessage };
  },
  resultMessages: (results) =>
    results.map(({ call, content, isError }) => ({
      role: 'tool',
      toolCallId: call.id,
      toolName: call.name,
      content,
      isError,
    })),
  formatReminder: () => 'Call tools with the tool-calling interface, with arguments as a JSON object.',
};
