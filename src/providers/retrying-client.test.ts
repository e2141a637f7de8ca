import { describe, expect, it, vi } from 'vitest';
import { ContextLengthExceededError } from './context-length-error.ts';
import { InfrastructureError } from './infrastructure-error.ts';
import { withRetries } from './retrying-client.ts';
import type { EndpointInfo, ModelClient, RetryRecord, StepRequest, StepResult } from './types.ts';

function result(text: string): StepResult {
  return {
    text,
    reasoning: '',
    toolCalls: [],
    finishReason: 'stop',
    rawFinishReason: 'stop',
    usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, source: 'server' },
    timings: {
      timeToFirstTokenMs: 1,
      prefillTokensPerSecond: null,
      decodeTokensPerSecond: null,
      prefillMs: null,
      decodeMs: null,
      wallMs: 2,
      loadMs: null,
      sources: { timeToFirstToken: 'measured', prefill: 'unavailable', decode: 'unavailable' },
    },
    issues: [],
    provider: 'fake',
    model: 'fake-model',
    simulated: true,
    retries: [],
  };
}

/** A fake client (simulated) that throws the scripted errors in order, then answers. */
function fakeClient(outcomes: Array<Error | string>): ModelClient & { calls: number } {
  const client = {
    id: 'fake:fake-model',
    provider: 'fake',
    model: 'fake-model',
    simulated: true,
    calls: 0,
    async step(_request: StepRequest): Promise<StepResult> {
      const outcome = outcomes[client.calls++];
      if (outcome === undefined) throw new Error('fake client script exhausted');
      if (outcome instanceof Error) throw outcome;
      return result(outcome);
    },
    async describe(): Promise<EndpointInfo> {
      throw new Error('not used');
    },
  };
  return client;
}

const request: StepRequest = { messages: [{ role: 'user', content: 'hi' }] };
const serverError = () => new InfrastructureError('server-error', 'HTTP 503 from server', { status: 503 });

describe('withRetries', () => {
  it('retries retryable infrastructure errors and records them on the result', async () => {
    const client = fakeClient([serverError(), new InfrastructureError('connection', 'ECONNREFUSED'), 'done']);
    const sleeps: number[] = [];
    const seen: RetryRecord[] = [];
    const wrapped = withRetries(client, {
      jitter: false,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onRetry: (record) => seen.push(record),
    });
    const answer = await wrapped.step(request);
    expect(answer.text).toBe('done');
    expect(client.calls).toBe(3);
    expect(sleeps).toEqual([500, 1000]);
    expect(answer.retries).toEqual([
      { attempt: 1, error: 'HTTP 503 from server', kind: 'server-error', delayMs: 500 },
      { attempt: 2, error: 'ECONNREFUSED', kind: 'connection', delayMs: 1000 },
    ]);
    expect(seen).toEqual(answer.retries);
  });

  it('caps exponential backoff at maxDelayMs and applies full jitter', async () => {
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
    };
    const noJitter = withRetries(
      fakeClient([serverError(), serverError(), serverError(), serverError(), 'ok']),
      {
        jitter: false,
        baseDelayMs: 1000,
        maxDelayMs: 3000,
        sleep,
      },
    );
    await noJitter.step(request);
    expect(sleeps).toEqual([1000, 2000, 3000, 3000]);

    sleeps.length = 0;
    const jittered = withRetries(fakeClient([serverError(), serverError(), 'ok']), {
      baseDelayMs: 1000,
      random: () => 0.5,
      sleep,
    });
    await jittered.step(request);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('honours Retry-After', async () => {
    const sleeps: number[] = [];
    const wrapped = withRetries(
      fakeClient([
        new InfrastructureError('rate-limit', 'HTTP 429', { status: 429, retryAfterSeconds: 7 }),
        'ok',
      ]),
      {
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    );
    await wrapped.step(request);
    expect(sleeps).toEqual([7000]);
  });

  it('throws the last error with its retry history after exhausting retries', async () => {
    const client = fakeClient([serverError(), serverError(), serverError()]);
    const wrapped = withRetries(client, { maxRetries: 2, jitter: false, sleep: async () => {} });
    const error = await wrapped.step(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(client.calls).toBe(3);
    expect((error as InfrastructureError).retries.map((record) => record.attempt)).toEqual([1, 2]);
  });

  it('does not retry non-retryable infrastructure errors, context errors or other errors', async () => {
    const sleep = vi.fn(async () => {});
    for (const thrown of [
      new InfrastructureError('client-error', 'HTTP 401 unauthorized', { status: 401 }),
      new ContextLengthExceededError('too long', 4096),
      new TypeError('bug'),
    ]) {
      const client = fakeClient([thrown, 'never']);
      await expect(withRetries(client, { sleep }).step(request)).rejects.toBe(thrown);
      expect(client.calls).toBe(1);
    }
    expect(sleep).not.toHaveBeenCalled();
  });

  it('stops waiting when the request is aborted', async () => {
    const controller = new AbortController();
    const client = fakeClient([serverError(), 'never']);
    const wrapped = withRetries(client, { sleep: () => new Promise(() => {}) });
    const pending = wrapped.step({ ...request, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error('cancelled by user'));
    await expect(pending).rejects.toThrow('cancelled by user');
    expect(client.calls).toBe(1);
  });

  it('passes identity through and rejects bad policies', () => {
    const wrapped = withRetries(fakeClient([]));
    expect([wrapped.id, wrapped.provider, wrapped.model, wrapped.simulated]).toEqual([
      'fake:fake-model',
      'fake',
      'fake-model',
      true,
    ]);
    expect(() => withRetries(fakeClient([]), { maxRetries: -1 })).toThrow(/maxRetries/);
  });
});
