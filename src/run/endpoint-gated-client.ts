import { requestThread } from '../providers/index.ts';
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

/** One endpoint's slots: every gated client of the endpoint shares its `queue` (on the request thread). */
export interface EndpointSlots {
  readonly queue: string;
  readonly slots: number;
}

let endpointCount = 0;

/** A new endpoint's slots: a queue of its own (unique in this process) that lets `slots` requests through at once. */
export function endpointSlots(slots: number): EndpointSlots {
  if (!Number.isInteger(slots) || slots < 1)
    throw new Error(`an endpoint needs at least one slot, got ${slots}`);
  endpointCount += 1;
  return { queue: `endpoint-${endpointCount}`, slots };
}

/**
 * Wraps a model client so that each model request takes a slot of its endpoint: one queue per endpoint, shared by
 * every attempt against it, whose concurrency is the endpoint's parallel slots. Attempts thus hold a slot only while
 * the server works for them, not during workspace set-up, tool runs or grading. The queues live on the request
 * thread (providers/request-thread), which sends a queued request the moment a slot frees, however busy this thread
 * is:
 * - a client that `takesSlotTickets` (the HTTP providers with their own transport) gets the slot in its request and
 *   sends it from there; the slot is held until the answer's last byte;
 * - any other client (in-process models, a custom fetch) waits for a slot here, holds it for its whole `step`, and
 *   gives it back.
 *
 * Requests wait in the order `priorityOf` gives. A queued request whose `signal` aborts leaves the queue (rejecting
 * with the signal's reason) without ever reaching the server. The time a request waited for a slot is returned as
 * `queuedMs` (not model time). Everything else (`describe`, `close`, the id getters) passes straight through.
 */
export function gateClient(
  client: ModelClient,
  endpoint: EndpointSlots,
  options: GateOptions = {},
): ModelClient {
  let requestsDone = 0;
  const step = async (request: StepRequest): Promise<StepResult> => {
    let queuedMs = 0;
    let sent = false;
    const place = {
      queue: endpoint.queue,
      slots: endpoint.slots,
      priority: options.priorityOf?.(requestsDone) ?? 0,
    };
    const took = (waited: number) => {
      queuedMs += waited;
      if (sent) return;
      sent = true;
      options.timing?.sent();
    };
    options.timing?.queued();
    try {
      let result: StepResult;
      if (client.takesSlotTickets) {
        result = await client.step({ ...request, slot: { ...place, sent: took } });
      } else {
        const held = await requestThread().acquire(place, request.signal);
        took(held.queuedMs);
        try {
          result = await client.step(request);
        } finally {
          held.release();
        }
      }
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
