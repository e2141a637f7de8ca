import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from '../src/lru-cache.js';

describe('LruCache', () => {
  it('rejects a non-positive capacity', () => {
    assert.throws(() => new LruCache(0), RangeError);
  });

  it('evicts the oldest entry when full', () => {
    const cache = new LruCache(2);
    cache.set('a', 1).set('b', 2).set('c', 3);
    assert.deepEqual(cache.keys(), ['b', 'c']);
    assert.equal(cache.evictions, 1);
  });
});
