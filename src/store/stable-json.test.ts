import { describe, expect, it } from 'vitest';
import { computeConfigHash, stableStringify } from './stable-json.ts';

describe('stableStringify / computeConfigHash', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(stableStringify({ b: 1, a: { d: [{ y: 1, x: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"x":2,"y":1}]},"b":1}',
    );
  });

  it('gives equal hashes for equal values regardless of key order, different ones otherwise', () => {
    const one = computeConfigHash({
      models: ['a'],
      attempts: 3,
      limits: { maxSteps: 40, maxWallSeconds: 900 },
    });
    const two = computeConfigHash({
      limits: { maxWallSeconds: 900, maxSteps: 40 },
      attempts: 3,
      models: ['a'],
    });
    expect(one).toBe(two);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(
      computeConfigHash({ models: ['a'], attempts: 4, limits: { maxSteps: 40, maxWallSeconds: 900 } }),
    ).not.toBe(one);
  });

  it('refuses values JSON cannot represent faithfully', () => {
    expect(() => stableStringify({ limit: Number.NaN })).toThrow(/\$\.limit is not a finite number/);
    expect(() => stableStringify({ big: 1n })).toThrow(/unsupported type bigint/);
  });
});
