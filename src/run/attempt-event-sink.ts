import type { Store } from '../store/store.ts';
import type { TranscriptEvent } from '../transcript/events.ts';

/** Streams an attempt's transcript events into the store in small batches as they happen. */
export interface AttemptEventSink {
  /** Queues an event; flushed in the next turn of the event loop when the batch is full or the event ends a step. */
  push(event: TranscriptEvent): void;
  /** Writes every queued event now. */
  flush(): void;
  /** Events queued and not yet written (for `finishAttempt`, which stores them in its own transaction). */
  takePending(): TranscriptEvent[];
  /** Stops the timers; queued events stay pending. */
  stop(): void;
}

const BATCH_SIZE = 32;
const FLUSH_DELAY_MS = 200;
const FLUSH_SOON: ReadonlySet<TranscriptEvent['type']> = new Set([
  'model-response',
  'tool-result',
  'infrastructure-error',
]);

/**
 * Creates a sink that records events with `store.recordAttemptEvents`: right after each model response and tool
 * result (so a crash loses at most the step in flight), when 32 events are queued, or 200 ms after the first queued
 * one. "Right after" is the next turn of the event loop (setImmediate), not inside `push`: the agent has by then
 * sent its tool command or its next model request, so the store transaction runs while the sandbox or the model
 * server works instead of before it (it was about 2 ms of every step, and of every freed model slot, on the
 * critical path).
 */
export function createAttemptEventSink(store: Store, attemptId: string): AttemptEventSink {
  let pending: TranscriptEvent[] = [];
  let timer: NodeJS.Timeout | null = null;
  let soon: NodeJS.Immediate | null = null;

  const clearTimer = () => {
    if (timer !== null) clearTimeout(timer);
    if (soon !== null) clearImmediate(soon);
    timer = null;
    soon = null;
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
      if (pending.length >= BATCH_SIZE || FLUSH_SOON.has(event.type)) soon ??= setImmediate(flush);
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
