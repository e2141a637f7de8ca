import PQueue from 'p-queue';
import { describe, expect, it } from 'vitest';
import {
  ATTEMPTS_MARGIN,
  adaptAttemptsInFlight,
  attemptsToKeepSlotsBusy,
  MAX_ATTEMPTS_PER_SLOT,
} from './attempts-in-flight.ts';

const bounds = { minimum: 5, maximum: 32 };

describe('attemptsToKeepSlotsBusy', () => {
  it("is Little's law with the margin: slots × (slot + other time) / slot time", () => {
    expect(ATTEMPTS_MARGIN).toBe(1.25);
    // 4 slots, attempts spend as long outside the slots as in them: 8 keep the slots busy, 10 with the margin.
    expect(attemptsToKeepSlotsBusy(4, { slotMs: 600, otherMs: 600 }, bounds)).toBe(10);
    // 3 × as long outside: 16 keep them busy, 20 with the margin.
    expect(attemptsToKeepSlotsBusy(4, { slotMs: 600, otherMs: 1800 }, bounds)).toBe(20);
  });

  it('stays within its bounds and says nothing without a measured slot time', () => {
    expect(attemptsToKeepSlotsBusy(4, { slotMs: 600, otherMs: 0 }, bounds)).toBe(5);
    expect(attemptsToKeepSlotsBusy(4, { slotMs: 600, otherMs: 60_000 }, bounds)).toBe(32);
    expect(attemptsToKeepSlotsBusy(4, { slotMs: 0, otherMs: 600 }, bounds)).toBeNull();
  });
});

/** A controller on a clock the test moves. */
function controlled(slots: number, initial: number) {
  let time = 0;
  const queue = new PQueue({ concurrency: initial, autoStart: false });
  const inFlight = adaptAttemptsInFlight(queue, { slots, now: () => time });
  return {
    queue,
    inFlight,
    advance(milliseconds: number) {
      time += milliseconds;
    },
  };
}

describe('adaptAttemptsInFlight', () => {
  it('keeps the concurrency it was given until a model request ends', () => {
    const { queue, inFlight, advance } = controlled(2, 8);
    const attempt = inFlight.startAttempt();
    advance(5000);
    attempt.queued();
    attempt.sent();
    expect(queue.concurrency).toBe(8);
    advance(100);
    // Set-up 5000 ms, one request 100 ms: 1.25 × 2 × 5100 / 100 = 127.5, capped at 8 per slot.
    attempt.ended(true);
    expect(queue.concurrency).toBe(2 * MAX_ATTEMPTS_PER_SLOT);
  });

  it('falls to slots + 1 for attempts that are almost all model time', () => {
    const { queue, inFlight, advance } = controlled(2, 8);
    const attempt = inFlight.startAttempt();
    for (let step = 0; step < 3; step++) {
      attempt.queued();
      attempt.sent();
      advance(1000);
      attempt.ended(true);
      advance(10); // a tool
    }
    attempt.finished();
    expect(queue.concurrency).toBe(3);
  });

  it('does not count waiting for a slot: a queue of requests never feeds itself more attempts', () => {
    const { queue, inFlight, advance } = controlled(1, 4);
    // Four attempts, nothing but model requests (each asks again as soon as answered), the single slot taken in
    // turn: each waits 3 × 100 ms per 100 ms in the slot.
    const attempts = Array.from({ length: 4 }, () => inFlight.startAttempt());
    for (const attempt of attempts) attempt.queued();
    for (let round = 0; round < 3; round++) {
      for (const attempt of attempts) {
        attempt.sent();
        advance(100);
        attempt.ended(true);
        attempt.queued();
      }
    }
    // Waits excluded, the attempts are all slot time: slots + 1, not the 4 × (1 + 3) waits would suggest.
    expect(queue.concurrency).toBe(2);
  });

  it('counts a request that leaves the queue unsent as waiting, and remembers finished attempts', () => {
    const { queue, inFlight, advance } = controlled(1, 4);
    const first = inFlight.startAttempt();
    first.queued();
    first.sent();
    advance(100);
    first.ended(true);
    advance(100); // grading
    first.finished();
    // 100 ms in the slot, 100 ms else: 1.25 × 1 × 200 / 100 = 2.5 -> 3.
    expect(queue.concurrency).toBe(3);
    const second = inFlight.startAttempt();
    second.queued();
    advance(10_000);
    second.ended(false); // aborted while queued: 10 s of waiting, not of work
    expect(queue.concurrency).toBe(3);
  });

  it('stops adapting when stopped', () => {
    const { queue, inFlight, advance } = controlled(1, 4);
    inFlight.stop();
    const attempt = inFlight.startAttempt();
    attempt.queued();
    attempt.sent();
    advance(100);
    attempt.ended(true);
    expect(queue.concurrency).toBe(4);
  });
});
