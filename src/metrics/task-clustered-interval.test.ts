import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './statistics.ts';
import { describePassRateInterval, taskClusteredInterval } from './task-clustered-interval.ts';

const repeat = (attempts: number, successes: number, times: number) =>
  Array.from({ length: times }, () => ({ attempts, successes }));

describe('taskClusteredInterval', () => {
  it('is the plain Wilson interval with one attempt per task', () => {
    const interval = taskClusteredInterval([...repeat(1, 1, 2), ...repeat(1, 0, 2)]);
    expect(interval?.method).toBe('wilson');
    expect(interval?.effectiveTrials).toBe(4);
    // Wilson(2, 4) by hand: centre 0.5, margin z * sqrt(1/16 + z^2/64) / (1 + z^2/4) = 0.34996.
    expect(interval?.low).toBeCloseTo(0.15004, 4);
    expect(interval?.high).toBeCloseTo(0.84996, 4);
  });

  it('is as wide as for 4 independent outcomes when 4 tasks x 5 attempts all agree within a task', () => {
    const interval = taskClusteredInterval([...repeat(5, 5, 2), ...repeat(5, 0, 2)]);
    expect(interval?.rate).toBe(0.5);
    expect(interval?.method).toBe('wilson-task-clustered');
    // Residuals y_i - p m_i = ±2.5: variance 25 / 20^2 = 1/16, against p(1-p) = 1/4: 4 effective trials.
    expect(interval?.effectiveTrials).toBeCloseTo(4, 12);
    expect(interval?.low).toBeCloseTo(0.15004, 4);
    expect(interval?.high).toBeCloseTo(0.84996, 4);
    // Counting the 20 attempts as independent would give Wilson(10, 20) = [0.2993, 0.7007]: too narrow.
    const naive = wilsonInterval(10, 20);
    expect(naive.low).toBeCloseTo(0.2993, 4);
    expect(interval?.low ?? 1).toBeLessThan(naive.low);
  });

  it('uses the between-task spread when attempts of a task disagree', () => {
    // 5/5, 0/5, 3/5, 2/5: p = 0.5, residuals 2.5, -2.5, 0.5, -0.5, squares 13, variance 13/400,
    // effective trials 0.25 / 0.0325 = 7.6923.
    const interval = taskClusteredInterval([
      { attempts: 5, successes: 5 },
      { attempts: 5, successes: 0 },
      { attempts: 5, successes: 3 },
      { attempts: 5, successes: 2 },
    ]);
    expect(interval?.effectiveTrials).toBeCloseTo(100 / 13, 10);
    const expected = wilsonInterval(0.5 * (100 / 13), 100 / 13);
    expect(interval?.low).toBeCloseTo(expected.low, 12);
    // By hand: z^2/n = 0.49939, margin 1.96 * sqrt(0.0325 + 0.016230) / 1.49939 = 0.28856.
    expect(interval?.low).toBeCloseTo(0.21144, 4);
    expect(interval?.high).toBeCloseTo(0.78856, 4);
  });

  it('counts every attempt when all tasks pass at the same rate, and the tasks when nothing varies', () => {
    const sameRate = taskClusteredInterval(repeat(5, 3, 4));
    expect(sameRate?.effectiveTrials).toBe(20);
    expect(sameRate?.low).toBeCloseTo(wilsonInterval(12, 20).low, 12);
    const allFailed = taskClusteredInterval(repeat(5, 0, 4));
    expect(allFailed?.effectiveTrials).toBe(4);
    expect(allFailed?.low).toBe(0);
    expect(allFailed?.high).toBeCloseTo(wilsonInterval(0, 4).high, 12);
  });

  it('is null without attempts and names its method', () => {
    expect(taskClusteredInterval([])).toBeNull();
    expect(taskClusteredInterval([{ attempts: 0, successes: 0 }])).toBeNull();
    expect(describePassRateInterval('wilson', 4)).toBe('Wilson, one attempt per task');
    expect(describePassRateInterval('wilson-task-clustered', 100 / 13)).toBe(
      'Wilson with tasks as the unit (effective n 7.7)',
    );
  });
});
