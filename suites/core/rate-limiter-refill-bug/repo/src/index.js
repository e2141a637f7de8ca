export { systemClock, ManualClock } from './clock.js';
export { TokenBucket } from './token-bucket.js';
export { RateLimiter } from './rate-limiter.js';
