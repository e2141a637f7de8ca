/** A clock returns the current time in milliseconds. */
export const systemClock = { now: () => Date.now() };

/** A clock for tests and simulations that only moves when told to. */
export class ManualClock {
  constructor(start = 0) {
    this.time = start;
  }

  now() {
    return this.time;
  }

  advance(ms) {
    if (ms < 0) throw new RangeError('time cannot go backwards');
    this.time += ms;
  }
}
