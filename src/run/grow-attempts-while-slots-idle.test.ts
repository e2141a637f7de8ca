import PQueue from 'p-queue';
import { describe, expect, it } from 'vitest';
import { growAttemptsWhileSlotsIdle } from './grow-attempts-while-slots-idle.ts';

/** A promise with its resolve function, to hold an attempt in "grading" until the test lets it go. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('growAttemptsWhileSlotsIdle', () => {
  it('starts more attempts while the slots idle during grading, never more requests than slots', async () => {
    const endpoint = new PQueue({ concurrency: 2 });
    const attempts = new PQueue({ concurrency: 3 });
    const stop = growAttemptsWhileSlotsIdle(attempts, [endpoint, endpoint], 17);
    const grading = gate();
    let started = 0;
    let requestsInFlight = 0;
    let mostRequests = 0;
    const request = () =>
      endpoint.add(async () => {
        requestsInFlight += 1;
        mostRequests = Math.max(mostRequests, requestsInFlight);
        await new Promise((resolve) => setImmediate(resolve));
        requestsInFlight -= 1;
      });
    const attempt = async () => {
      started += 1;
      await request();
      await request();
      await grading.promise; // set-up, tools and tests: the endpoint has nothing to do for this attempt
    };
    const all = Promise.all(Array.from({ length: 30 }, () => attempts.add(attempt)));
    // Every attempt admitted waits in grading while the slots idle: each finished request admits one more, up to
    // the maximum (a bug that never grows ends this test at its timeout).
    while (started < 17 || endpoint.pending > 0) await new Promise((resolve) => setImmediate(resolve));
    expect(attempts.concurrency).toBe(17);
    expect(started).toBe(17);
    grading.open();
    await all;
    expect(started).toBe(30);
    expect(mostRequests).toBeLessThanOrEqual(2);
    stop();
  });

  it('does not grow while requests wait for the slots', async () => {
    const endpoint = new PQueue({ concurrency: 1 });
    const attempts = new PQueue({ concurrency: 3 });
    const stop = growAttemptsWhileSlotsIdle(attempts, [endpoint], 10);
    // Each attempt is nothing but model requests: there is always one waiting, so three attempts suffice.
    const attempt = async () => {
      for (let index = 0; index < 3; index++)
        await endpoint.add(() => new Promise((resolve) => setImmediate(resolve)));
    };
    await Promise.all(Array.from({ length: 6 }, () => attempts.add(attempt)));
    expect(attempts.concurrency).toBe(3);
    stop();
  });
});
