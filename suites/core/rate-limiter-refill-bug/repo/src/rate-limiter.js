import { systemClock } from './clock.js';
import { TokenBucket } from './token-bucket.js';

/** One token bucket per key (client id, IP, API key...). */
export class RateLimiter {
  constructor({ capacity, refillPerSecond, clock = systemClock }) {
    this.options = { capacity, refillPerSecond, clock };
    this.buckets = new Map();
  }

  bucket(key) {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.options);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** `{ allowed, retryAfterMs }` for one request from `key`; retryAfterMs is 0 when allowed. */
  check(key, cost = 1) {
    const bucket = this.bucket(key);
    if (bucket.tryTake(cost)) return { allowed: true, retryAfterMs: 0 };
    return { allowed: false, retryAfterMs: bucket.msUntil(cost) };
  }
}
