import type { ToolCall, ToolDefinition } from '../providers/types.ts';
import type { ToolCallValidity } from '../transcript/events.ts';
import { validateDeclaredArguments } from './validate-declared-arguments.ts';

/** A tool call judged against the tools the agent declared in the request that produced it. */
export interface DeclaredToolCallClassification {
  /** `format`, `unknown-tool`, `schema` or `valid` (execution errors are only known later, from the tool result). */
  validity: Exclude<ToolCallValidity, 'execution-error'>;
  /** Why the call is not valid; null when valid. */
  detail: string | null;
}

/**
 * Classifies one call, first failing level wins: `format` (arguments not a parseable JSON object), `unknown-tool`
 * (no tool of that name was declared in the request), `schema` (arguments break the declared JSON Schema), else
 * `valid`.
 */
export function classifyDeclaredToolCall(
  call: ToolCall,
  declaredTools: readonly ToolDefinition[],
): DeclaredToolCallClassification {
  if (call.argumentsError !== undefined) return { validity: 'format', detail: call.argumentsError };
  const tool = declaredTools.find((candidate) => candidate.name === call.name);
  if (!tool) {
    const available = declaredTools.map((candidate) => candidate.name).join(', ') || '(none declared)';
    return {
      validity: 'unknown-tool',
      detail: `unknown tool ${JSON.stringify(call.name)}; the agent declared: ${available}`,
    };
  }
  const problems = validateDeclaredArguments(call.arguments, tool.parameters);
  if (problems.length > 0) return { validity: 'schema', detail: problems.join('; ') };
  return { validity: 'valid', detail: null };
}
