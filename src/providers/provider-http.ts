import { InfrastructureError } from './infrastructure-error.ts';
import { requestThread } from './request-thread/index.ts';
import type { SlotTicket } from './types.ts';

/**
 * HTTP plumbing shared by every provider (OpenAI-compatible, Ollama, Anthropic): one request with a whole-request timeout and
 * an idle timeout (no byte from the server for too long, headers included), streamed body reading, and the
 * translation of network failures and HTTP statuses into `InfrastructureError`s.
 */

/** The header every simulated server sets; clients label such answers simulated. */
export const SIMULATED_RESPONSE_HEADER = 'x-shakedown-simulated';

export interface TimedRequestOptions {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  fetch: typeof globalThis.fetch;
  /** Longest the whole request may take, body included (no limit when absent). */
  requestTimeoutMs?: number;
  /** Longest to wait for the response headers (no limit of its own when absent). */
  headersTimeoutMs?: number;
  /** Longest the server may stay silent (before the headers unless `headersTimeoutMs` is set, and between body chunks). */
  idleTimeoutMs: number;
  /** The caller's cancellation; its reason is rethrown as is (a cancellation is not an infrastructure failure). */
  signal?: AbortSignal;
  /**
   * The request's slot of its endpoint: it is sent from the request thread (not through `fetch`) once the slot is
   * free, and its time limits and `sentAt` start then.
   */
  slot?: SlotTicket;
  /** What the request talks to, for error messages (e.g. `Ollama at http://127.0.0.1:11434`). */
  target: string;
}

/** An open response whose body can be read once, as text chunks or whole. */
export interface TimedResponse {
  response: Response;
  /** True when the server labelled itself simulated. */
  simulated: boolean;
  /** `performance.now()` when the request was sent. */
  sentAt: number;
  /** The body as decoded text chunks, as they arrive. Ends the request when done. */
  chunks(): AsyncGenerator<string>;
  /** The whole body as text. Ends the request when done. */
  text(): Promise<string>;
  /**
   * The caller has all it needs (the stream's end marker came): what is left of the body (a chunked stream's last
   * bytes) is read and dropped in the background, so that the connection goes back to the pool instead of being
   * closed and the next request does not open a new one. A body that does not end within {@link DRAIN_LIMIT_MS} or
   * {@link DRAIN_LIMIT_BYTES} is closed. `close` does nothing afterwards.
   */
  release(): void;
  /** Stops the timers and discards any unread body (the connection is closed). Safe to call more than once. */
  close(): void;
}

/** Longest a released body may take to end before its connection is closed. */
const DRAIN_LIMIT_MS = 1_000;
/** Most bytes a released body may still send before its connection is closed. */
const DRAIN_LIMIT_BYTES = 1024 * 1024;

/** The first `code` (e.g. `ECONNREFUSED`) along an error's cause chain, or null. */
export function errorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (
      typeof current === 'object' &&
      current !== null &&
      'code' in current &&
      typeof current.code === 'string'
    ) {
      return current.code;
    }
    current = typeof current === 'object' && current !== null && 'cause' in current ? current.cause : null;
  }
  return null;
}

