/**
 * Unbiased estimators of agent reliability from n attempts per task of which c succeeded.
 * pass@k: chance that at least one of k attempts succeeds = 1 - C(n-c, k) / C(n, k).
 * pass^k: chance that all k attempts succeed = C(c, k) / C(n, k) (never (c/n)^k, which is biased).
 */

/** Ratio C(a, k) / C(n, k) computed as a stable running product (no huge factorials). */
function binomialRatio(a: number, n: number, k: number): number {
  if (k > a) return 0;
  let ratio = 1;
  for (let index = 0; index < k; index++) ratio *= (a - index) / (n - index);
  return ratio;
}

function checkCounts(n: number, c: number, k: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k)) {
    throw new Error(`pass@k needs whole numbers, got n=${n} c=${c} k=${k}`);
  }
  if (n < 1) throw new Error(`pass@k needs at least one attempt, got n=${n}`);
  if (c < 0 || c > n) throw new Error(`successes c=${c} must be between 0 and attempts n=${n}`);
  if (k < 1 || k > n) throw new Error(`k=${k} must be between 1 and the attempts per task n=${n}`);
}

/** pass@k for one task: probability that at least one of k attempts drawn without replacement succeeds. */
export function passAtK(n: number, c: number, k: number): number {
  checkCounts(n, c, k);
  return 1 - binomialRatio(n - c, n, k);
}

/** pass^k for one task: probability that all of k attempts drawn without replacement succeed. */
export function passHatK(n: number, c: number, k: number): number {
  checkCounts(n, c, k);
  return binomialRatio(c, n, k);
}

export interface TaskOutcomes {
  taskId: string;
  attempts: number;
  successes: number;
}

/** Mean of pass@k over tasks. Tasks with fewer than k attempts are an error: the estimate would be undefined. */
export function meanPassAtK(tasks: TaskOutcomes[], k: number): number {
  if (tasks.length === 0) return Number.NaN;
  return tasks.reduce((sum, task) => sum + passAtK(task.attempts, task.successes, k), 0) / tasks.length;
}

/** Mean of pass^k over tasks. */
export function meanPassHatK(tasks: TaskOutcomes[], k: number): number {
  if (tasks.length === 0) return Number.NaN;
  return tasks.reduce((sum, task) => sum + passHatK(task.attempts, task.successes, k), 0) / tasks.length;
}
