import { describe, expect, it } from 'vitest';
import { meanWithError, percentile, wilsonInterval } from './statistics.ts';

describe('statistics', () => {
  it('computes mean and standard error of the mean', () => {
    const summary = meanWithError([1, 2, 3, 4]);
    expect(summary.mean).toBe(2.5);
    expect(summary.standardError).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
    expect(meanWithError([7]).standardError).toBe(0);
  });

  it('computes interpolated percentiles', () => {
    expect(percentile([10, 1, 5], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4], 95)).toBeCloseTo(3.85, 12);
    expect(percentile([], 50)).toBeNaN();
  });

  it('gives Wilson intervals inside [0, 1]', () => {
    const interval = wilsonInterval(0, 10);
    expect(interval.low).toBe(0);
    expect(interval.high).toBeCloseTo(0.2775, 3);
    const half = wilsonInterval(50, 100);
    expect(half.low).toBeCloseTo(0.4038, 3);
    expect(half.high).toBeCloseTo(0.5962, 3);
  });
});
