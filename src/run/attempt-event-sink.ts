import type { Store } from '../store/store.ts';
import type { TranscriptEvent } from '../transcript/events.ts';

/** Streams an attempt's transcript events into the store in small batches as they happen. */
export interface AttemptEventSink {
  /** Queues an event; flushed at once when the batch is full or the event ends a step or the attempt. */
  push(event: TranscriptEvent): void;
  /** Writes every queued event now. */
  flush(): void;
  /** Events queued and not yet written (for `finishAttempt`, which stores them in its own transaction). */
  takePending(): TranscriptEvent[];
  /** Stops the timer; queued events stay pending. */
  stop(): void;
}

const BATCH_SIZE = 32;
const FLUSH_DELAY_MS = 200;
const FLUSH_NOW: ReadonlySet<TranscriptEvent['type']> = new Set([
  'model-response',
  'tool-result',
  'infrastructure-error',
]);

/**
 * Creates a sink that records events with `store.recordAttemptEvents`: after each model response and tool result
 * (so a crash loses at most the step in flight), when 32 events are queued, or 200 ms after the first queued one.
 */
export function createAttemptEventSink(store: Store, attemptId: string): AttemptEventSink {
  let pending: TranscriptEvent[] = [];
  let timer: NodeJS.Timeout | null = null;

  const clearTimer = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const flush = () => {
    clearTimer();
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    // Built by this process's typed transcript writer: stored without a second schema parse.
    store.recordAttemptEvents(attemptId, batch, { built: true });
  };
  return {
    push(event) {
      if (event.type === 'attempt-finished') {
        // Kept for finishAttempt, so the finish and its last events land in one transaction.
        pending.push(event);
        clearTimer();
        return;
      }
      pending.push(event);
      if (pending.length >= BATCH_SIZE || FLUSH_NOW.has(event.type)) flush();
      else timer ??= setTimeout(flush, FLUSH_DELAY_MS);
    },
    flush,
    takePending() {
      clearTimer();
      const taken = pending;
      pending = [];
      return taken;
    },
    stop: clearTimer,
  };
}
