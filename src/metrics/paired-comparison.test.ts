import { describe, expect, it } from 'vitest';
import {
  binomialHalfLowerTail,
  bootstrapMeanInterval,
  exactPermutationPValue,
  exactSignTestPValue,
  MONTE_CARLO_FLIPS,
  monteCarloPermutationPValue,
  pairedComparison,
} from './paired-comparison.ts';

describe('exact tests', () => {
  it('binomial tails match hand sums', () => {
    expect(binomialHalfLowerTail(1, 10)).toBeCloseTo(11 / 1024, 15);
    expect(binomialHalfLowerTail(0, 4)).toBeCloseTo(1 / 16, 15);
    expect(binomialHalfLowerTail(4, 4)).toBe(1);
    expect(binomialHalfLowerTail(-1, 4)).toBe(0);
    // Odd n: the lower half holds exactly half the mass (log-space path beyond 1,000 trials).
    expect(binomialHalfLowerTail(500, 1001)).toBeCloseTo(0.5, 10);
    expect(binomialHalfLowerTail(1000, 2001)).toBeCloseTo(0.5, 10);
    // R: binom.test(60, 100)$p.value = 0.05688793
    expect(exactSignTestPValue(60, 40)).toBeCloseTo(0.05688793, 7);
  });

  it('sign test: 9 wins 1 loss is 22/1024; a tie of wins and losses is 1; never 0', () => {
    expect(exactSignTestPValue(9, 1)).toBeCloseTo(22 / 1024, 15);
    expect(exactSignTestPValue(3, 3)).toBe(1);
    expect(exactSignTestPValue(0, 0)).toBe(1);
    expect(exactSignTestPValue(200, 0)).toBeGreaterThan(0);
  });

  it('exact permutation p counts sign flips at least as extreme', () => {
    // ±1 ±0.5 ±0.25: |sum| >= 1.25 for 1.75, 1.25 and their negatives: 4 of 8.
    expect(exactPermutationPValue([1, 0.5, -0.25])).toBe(0.5);
    // All one side, distinct sizes: only the identity and the full flip: 2 of 16.
    expect(exactPermutationPValue([0.5, 0.25, 0.25, 0.5])).toBe(0.125);
    expect(exactPermutationPValue([])).toBe(1);
  });

  it('Monte Carlo permutation p is seeded, never 0, and close to the exact one', () => {
    const spread = Array.from({ length: 25 }, (_, index) => 0.1 + index / 100);
    // The exact p is 2 / 2^25; no random flip reaches it, so the estimate is its floor 1 / (flips + 1).
    expect(monteCarloPermutationPValue(spread)).toBe(1 / (MONTE_CARLO_FLIPS + 1));
    const mixed = [0.5, -0.25, 0.75, 1, -0.5, 0.25, 0.5, -1, 0.75, 0.25, 0.5, 0.33];
    const exact = exactPermutationPValue(mixed);
    expect(monteCarloPermutationPValue(mixed)).toBe(monteCarloPermutationPValue(mixed));
    expect(Math.abs(monteCarloPermutationPValue(mixed) - exact)).toBeLessThan(0.02);
  });

  it('bootstrap interval is seeded, labelled, and brackets the mean', () => {
    const values = [0, 0.5, 1, 0.25, -0.5, 0.75];
    const interval = bootstrapMeanInterval(values);
    expect(bootstrapMeanInterval(values)).toEqual(interval);
    expect(interval.low).toBeLessThan(1 / 3);
    expect(interval.high).toBeGreaterThan(1 / 3);
    expect(interval.low).toBeGreaterThanOrEqual(-0.5);
    expect(interval.high).toBeLessThanOrEqual(1);
    expect(interval.method).toMatch(/bootstrap .*10,000 resamples.*seed \d+/);
  });
});

describe('pairedComparison', () => {
  it('four tasks all won: p = 2/16 (not "< 0.001"), too few tasks to tell', () => {
    const comparison = pairedComparison([1, 1, 1, 1], [0, 0, 0, 0], { singleAttempt: true });
    expect(comparison).toMatchObject({
      pairs: 4,
      wins: 4,
      losses: 0,
      ties: 0,
      pValue: 0.125,
      method: 'exact-mcnemar',
      minimumPValue: 0.125,
      tooFewToTell: true,
      standardError: 0,
    });
    expect(comparison.methodDescription).toMatch(/McNemar/);
  });

  it('equal per-task differences of rates use the exact sign test', () => {
    const comparison = pairedComparison([0.75, 0.75, 0.75, 0.75], [0.25, 0.25, 0.25, 0.25]);
    expect(comparison).toMatchObject({ method: 'exact-sign', pValue: 0.125, tooFewToTell: true });
    expect(comparison.interval).toMatchObject({ low: 0.5, high: 0.5 });
  });

  it('six tasks all won can reach significance: p = 2/64', () => {
    const comparison = pairedComparison([1, 1, 1, 1, 1, 1, 0], [0, 0, 0, 0, 0, 0, 0], {
      singleAttempt: true,
    });
    expect(comparison.pValue).toBe(2 / 64);
    expect(comparison.ties).toBe(1);
    expect(comparison.tooFewToTell).toBe(false);
  });

  it('differences of several sizes use the exact permutation test over the non-zero ones', () => {
    const comparison = pairedComparison([1, 0.5, 0, 0.5], [0, 0, 0.25, 0.5]);
    expect(comparison).toMatchObject({
      method: 'exact-permutation',
      pValue: 0.5,
      wins: 2,
      losses: 1,
      ties: 1,
    });
    expect(comparison.meanDifference).toBeCloseTo(1.25 / 4, 12);
    expect(comparison.methodDescription).toContain('2^3 sign flips');
  });

  it('beyond 20 distinct non-zero differences: seeded Monte Carlo, labelled', () => {
    const a = Array.from({ length: 24 }, (_, index) => (index % 5) / 4);
    const b = Array.from({ length: 24 }, (_, index) => ((index * 3) % 4) / 3);
    const comparison = pairedComparison(a, b);
    expect(comparison.method).toBe('monte-carlo-permutation');
    expect(comparison.methodDescription).toMatch(/20,000 random sign flips, seed \d+/);
    expect(comparison.pValue).toBeGreaterThan(0);
  });

  it('no pairs: NaN p and no interval; all ties: p = 1', () => {
    expect(pairedComparison([], [])).toMatchObject({ pairs: 0, method: 'none', interval: null });
    expect(pairedComparison([], []).pValue).toBeNaN();
    expect(pairedComparison([1, 0], [1, 0])).toMatchObject({ pValue: 1, tooFewToTell: true });
    expect(() => pairedComparison([1], [1, 2])).toThrow(/equal lengths/);
  });
});
