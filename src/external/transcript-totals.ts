import type { Usage } from '../providers/types.ts';
import type { TranscriptEvent, UsageTotals } from '../transcript/events.ts';

/** Totals of an external agent's attempt, computed from the events the recording proxy wrote. */
export interface RecordedTotals {
  /** Model calls answered with a response. */
  steps: number;
  usage: UsageTotals;
  costUsd: number;
  /** Sum of the model calls' wall times. */
  modelMs: number;
  /** Sum of the inferred tool durations (agent's answer-to-next-request time, an upper bound). */
  toolMs: number;
  toolCalls: number;
  invalidToolCalls: number;
  formatErrors: number;
  /** The last non-empty answer text of the model, or null. */
  lastText: string | null;
}

/** Sums model responses, tool calls, tool results and format errors of a transcript (or a slice of one). */
export function totalsFromEvents(
  events: readonly TranscriptEvent[],
  costOfUsage?: (usage: Usage) => number,
): RecordedTotals {
  const totals: RecordedTotals = {
    steps: 0,
    usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 },
    costUsd: 0,
    modelMs: 0,
    toolMs: 0,
    toolCalls: 0,
    invalidToolCalls: 0,
    formatErrors: 0,
    lastText: null,
  };
  for (const event of events) {
    switch (event.type) {
      case 'model-response': {
        const { result } = event;
        totals.steps += 1;
        totals.usage.inputTokens += result.usage.inputTokens;
        totals.usage.cachedInputTokens += result.usage.cachedInputTokens;
        totals.usage.outputTokens += result.usage.outputTokens;
        totals.usage.reasoningTokens += result.usage.reasoningTokens;
        totals.modelMs += result.timings.wallMs;
        if (costOfUsage) totals.costUsd += costOfUsage(result.usage);
        if (result.text.trim() !== '') totals.lastText = result.text;
        break;
      }
      case 'tool-call':
        totals.toolCalls += 1;
        if (event.validity !== 'valid') totals.invalidToolCalls += 1;
        break;
      case 'tool-result':
        totals.toolMs += event.durationMs;
        break;
      case 'format-error':
        totals.formatErrors += 1;
        break;
      default:
        break;
    }
  }
  return totals;
}
