import type { FinishReason } from '../types.ts';

/** Maps an OpenAI `finish_reason` to ours. */
export function mapFinishReason(reason: string | null): FinishReason {
  switch (reason) {
    case 'stop':
    case 'end_turn':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    case 'error':
      return 'error';
    default:
      return 'other';
  }
}
