import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, RateLimiter } from '../src/index.js';

describe('RateLimiter', () => {
  it('limits each key separately', () => {
    const limiter = new RateLimiter({ capacity: 1, refillPerSecond: 1, clock: new ManualClock() });
    assert.equal(limiter.check('a').allowed, true);
    assert.equal(limiter.check('a').allowed, false);
    assert.equal(limiter.check('b').allowed, true);
  });

  it('reports zero retry delay when allowed', () => {
    const limiter = new RateLimiter({ capacity: 3, refillPerSecond: 1, clock: new ManualClock() });
    assert.deepEqual(limiter.check('a'), { allowed: true, retryAfterMs: 0 });
  });
});
