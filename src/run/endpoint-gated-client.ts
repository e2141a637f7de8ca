import type PQueue from 'p-queue';
import type { ModelClient, StepRequest, StepResult } from '../providers/types.ts';

/**
 * Wraps a model client so that each `step` (one model request) takes a slot of its endpoint's queue: the queue's
 * concurrency is the endpoint's parallel slots, and one queue is shared by every attempt against that endpoint.
 * Attempts thus hold a slot only while the server works for them, not during workspace set-up, tool runs or
 * grading. A queued request whose `signal` aborts leaves the queue (rejecting with the signal's reason) without
 * ever reaching the server. The time a request waited for a slot is returned as `queuedMs` (not model time).
 * Everything else (`describe`, `close`, the id getters) passes straight through.
 */
export function gateClient(client: ModelClient, queue: PQueue): ModelClient {
  const step = async (request: StepRequest): Promise<StepResult> => {
    const queuedAt = performance.now();
    let queuedMs = 0;
    const result = await queue.add(
      () => {
        queuedMs = performance.now() - queuedAt;
        return client.step(request);
      },
      request.signal ? { signal: request.signal } : {},
    );
    return queuedMs > 0 ? { ...result, queuedMs: (result.queuedMs ?? 0) + queuedMs } : result;
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'step') return step;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
