import { systemClock } from './clock.js';

/**
 * A bucket holding up to `capacity` tokens, refilled continuously at `refillPerSecond`.
 * It starts full. Taking a token succeeds only when a whole token is available.
 */
export class TokenBucket {
  constructor({ capacity, refillPerSecond, clock = systemClock }) {
    if (!(capacity > 0) || !(refillPerSecond > 0)) throw new RangeError('capacity and refillPerSecond must be > 0');
    this.capacity = capacity;
    this.refillPerSecond = refillPerSecond;
    this.clock = clock;
    this.tokens = capacity;
    this.updatedAt = clock.now();
  }

  refill() {
    const now = this.clock.now();
    const elapsedSeconds = (now - this.updatedAt) / 1000;
    this.tokens = this.tokens + elapsedSeconds * this.refillPerSecond;
    this.updatedAt = now;
  }

  /** Takes `count` tokens if available; returns whether it did. */
  tryTake(count = 1) {
    this.refill();
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }

  /** Milliseconds until `count` tokens will be available (0 when they already are). */
  msUntil(count = 1) {
    this.refill();
    if (this.tokens >= count) return 0;
    return Math.ceil((1000 * count) / this.refillPerSecond);
  }
}
