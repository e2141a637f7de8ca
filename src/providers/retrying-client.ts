import { InfrastructureError } from './infrastructure-error.ts';
import type { ModelClient, RetryRecord, StepRequest, StepResult } from './types.ts';

/** How {@link withRetries} retries infrastructure failures. */
export interface RetryPolicy {
  /** Retries after the first attempt (default 4, so at most 5 requests). */
  maxRetries?: number;
  /** Backoff base: the n-th retry waits up to `baseDelayMs * 2^(n-1)` (default 500). */
  baseDelayMs?: number;
  /** Upper bound for any single wait, a server's Retry-After included (default 30000). */
  maxDelayMs?: number;
  /** Full jitter: wait a uniformly random time up to the backoff (default true). */
  jitter?: boolean;
  /** Waits; replaceable in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Told about each retry before its wait. */
  onRetry?: (record: RetryRecord) => void;
  /** Random source in [0, 1) for the jitter; replaceable in tests. */
  random?: () => number;
}

const DEFAULTS = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 30_000, jitter: true } as const;

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with the signal's reason as soon as it aborts; otherwise resolves when `wait` does. */
function sleepWithSignal(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return wait;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    wait.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function validatePolicy(policy: RetryPolicy): void {
  for (const key of ['maxRetries', 'baseDelayMs', 'maxDelayMs'] as const) {
    const value = policy[key];
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new Error(`retry policy ${key} must be a non-negative number, got ${value}`);
    }
  }
}

/**
 * Wraps a client so that retryable `InfrastructureError`s (connection failures, 5xx, 429, errors inside a
 * stream, timeouts) are retried with exponential backoff and full jitter, honouring a server's Retry-After (up to
 * `maxDelayMs`). The retries are recorded in `StepResult.retries`; when they run out, the last error is thrown
 * with the history in its `retries`. Non-retryable infrastructure errors, context-length errors and every other
 * error are thrown at once. An abort of `request.signal` ends a wait immediately.
 */
export function withRetries(client: ModelClient, policy: RetryPolicy = {}): ModelClient {
  validatePolicy(policy);
  const maxRetries = Math.floor(policy.maxRetries ?? DEFAULTS.maxRetries);
  const baseDelayMs = policy.baseDelayMs ?? DEFAULTS.baseDelayMs;
  const maxDelayMs = policy.maxDelayMs ?? DEFAULTS.maxDelayMs;
  const jitter = policy.jitter ?? DEFAULTS.jitter;
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;

  const delayFor = (retryNumber: number, error: InfrastructureError): number => {
    if (error.retryAfterSeconds !== null && error.retryAfterSeconds >= 0) {
      return Math.min(error.retryAfterSeconds * 1000, maxDelayMs);
    }
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retryNumber - 1));
    return jitter ? Math.floor(random() * ceiling) : ceiling;
  };

  const step = async (request: StepRequest): Promise<StepResult> => {
    const records: RetryRecord[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await client.step(request);
        return { ...result, retries: [...records, ...result.retries] };
      } catch (error) {
        if (!(error instanceof InfrastructureError)) throw error;
        const aborted = request.signal?.aborted ?? false;
        if (!error.retryable || aborted || attempt > maxRetries) {
          error.retries = [...records, ...error.retries];
          throw error;
        }
        const record: RetryRecord = {
          attempt,
          error: error.message,
          kind: error.kind,
          delayMs: delayFor(attempt, error),
        };
        records.push(record);
        policy.onRetry?.(record);
        await sleepWithSignal(sleep(record.delayMs), request.signal);
      }
    }
  };

  const wrapped: ModelClient = {
    id: client.id,
    provider: client.provider,
    model: client.model,
    simulated: client.simulated,
    step,
    describe: () => client.describe(),
    // Each try takes its own slot (a retry's wait is not the server's time).
    ...(client.takesSlotTickets ? { takesSlotTickets: true } : {}),
  };
  if (client.close) wrapped.close = () => client.close!();
  return wrapped;
}
