import type { FinishReason, StepResult, ToolCall } from '../providers/types.ts';

/**
 * One model answer as the probe stores it: everything a checker needs, JSON-serializable, so a stored report can
 * be re-scored without asking the model again.
 */
export interface ProbeTurn {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** True when the answer came from a simulated server or scripted model. */
  simulated: boolean;
}

/** Keeps the parts of a step result that scoring needs. */
export function toProbeTurn(result: StepResult): ProbeTurn {
  return {
    text: result.text,
    reasoning: result.reasoning,
    toolCalls: result.toolCalls,
    finishReason: result.finishReason,
    simulated: result.simulated,
  };
}
