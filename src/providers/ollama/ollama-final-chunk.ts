import type { FinishReason, Timings, Usage } from '../types.ts';
import type { OllamaChatChunk } from './ollama-wire-schemas.ts';

const NANOSECONDS_PER_MILLISECOND = 1_000_000;

/** The finish reason of the final line: `done_reason` stays "stop" on tool calls, so calls decide. */
export function ollamaFinishReason(rawFinishReason: string | null, hasToolCalls: boolean): FinishReason {
  if (rawFinishReason === 'length') return 'length';
  if (hasToolCalls) return 'tool-calls';
  if (rawFinishReason === 'stop' || rawFinishReason === null) return 'stop';
  return 'other';
}

/** Server-reported token counts of the final line. */
export function ollamaUsage(final: OllamaChatChunk): Usage {
  const promptEvalCount = final.prompt_eval_count ?? null;
  const evalCount = final.eval_count ?? null;
  return {
    inputTokens: promptEvalCount ?? 0,
    cachedInputTokens: 0,
    outputTokens: evalCount ?? 0,
    reasoningTokens: 0,
    source: promptEvalCount !== null || evalCount !== null ? 'server' : 'unavailable',
  };
}

/** Prefill, decode and load time from the final line's durations (server-reported); first token measured. */
export function ollamaTimings(
  final: OllamaChatChunk,
  sentAt: number,
  firstTokenAt: number | null,
  finishedAt: number,
): Timings {
  const milliseconds = (nanoseconds: number | undefined) =>
    nanoseconds === undefined ? null : nanoseconds / NANOSECONDS_PER_MILLISECOND;
  const perSecond = (tokens: number | undefined, durationMs: number | null) =>
    tokens === undefined || durationMs === null || durationMs <= 0 ? null : tokens / (durationMs / 1000);
  const prefillMs = milliseconds(final.prompt_eval_duration);
  const decodeMs = milliseconds(final.eval_duration);
  const prefillTokensPerSecond = perSecond(final.prompt_eval_count, prefillMs);
  const decodeTokensPerSecond = perSecond(final.eval_count, decodeMs);
  return {
    timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - sentAt,
    prefillTokensPerSecond,
    decodeTokensPerSecond,
    prefillMs,
    decodeMs,
    wallMs: finishedAt - sentAt,
    loadMs: milliseconds(final.load_duration),
    sources: {
      timeToFirstToken: firstTokenAt === null ? 'unavailable' : 'measured',
      prefill: prefillTokensPerSecond === null ? 'unavailable' : 'server',
      decode: decodeTokensPerSecond === null ? 'unavailable' : 'server',
    },
  };
}
