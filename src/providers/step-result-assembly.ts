import type { ModelIssue, StepResult, ToolCall } from './types.ts';

/**
 * The pieces every provider assembles at the end of a step, once the answer is read and normalized: the issues
 * that depend only on the normalized output, and the StepResult itself.
 */

/** The assistant output after tool-call recovery (`normalizeAssistantOutput`). */
export interface NormalizedOutput {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
}

/** One `malformed-arguments` issue per server-parsed tool call whose arguments did not parse. */
export function serverParsedArgumentIssues(toolCalls: readonly ToolCall[]): ModelIssue[] {
  return toolCalls
    .filter((call) => call.argumentsError && call.origin === 'server-parsed')
    .map((call) => ({
      kind: 'malformed-arguments' as const,
      message: `tool call ${call.name}: ${call.argumentsError}`,
    }));
}

/** The `truncated` issue of an answer cut at the output token limit; `detail` names the raw reason. */
export function outputLimitIssue(detail: string): ModelIssue {
  return { kind: 'truncated', message: `the answer was cut at the output token limit (${detail})` };
}

/** An `empty-turn` issue when the model answered with neither text nor a tool call, else nothing. */
export function emptyTurnIssues(output: Pick<NormalizedOutput, 'text' | 'toolCalls'>): ModelIssue[] {
  return output.text.trim() === '' && output.toolCalls.length === 0
    ? [{ kind: 'empty-turn', message: 'the model answered with neither text nor a tool call' }]
    : [];
}

/** The StepResult of a fresh (not retried) step: the normalized output plus what the provider measured. */
export function assembleStepResult(
  output: NormalizedOutput,
  rest: Omit<StepResult, 'text' | 'reasoning' | 'toolCalls' | 'retries' | 'queuedMs'>,
): StepResult {
  return {
    text: output.text,
    reasoning: output.reasoning,
    toolCalls: output.toolCalls,
    finishReason: rest.finishReason,
    rawFinishReason: rest.rawFinishReason,
    usage: rest.usage,
    timings: rest.timings,
    issues: rest.issues,
    provider: rest.provider,
    model: rest.model,
    simulated: rest.simulated,
    retries: [],
  };
}
