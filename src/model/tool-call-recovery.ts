// Owned by the tool-call recovery work; this is the agreed signature that providers call.
import type { ModelIssue, ToolCall } from './types.ts';

export interface AssistantOutput {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
}

/**
 * Turns what a server sent into the final assistant output: splits `<think>` blocks out of the text into
 * reasoning, recovers tool calls leaked into text or reasoning (Hermes JSON, Qwen XML with or without the opening
 * tag, inside `<think>`), removes them from the text, and tags them `recovered`. Server-parsed calls are kept
 * first and untouched.
 */
export function normalizeAssistantOutput(
  output: AssistantOutput,
  _options: { knownTools?: string[] } = {},
): AssistantOutput & { issues: ModelIssue[] } {
  return { ...output, issues: [] };
}
