import type PQueue from 'p-queue';
import type { RequestTimingListener } from './endpoint-gated-client.ts';

/** The most attempts in flight per endpoint slot (memory and CPU stay bounded whatever is measured). */
export const MAX_ATTEMPTS_PER_SLOT = 8;
/**
 * Attempts in flight per slot at the start of a run, before any model request has ended: every attempt sets up a
 * workspace and a sandbox before its first request, so at first attempts spend most of their time outside the
 * slots. The measured estimate takes over from the first request that ends.
 */
export const INITIAL_ATTEMPTS_PER_SLOT = 4;
/** Attempts in flight beyond Little's law, so that requests wait for the slots rather than slots for requests. */
export const ATTEMPTS_MARGIN = 1.25;

/** Time an attempt spent holding a slot and doing everything else (set-up, tools, grading), waits excluded. */
export interface AttemptTimeSplit {
  slotMs: number;
  otherMs: number;
}

/**
 * Attempts to keep in flight so that `slots` stay busy, by Little's law: an attempt holds a slot for `slotMs` of
 * every `slotMs + otherMs` of its life (waits for a slot excluded), so `slots × (slotMs + otherMs) / slotMs`
 * attempts keep every slot busy; {@link ATTEMPTS_MARGIN} more, between `minimum` and `maximum`. Null without a
 * measured slot time.
 */
export function attemptsToKeepSlotsBusy(
  slots: number,
  measured: AttemptTimeSplit,
  bounds: { minimum: number; maximum: number },
): number | null {
  if (!(measured.slotMs > 0)) return null;
  const needed = Math.ceil(
    (ATTEMPTS_MARGIN * slots * (measured.slotMs + Math.max(0, measured.otherMs))) / measured.slotMs,
  );
  return Math.min(bounds.maximum, Math.max(bounds.minimum, needed));
}

/** The bookkeeping of one attempt: its requests' timing (from the gated client), then its end. */
export interface AttemptClock extends RequestTimingListener {
  /** The attempt ended (whatever its outcome). */
  finished(): void;
}

/** Adapts the attempts in flight of a run; see {@link adaptAttemptsInFlight}. */
export interface AttemptsInFlight {
  /** Starts the bookkeeping of an attempt that just started. */
  startAttempt(): AttemptClock;
  /** Stops adapting (the queue keeps its last concurrency). */
  stop(): void;
}

/** Settings of {@link adaptAttemptsInFlight}. */
export interface AttemptsInFlightOptions {
  /** Parallel slots of all endpoints of the run together. */
  slots: number;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
}

interface LiveAttempt {
  started: number;
  slotMs: number;
  waitMs: number;
  /** Requests queued and not yet sent, since when (several at once for an external agent). */
  waiting: number[];
  /** Requests holding a slot, since when. */
  holding: number[];
}

/** Finished attempts whose times the estimate keeps (the most recent ones), per slot. */
const REMEMBERED_ATTEMPTS_PER_SLOT = MAX_ATTEMPTS_PER_SLOT;

/**
 * Keeps enough attempts in flight for the endpoints' slots to stay busy, adapting to the model, tool, set-up and
 * grading time actually measured: from the queue's concurrency at the start (by default
 * {@link INITIAL_ATTEMPTS_PER_SLOT} per slot, see `attemptConcurrencyOf`), each time a model request or an attempt ends, becomes {@link attemptsToKeepSlotsBusy} of the time split of the
 * attempts in flight and the most recent finished ones, between slots + 1 and {@link MAX_ATTEMPTS_PER_SLOT} per
 * slot. Lowering it starts no new attempt until fewer are in flight; it never stops one. Time spent waiting for a
 * slot counts as neither side, so a queue of requests never feeds more attempts into itself. The endpoint queues
 * still bound the requests in flight, so no endpoint ever sees more than its slots.
 */
export function adaptAttemptsInFlight(
  attemptQueue: PQueue,
  options: AttemptsInFlightOptions,
): AttemptsInFlight {
  const now = options.now ?? (() => performance.now());
  const slots = Math.max(1, options.slots);
  const bounds = { minimum: slots + 1, maximum: slots * MAX_ATTEMPTS_PER_SLOT };
  const live = new Set<LiveAttempt>();
  const remembered: AttemptTimeSplit[] = [];
  const rememberedSum: AttemptTimeSplit = { slotMs: 0, otherMs: 0 };
  let stopped = false;

  const splitOf = (attempt: LiveAttempt, at: number): AttemptTimeSplit => {
    const slotMs = attempt.slotMs + attempt.holding.reduce((sum, since) => sum + (at - since), 0);
    const waitMs = attempt.waitMs + attempt.waiting.reduce((sum, since) => sum + (at - since), 0);
    // Requests of one attempt may overlap (external agents): its other time is never negative.
    return { slotMs, otherMs: Math.max(0, at - attempt.started - slotMs - waitMs) };
  };
  const adapt = () => {
    if (stopped) return;
    const at = now();
    const total = { ...rememberedSum };
    for (const attempt of live) {
      const split = splitOf(attempt, at);
      total.slotMs += split.slotMs;
      total.otherMs += split.otherMs;
    }
    const target = attemptsToKeepSlotsBusy(slots, total, bounds);
    if (target !== null && target !== attemptQueue.concurrency) attemptQueue.concurrency = target;
  };
  const remember = (split: AttemptTimeSplit) => {
    remembered.push(split);
    rememberedSum.slotMs += split.slotMs;
    rememberedSum.otherMs += split.otherMs;
    if (remembered.length > slots * REMEMBERED_ATTEMPTS_PER_SLOT) {
      const oldest = remembered.shift()!;
      rememberedSum.slotMs -= oldest.slotMs;
      rememberedSum.otherMs -= oldest.otherMs;
    }
  };

  return {
    startAttempt() {
      const attempt: LiveAttempt = { started: now(), slotMs: 0, waitMs: 0, waiting: [], holding: [] };
      live.add(attempt);
      let done = false;
      return {
        queued() {
          attempt.waiting.push(now());
        },
        sent() {
          const since = attempt.waiting.shift();
          const at = now();
          if (since !== undefined) attempt.waitMs += at - since;
          attempt.holding.push(at);
        },
        ended(sent) {
          const at = now();
          // A request that held a slot gives it back; one aborted while queued only stops waiting. (Which of an
          // attempt's overlapping requests it was does not change the sums.)
          const since = (sent ? attempt.holding : attempt.waiting).shift();
          if (since !== undefined) {
            if (sent) attempt.slotMs += at - since;
            else attempt.waitMs += at - since;
          }
          adapt();
        },
        finished() {
          if (done) return;
          done = true;
          remember(splitOf(attempt, now()));
          live.delete(attempt);
          adapt();
        },
      };
    },
    stop() {
      stopped = true;
    },
  };
}
