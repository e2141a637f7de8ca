import type { Usage } from '../types.ts';
import type { AnthropicUsage } from './anthropic-wire-schemas.ts';

/**
 * Token counts of one streamed message. `message_start` gives the counts known when the answer starts; the final
 * `message_delta` repeats them cumulatively (input, cache writes and reads can grow, e.g. with server tools), so
 * every later report replaces the earlier one. Cache writes are kept apart from plain input (billed higher), with
 * their 1-hour part from the `cache_creation` breakdown; thinking tokens from `output_tokens_details`.
 */
export class AnthropicUsageCounts {
  private input: number | null = null;
  private cacheRead = 0;
  private cacheWrite = 0;
  private cacheWriteOneHour = 0;
  private thinking = 0;
  outputTokens: number | null = null;

  read(raw: AnthropicUsage | undefined): void {
    if (!raw) return;
    this.input = raw.input_tokens ?? this.input;
    this.cacheRead = raw.cache_read_input_tokens ?? this.cacheRead;
    this.cacheWrite = raw.cache_creation_input_tokens ?? this.cacheWrite;
    this.cacheWriteOneHour = raw.cache_creation?.ephemeral_1h_input_tokens ?? this.cacheWriteOneHour;
    this.outputTokens = raw.output_tokens ?? this.outputTokens;
    this.thinking = raw.output_tokens_details?.thinking_tokens ?? this.thinking;
  }

  usage(): Usage {
    const usage: Usage = {
      inputTokens: (this.input ?? 0) + this.cacheRead + this.cacheWrite,
      cachedInputTokens: this.cacheRead,
      outputTokens: this.outputTokens ?? 0,
      reasoningTokens: this.thinking,
      source: this.input !== null || this.outputTokens !== null ? 'server' : 'unavailable',
    };
    if (this.cacheWrite > 0) {
      usage.cacheWriteInputTokens = this.cacheWrite;
      usage.cacheWriteOneHourInputTokens = Math.min(this.cacheWriteOneHour, this.cacheWrite);
    }
    return usage;
  }
}
