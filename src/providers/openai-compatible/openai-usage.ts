import { isRecord, type JsonObject, numberOrNull } from '../../shared/json-values.ts';
import type { Usage } from '../types.ts';

/**
 * The `usage` object of OpenAI-style chat completions as the servers that speak it fill it in:
 * - OpenAI: reasoning tokens are part of `completion_tokens` (`completion_tokens_details.reasoning_tokens`).
 * - xAI: reasoning tokens are counted apart from `completion_tokens` (`total_tokens` = prompt + completion +
 *   reasoning), so the output billed is completion + reasoning.
 * - OpenRouter: the price it charged (`cost`; with a user's own key, `cost` is only its fee and the provider's charge
 *   is `cost_details.upstream_inference_cost`), and cache writes (`prompt_tokens_details.cache_write_tokens`).
 * - xAI also reports its charge as `cost_in_usd_ticks` (1 tick = 1e-10 US dollars).
 * Null when the object lacks prompt or completion counts.
 */
export function usageFromOpenAIUsage(usage: JsonObject, cacheHitsFallback: number | null): Usage | null {
  const inputTokens = numberOrNull(usage.prompt_tokens);
  const completionTokens = numberOrNull(usage.completion_tokens);
  if (inputTokens === null || completionTokens === null) return null;
  const promptDetails = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const completionDetails = isRecord(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  const reasoningTokens = numberOrNull(completionDetails.reasoning_tokens) ?? 0;
  const totalTokens = numberOrNull(usage.total_tokens);
  const reasoningApart =
    reasoningTokens > 0 &&
    totalTokens === inputTokens + completionTokens + reasoningTokens &&
    totalTokens !== inputTokens + completionTokens;
  const result: Usage = {
    inputTokens,
    cachedInputTokens: numberOrNull(promptDetails.cached_tokens) ?? cacheHitsFallback ?? 0,
    outputTokens: reasoningApart ? completionTokens + reasoningTokens : completionTokens,
    reasoningTokens,
    source: 'server',
  };
  const cacheWrites = numberOrNull(promptDetails.cache_write_tokens);
  if (cacheWrites !== null && cacheWrites > 0) result.cacheWriteInputTokens = cacheWrites;
  const reportedCost = reportedCostUsd(usage);
  if (reportedCost !== null) result.reportedCostUsd = reportedCost;
  return result;
}

const USD_PER_XAI_TICK = 1e-10;

function reportedCostUsd(usage: JsonObject): number | null {
  const cost = numberOrNull(usage.cost);
  if (cost !== null) {
    const details = isRecord(usage.cost_details) ? usage.cost_details : {};
    const upstream = numberOrNull(details.upstream_inference_cost);
    return usage.is_byok === true && upstream !== null ? cost + upstream : cost;
  }
  const ticks = numberOrNull(usage.cost_in_usd_ticks);
  return ticks === null ? null : ticks * USD_PER_XAI_TICK;
}
