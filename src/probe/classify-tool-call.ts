import type { AgentTool } from '../agent/tool.ts';
import { validateToolArguments } from '../agent/tools/validate-tool-arguments.ts';
import type { ToolCall, ToolCallOrigin } from '../providers/types.ts';

/**
 * Validity of one tool call, first failing level wins: `format` (arguments not parseable), `unknown-tool`,
 * `schema` (missing, unexpected or wrong-type arguments), else `valid`.
 */
export type ToolCallValidity = 'valid' | 'format' | 'unknown-tool' | 'schema';

/** One tool call of a probe answer, classified. */
export interface ClassifiedToolCall {
  name: string;
  /** Arguments after the agent's alias renaming and coercion when valid, else as the model gave them. */
  arguments: Record<string, unknown>;
  validity: ToolCallValidity;
  origin: ToolCallOrigin;
  /** Why the call is not valid (parse error or schema message); absent for valid calls. */
  error?: string;
}

/** Classifies one call against the agent's tools, validating arguments exactly as the agent would. */
export function classifyToolCall(call: ToolCall, tools: AgentTool[]): ClassifiedToolCall {
  const base = { name: call.name, arguments: call.arguments, origin: call.origin };
  if (call.argumentsError !== undefined) return { ...base, validity: 'format', error: call.argumentsError };
  const tool = tools.find((candidate) => candidate.name === call.name);
  if (!tool) {
    return { ...base, validity: 'unknown-tool', error: `no tool named ${JSON.stringify(call.name)}` };
  }
  const validation = validateToolArguments(tool, call.arguments);
  if (!validation.ok) return { ...base, validity: 'schema', error: validation.error };
  return { ...base, arguments: validation.args as Record<string, unknown>, validity: 'valid' };
}

const LEAKED_CALL_PATTERN =
  /<tool_call>|<\/tool_call>|<function=|"arguments"\s*:|"name"\s*:\s*"[a-z_]+"\s*,\s*"(?:arguments|parameters)"/;

/**
 * True when text looks like a tool call the client could not parse (a format failure with no call at all):
 * leftover `<tool_call>` tags, Qwen XML, or a JSON call object written as text.
 */
export function looksLikeUnparsedToolCall(text: string): boolean {
  return LEAKED_CALL_PATTERN.test(text);
}
