/**
 * A pass-rate interval with the task as the unit. Attempts on the same task are correlated (a task the model cannot
 * solve fails every time), so counting every attempt as an independent trial makes the interval too narrow. With one
 * attempt per task this is the plain 95% Wilson interval; with several, it is the Wilson interval at the effective
 * number of trials n / design effect (Kish), where the design effect compares the variance of the pass rate estimated
 * with tasks as clusters (ratio estimator, between-task spread of per-task pass rates) to the binomial variance
 * p(1 - p) / n. The effective number lies between the number of tasks (every attempt of a task agrees) and the number
 * of attempts (attempts of a task vary as much as independent ones). Korn & Graubard (1998) use the same
 * effective-sample-size adjustment for binomial intervals on clustered samples.
 */
import { wilsonInterval } from './statistics.ts';

/** `wilson`: one attempt per task, attempts are the trials; `wilson-task-clustered`: several, tasks are the unit. */
export type PassRateIntervalMethod = 'wilson' | 'wilson-task-clustered';

/** Scored attempts and resolved attempts of one task. */
export interface TaskPassCounts {
  attempts: number;
  successes: number;
}

export interface TaskClusteredInterval {
  rate: number;
  low: number;
  high: number;
  method: PassRateIntervalMethod;
  /** Trials the interval is as wide as: the attempts with one per task, else attempts / design effect. */
  effectiveTrials: number;
}

/**
 * The 95% interval of the pooled pass rate of tasks with at least one scored attempt each; null without attempts.
 * When every task is all passed or all failed the spread between tasks is the whole variance and the interval is as
 * wide as for one outcome per task; with a rate of exactly 0 or 1 no correlation can be measured, so the number of
 * tasks is used (the cautious end).
 */
export function taskClusteredInterval(tasks: TaskPassCounts[]): TaskClusteredInterval | null {
  const withAttempts = tasks.filter((task) => task.attempts > 0);
  const attempts = withAttempts.reduce((sum, task) => sum + task.attempts, 0);
  if (attempts === 0) return null;
  const successes = withAttempts.reduce((sum, task) => sum + task.successes, 0);
  const rate = successes / attempts;
  const taskCount = withAttempts.length;
  if (withAttempts.every((task) => task.attempts === 1)) {
    const interval = wilsonInterval(successes, attempts);
    return { rate, ...interval, method: 'wilson', effectiveTrials: attempts };
  }
  const binomialVariance = rate * (1 - rate);
  // Ratio-estimator variance of the pooled rate with tasks as clusters: sum of (y_i - p m_i)^2 / (sum m_i)^2.
  const residualSquares = withAttempts.reduce(
    (sum, task) => sum + (task.successes - rate * task.attempts) ** 2,
    0,
  );
  const clusteredVariance = residualSquares / attempts ** 2;
  let effectiveTrials: number;
  if (binomialVariance === 0) effectiveTrials = taskCount;
  else if (clusteredVariance === 0) effectiveTrials = attempts;
  else effectiveTrials = binomialVariance / clusteredVariance;
  effectiveTrials = Math.min(attempts, Math.max(taskCount, effectiveTrials));
  const interval = wilsonInterval(rate * effectiveTrials, effectiveTrials);
  return { rate, ...interval, method: 'wilson-task-clustered', effectiveTrials };
}

/** How a report names the method next to an interval. */
export function describePassRateInterval(method: PassRateIntervalMethod, effectiveTrials: number): string {
  return method === 'wilson'
    ? 'Wilson, one attempt per task'
    : `Wilson with tasks as the unit (effective n ${effectiveTrials.toFixed(1)})`;
}
