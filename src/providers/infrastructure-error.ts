import type { InfrastructureErrorKind, RetryRecord } from './types.ts';

/**
 * A failure of the model server or the path to it (connection refused, 5xx, 429, an error object inside a 200
 * stream, a timeout). Never counted against the model: retried with backoff and reported apart.
 */
export class InfrastructureError extends Error {
  readonly kind: InfrastructureErrorKind;
  readonly status: number | null;
  readonly retryable: boolean;
  /** Seconds the server asked us to wait (Retry-After), when given. */
  readonly retryAfterSeconds: number | null;
  /** Failed attempts retried before this error was finally thrown (filled by `withRetries`). */
  retries: RetryRecord[] = [];

  constructor(
    kind: InfrastructureErrorKind,
    message: string,
    options: {
      status?: number | null;
      retryable?: boolean;
      retryAfterSeconds?: number | null;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'InfrastructureError';
    this.kind = kind;
    this.status = options.status ?? null;
    this.retryable = options.retryable ?? kind !== 'client-error';
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}

export function isInfrastructureError(error: unknown): error is InfrastructureError {
  return error instanceof InfrastructureError;
}
