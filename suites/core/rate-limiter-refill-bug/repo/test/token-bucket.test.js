import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, TokenBucket } from '../src/index.js';

describe('TokenBucket', () => {
  it('starts full and empties', () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, clock: new ManualClock() });
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
  });

  it('refills over time', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 2, clock });
    assert.equal(bucket.tryTake(5), true);
    clock.advance(500);
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
  });

  it('validates its options', () => {
    assert.throws(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 }), RangeError);
  });
});
