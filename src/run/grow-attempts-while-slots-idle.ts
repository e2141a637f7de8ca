import type PQueue from 'p-queue';

/** The most attempts in flight per endpoint slot that the default concurrency grows to. */
export const MAX_ATTEMPTS_PER_SLOT = 8;

/**
 * Adapts the attempts in flight to the model/tool/test time actually measured: each time an endpoint's request
 * ends with a slot left free and no request of another attempt waiting for it, while attempts wait to start, one
 * more attempt may run at once (up to `maximum`). Attempts whose set-up, tools and grading take long thus get
 * company until the endpoint's slots stay busy; once requests queue for the slots, the attempts in flight stop
 * growing. The endpoint queues still bound the requests in flight, so no endpoint ever sees more than its slots.
 * Returns a function that stops the adapting.
 */
export function growAttemptsWhileSlotsIdle(
  attemptQueue: PQueue,
  endpointQueues: Iterable<PQueue>,
  maximum: number,
): () => void {
  const unique = [...new Set(endpointQueues)];
  const listeners = unique.map((queue) => {
    const listener = () => {
      const slotIdle = queue.pending < queue.concurrency && queue.size === 0;
      if (slotIdle && attemptQueue.size > 0 && attemptQueue.concurrency < maximum)
        attemptQueue.concurrency += 1;
    };
    queue.on('next', listener);
    return { queue, listener };
  });
  return () => {
    for (const { queue, listener } of listeners) queue.off('next', listener);
  };
}