/** Sends a request and returns once the response headers arrived; throws InfrastructureError on failure. */
export async function openTimedRequest(options: TimedRequestOptions): Promise<TimedResponse> {
  const controller = new AbortController();
  let timedOut: string | null = null;
  const abortFor = (reason: string) => {
    timedOut = reason;
    controller.abort(new Error(reason));
  };
  const requestTimeoutMs = options.requestTimeoutMs;
  const headersTimeoutMs = options.headersTimeoutMs;
  let requestTimer: ReturnType<typeof setTimeout> | undefined;
  let headersTimer: ReturnType<typeof setTimeout> | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(
      () => abortFor(`${options.target} sent nothing for ${options.idleTimeoutMs} ms (idle timeout)`),
      options.idleTimeoutMs,
    );
  };
  const onCallerAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) throw options.signal.reason;
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  let closed = false;
  let released = false;
  const stop = () => {
    if (closed) return;
    closed = true;
    clearTimeout(requestTimer);
    clearTimeout(headersTimer);
    clearTimeout(idleTimer);
    options.signal?.removeEventListener('abort', onCallerAbort);
    if (!controller.signal.aborted) controller.abort(new Error('request closed by the client'));
  };
  const close = () => {
    if (!released) stop();
  };
  const translate = (error: unknown, phase: 'connect' | 'body'): unknown => {
    if (timedOut) return new InfrastructureError('timeout', timedOut, { cause: error });
    if (options.signal?.aborted) return options.signal.reason;
    if (error instanceof InfrastructureError) return error;
    const code = errorCode(error);
    const detail = code ? ` (${code})` : error instanceof Error ? ` (${error.message})` : '';
    const message =
      phase === 'connect'
        ? `could not connect to ${options.target}${detail}`
        : `connection to ${options.target} was lost mid-response${detail}`;
    // Refused or unreachable is a connection failure; a body that breaks off is a broken stream.
    return new InfrastructureError(phase === 'connect' ? 'connection' : 'stream-error', message, {
      cause: error,
    });
  };

  let sentAt = performance.now();
  /** The request went out: its time limits start. */
  const startTimers = () => {
    if (closed) return;
    if (requestTimeoutMs !== undefined) {
      requestTimer = setTimeout(
        () =>
          abortFor(`${options.target} did not finish within the request timeout of ${requestTimeoutMs} ms`),
        requestTimeoutMs,
      );
    }
    if (headersTimeoutMs !== undefined) {
      headersTimer = setTimeout(
        () => abortFor(`${options.target} sent no response headers within ${headersTimeoutMs} ms`),
        headersTimeoutMs,
      );
    }
    // With a headers timeout, the server's silence before the headers is that timeout's business alone.
    else touch();
  };
  const init: RequestInit = {
    method: options.method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    signal: controller.signal,
  };
  let response: Response;
  try {
    const slot = options.slot;
    if (slot) {
      // Sent from the request thread once a slot is free: the wait for it is no part of the request's time. The
      // place alone crosses to the thread (the ticket's `sent` is a function, which a message cannot carry).
      const place = { queue: slot.queue, slots: slot.slots, priority: slot.priority };
      response = await requestThread().fetch(options.url, init, place, (sent) => {
        sentAt = sent.sentAt;
        startTimers();
        slot.sent?.(sent.queuedMs);
      });
    } else {
      startTimers();
      response = await options.fetch(options.url, init);
    }
  } catch (error) {
    close();
    throw translate(error, 'connect');
  }
  clearTimeout(headersTimer);
  touch();

  /** The body was read to its end, or broke off. */
  let bodyEnded = false;
  async function* chunks(): AsyncGenerator<string> {
    if (!response.body) {
      bodyEnded = true;
      close();
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      while (true) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          bodyEnded = true;
          throw translate(error, 'body');
        }
        if (result.done) {
          bodyEnded = true;
          break;
        }
        touch();
        const text = decoder.decode(result.value, { stream: true });
        if (text.length > 0) yield text;
      }
      const rest = decoder.decode();
      if (rest.length > 0) yield rest;
    } finally {
      reader.releaseLock();
      // Read to its end or broken: done. A caller that stopped reading early ends the request with `release` (its
      // connection kept) or `close`.
      if (bodyEnded) close();
    }
  }

  /** Reads what is left of the body and drops it (see `release`), then stops; closes a body that does not end. */
  async function drain(): Promise<void> {
    const body = response.body;
    if (bodyEnded || closed || !body || body.locked) return stop();
    const limit = setTimeout(stop, DRAIN_LIMIT_MS);
    const reader = body.getReader();
    let bytes = 0;
    try {
      for (;;) {
        const result = await reader.read();
        if (result.done) break;
        bytes += result.value.byteLength;
        if (bytes > DRAIN_LIMIT_BYTES) break;
      }
    } catch {
      // Closed by the limit, or the connection broke: nothing is waiting for this body.
    } finally {
      clearTimeout(limit);
      stop();
    }
  }

  return {
    response,
    simulated: response.headers.get(SIMULATED_RESPONSE_HEADER) === '1',
    sentAt,
    chunks,
    async text() {
      let text = '';
      for await (const chunk of chunks()) text += chunk;
      return text;
    },
    release() {
      if (released || closed) return;
      released = true;
      void drain();
    },
    close,
  };
}

/** Splits a stream of text chunks into lines (without the line break), the last one even without a break. */
export async function* readLines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      yield buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  }
  if (buffer.length > 0) yield buffer.replace(/\r$/, '');
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * The InfrastructureError for a non-2xx status: 429 → rate-limit, 408 → timeout, 5xx (and 529) → server-error,
 * other 4xx → client-error (not retried).
 */
export function errorForStatus(
  status: number,
  message: string,
  retryAfter: string | null,
): InfrastructureError {
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  if (status === 429) return new InfrastructureError('rate-limit', message, { status, retryAfterSeconds });
  if (status === 408) return new InfrastructureError('timeout', message, { status, retryAfterSeconds });
  if (status >= 500) return new InfrastructureError('server-error', message, { status, retryAfterSeconds });
  return new InfrastructureError('client-error', message, { status, retryable: false });
}

/** A body excerpt for an error message: trimmed and cut to a readable length. */
export function excerpt(text: string, maxLength = 500): string {
  const trimmed = text.trim();
  return trimmed.length > maxLength ? `${trimmed.slice(0, maxLength)}…` : trimmed;
}

/** The body of an error answer, or '' when it cannot be read (the status alone is then enough). */
export async function errorBodyText(opened: TimedResponse): Promise<string> {
  try {
    return await opened.text();
  } catch {
    return '';
  } finally {
    opened.close();
  }
}
