import { describe, expect, it } from 'vitest';
import { meanPassAtK, meanPassHatK, passAtK, passHatK } from './pass-at-k.ts';

describe('pass@k and pass^k', () => {
  it('matches the closed forms on small cases', () => {
    // n=5, c=2, k=2: pass@2 = 1 - C(3,2)/C(5,2) = 1 - 3/10; pass^2 = C(2,2)/C(5,2) = 1/10.
    expect(passAtK(5, 2, 2)).toBeCloseTo(0.7, 12);
    expect(passHatK(5, 2, 2)).toBeCloseTo(0.1, 12);
    expect(passAtK(4, 0, 3)).toBe(0);
    expect(passAtK(4, 4, 1)).toBe(1);
    expect(passHatK(4, 3, 4)).toBe(0);
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 12);
  });

  it('pass^k is not the biased (c/n)^k', () => {
    expect(passHatK(3, 2, 2)).toBeCloseTo(1 / 3, 12);
    expect(passHatK(3, 2, 2)).not.toBeCloseTo((2 / 3) ** 2, 3);
  });

  it('averages over tasks and rejects impossible counts', () => {
    const tasks = [
      { taskId: 'a', attempts: 4, successes: 4 },
      { taskId: 'b', attempts: 4, successes: 0 },
    ];
    expect(meanPassAtK(tasks, 2)).toBe(0.5);
    expect(meanPassHatK(tasks, 2)).toBe(0.5);
    expect(() => passAtK(3, 4, 1)).toThrow(/between 0 and attempts/);
    expect(() => passAtK(3, 1, 4)).toThrow(/k=4/);
  });

  it('is stable for large n', () => {
    expect(passAtK(1000, 1, 500)).toBeCloseTo(0.5, 10);
  });
});
