import { ContextLengthExceededError } from '../context-length-error.ts';
import { InfrastructureError } from '../infrastructure-error.ts';
import { errorForStatus } from '../provider-http.ts';
import { errorBodySchema } from './openai-wire-schemas.ts';

const CONTEXT_OVERFLOW_PATTERN =
  /exceed_context_size_error|context_length_exceeded|maximum context length|context length|context size|context window|prompt is too long/i;

/** A readable message from an error body (`{"error":{"message":…}}`, `{"error":"…"}`, `{"message":…}`, text). */
export function errorMessageFromBody(text: string): { message: string; contextLength: number | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = errorBodySchema.safeParse(parsed);
  if (body.success) {
    const { error } = body.data;
    const nCtx = typeof error === 'object' ? (error.n_ctx ?? null) : null;
    const message =
      typeof error === 'string' ? error : (error?.message ?? body.data.message ?? body.data.detail ?? null);
    if (message !== null) return { message, contextLength: nCtx ?? maximumNamedIn(message) };
  }
  return { message: text.trim().slice(0, 500) || '(empty body)', contextLength: null };
}

/** "maximum context length is N" (vLLM, OpenAI). */
function maximumNamedIn(message: string): number | null {
  const match = /maximum context length is (\d+)/i.exec(message);
  return match ? Number(match[1]) : null;
}

/**
 * An error a server sent inside an HTTP 200 stream: a context refusal (2025 llama.cpp builds refused an over-long
 * prompt this way, test-support/fixtures/llamacpp-b5966) ends the attempt as context-exceeded; anything else is
 * an infrastructure stream error.
 */
export function streamedError(described: string, contextLength: number | null): Error {
  if (CONTEXT_OVERFLOW_PATTERN.test(described))
    return new ContextLengthExceededError(described, contextLength);
  return new InfrastructureError('stream-error', described);
}

/**
 * The error for a non-2xx answer: a 4xx naming the context window is the model's context overflow; everything else
 * is an infrastructure error classed by status (429 rate limit, 408 timeout, 5xx server error, other 4xx client error).
 */
export function errorForResponse(
  status: number,
  bodyText: string,
  retryAfter: string | null,
  label: string,
): InfrastructureError | ContextLengthExceededError {
  const { message, contextLength } = errorMessageFromBody(bodyText);
  const described = `${label}: HTTP ${status}: ${message}`;
  if (status < 400) {
    return new InfrastructureError('bad-response', `${label}: unexpected HTTP ${status}`, { status });
  }
  if (status >= 400 && status < 500 && status !== 429 && status !== 408) {
    if (CONTEXT_OVERFLOW_PATTERN.test(`${message} ${bodyText}`)) {
      return new ContextLengthExceededError(described, contextLength);
    }
  }
  return errorForStatus(status, described, retryAfter);
}
