import type PQueue from 'p-queue';
import type { ModelClient, StepRequest, StepResult } from '../providers/types.ts';

/** What the attempt's bookkeeping hears about each of its model requests (see attempts-in-flight.ts). */
export interface RequestTimingListener {
  /** The request joined the endpoint's queue. */
  queued(): void;
  /** The request took a slot and goes to the server. */
  sent(): void;
  /** The request gave its slot back (`sent`: answered, failed or aborted) or left the queue without being sent. */
  ended(sent: boolean): void;
}

/** Options of {@link gateClient}. */
export interface GateOptions {
  /**
   * Priority in the endpoint's queue of a request, from the requests this client already made (greater goes first,
   * ties in order of arrival; see request-priority.ts). Default: 0, first come first served.
   */
  priorityOf?: (requestsDone: number) => number;
  timing?: RequestTimingListener;
}

/**
 * Wraps a model client so that each `step` (one model request) takes a slot of its endpoint's queue: the queue's
 * concurrency is the endpoint's parallel slots, and one queue is shared by every attempt against that endpoint.
 * Attempts thus hold a slot only while the server works for them, not during workspace set-up, tool runs or
 * grading. Requests wait in the queue in the order `priorityOf` gives. A queued request whose `signal` aborts leaves
 * the queue (rejecting with the signal's reason) without ever reaching the server. The time a request waited for a
 * slot is returned as `queuedMs` (not model time). Everything else (`describe`, `close`, the id getters) passes
 * straight through.
 */
export function gateClient(client: ModelClient, queue: PQueue, options: GateOptions = {}): ModelClient {
  let requestsDone = 0;
  const step = async (request: StepRequest): Promise<StepResult> => {
    const queuedAt = performance.now();
    let queuedMs = 0;
    let sent = false;
    const priority = options.priorityOf?.(requestsDone) ?? 0;
    options.timing?.queued();
    try {
      const result = await queue.add(
        () => {
          queuedMs = performance.now() - queuedAt;
          sent = true;
          options.timing?.sent();
          return client.step(request);
        },
        { priority, ...(request.signal ? { signal: request.signal } : {}) },
      );
      // The slot is free: the next queued request (another attempt's) goes out before this attempt's bookkeeping
      // (transcript, store, its tools) takes the event loop, so the server gets it as soon as possible.
      await new Promise((resolve) => setImmediate(resolve));
      return queuedMs > 0 ? { ...result, queuedMs: (result.queuedMs ?? 0) + queuedMs } : result;
    } finally {
      requestsDone += 1;
      options.timing?.ended(sent);
    }
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'step') return step;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
