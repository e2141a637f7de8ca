import { ContextLengthExceededError } from './context-length-error.ts';
import { InfrastructureError } from './infrastructure-error.ts';
import { errorBodySchema } from './openai-wire-schemas.ts';
import { errorForStatus } from './provider-http.ts';

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
