import type { FinishReason } from '../types.ts';

/** Maps Anthropic's stop_reason onto the normalized finish reason. */
export function mapAnthropicStopReason(reason: string | null, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    case 'end_turn':
    case 'stop_sequence':
      return hasToolCalls ? 'tool-calls' : 'stop';
    default:
      return hasToolCalls ? 'tool-calls' : 'other';
  }
}
