/**
 * Paired comparison of two models over the same tasks, with tests that stay honest on few tasks: exact tests on
 * the per-task differences (never a p-value of 0, never a t-test whose standard error is 0), a seeded bootstrap
 * interval, and "too few tasks to tell" when even the most one-sided result could not reach significance.
 */
import { seededRandom } from '../shared/seeded-random.ts';
import { mean, meanWithError, percentile } from './statistics.ts';

/** Significance level of the verdicts. */
export const SIGNIFICANCE_LEVEL = 0.05;
/** Up to this many non-zero differences the permutation test enumerates every sign flip (2^n). */
export const EXACT_PERMUTATION_LIMIT = 20;
/** Random sign flips of the Monte Carlo permutation test (beyond {@link EXACT_PERMUTATION_LIMIT}). */
export const MONTE_CARLO_FLIPS = 20_000;
/** Resamples of the bootstrap interval. */
export const BOOTSTRAP_RESAMPLES = 10_000;
/** Fixed seed of every random method here, so a report is reproducible. */
export const STATISTICS_SEED = 20_261_201;

/**
 * The test behind a p-value: `exact-mcnemar` (one attempt per task on each side: binomial test on the
 * discordant tasks), `exact-sign` (every non-zero difference of the same size: binomial test), `exact-permutation`
 * (all 2^n sign flips of the differences), `monte-carlo-permutation` (seeded random sign flips), `none` (no pairs).
 */
export type PairedTestMethod =
  | 'exact-mcnemar'
  | 'exact-sign'
  | 'exact-permutation'
  | 'monte-carlo-permutation'
  | 'none';

export interface PairedInterval {
  low: number;
  high: number;
  /** How it was computed, in words (e.g. the bootstrap's resamples and seed). */
  method: string;
}

export interface PairedComparison {
  /** Mean of (a - b) over paired items. */
  meanDifference: number;
  /** Standard error of that mean (descriptive only: no p-value comes from it). */
  standardError: number;
  /** Items compared (tasks both sides attempted). */
  pairs: number;
  /** Items where a scored higher / lower / equal. */
  wins: number;
  losses: number;
  ties: number;
  /** Two-sided p-value of `method`; NaN with no pairs; 1 when every difference is 0; never 0. */
  pValue: number;
  method: PairedTestMethod;
  /** The method in words, for reports. */
  methodDescription: string;
  /** The smallest p-value these pairs could give (every non-zero difference on one side): 2 / 2^(wins + losses). */
  minimumPValue: number;
  /** True when `minimumPValue` exceeds {@link SIGNIFICANCE_LEVEL}: no result on these tasks could be significant. */
  tooFewToTell: boolean;
  /**
   * 95% bootstrap interval of the mean difference; null with fewer than 2 pairs, and when `tooFewToTell` (a
   * bootstrap over a handful of tasks would look precise while no test could tell the models apart).
   */
  interval: PairedInterval | null;
}

export interface PairedComparisonOptions {
  /** Every item has exactly one attempt on each side (scores 0/1): the test is McNemar's exact test. */
  singleAttempt?: boolean;
}

/**
 * P(X <= k) for X ~ Binomial(n, 1/2): the probabilities by recurrence from 2^-n (exact in binary for small n),
 * in log space beyond 1,000 trials where 2^-n would underflow.
 */
export function binomialHalfLowerTail(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (n <= 1000) {
    let probability = 2 ** -n;
    let total = probability;
    for (let i = 0; i < k; i++) {
      probability = (probability * (n - i)) / (i + 1);
      total += probability;
    }
    return Math.min(1, total);
  }
  let logProbability = -n * Math.LN2;
  let total = Math.exp(logProbability);
  for (let i = 0; i < k; i++) {
    logProbability += Math.log(n - i) - Math.log(i + 1);
    total += Math.exp(logProbability);
  }
  return Math.min(1, total);
}

/** Two-sided exact sign test: wins vs losses under p = 1/2 (ties dropped). 1 when wins = losses. */
export function exactSignTestPValue(wins: number, losses: number): number {
  const n = wins + losses;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialHalfLowerTail(Math.min(wins, losses), n));
}

/** Tolerance for "at least as extreme" on sums of floating-point differences. */
function atLeast(value: number, observed: number): boolean {
  return value >= observed - 1e-9 * Math.max(1, observed);
}

/** Two-sided exact permutation p-value of the sum of `differences` under random signs: enumerates all 2^n flips. */
export function exactPermutationPValue(differences: number[]): number {
  const n = differences.length;
  if (n === 0) return 1;
  if (n > 30) throw new Error(`exact permutation test limited to 30 differences, got ${n}`);
  const observed = Math.abs(differences.reduce((sum, value) => sum + value, 0));
  const total = 2 ** n;
  let extreme = 0;
  for (let mask = 0; mask < total; mask++) {
    let sum = 0;
    for (let index = 0; index < n; index++)
      sum += mask & (1 << index) ? -differences[index] : differences[index];
    if (atLeast(Math.abs(sum), observed)) extreme++;
  }
  return extreme / total;
}

/**
 * Two-sided Monte Carlo permutation p-value with a seeded generator: (1 + extreme flips) / (1 + flips), the
 * unbiased form that is never 0.
 */
export function monteCarloPermutationPValue(
  differences: number[],
  flips = MONTE_CARLO_FLIPS,
  seed = STATISTICS_SEED,
): number {
  const random = seededRandom(seed);
  const observed = Math.abs(differences.reduce((sum, value) => sum + value, 0));
  let extreme = 0;
  for (let flip = 0; flip < flips; flip++) {
    let sum = 0;
    for (const value of differences) sum += random() < 0.5 ? -value : value;
    if (atLeast(Math.abs(sum), observed)) extreme++;
  }
  return (1 + extreme) / (1 + flips);
}

/** 95% percentile bootstrap interval of the mean of `values`, resampling with a seeded generator. */
export function bootstrapMeanInterval(
  values: number[],
  resamples = BOOTSTRAP_RESAMPLES,
  seed = STATISTICS_SEED,
): PairedInterval {
  const random = seededRandom(seed);
  const means: number[] = [];
  for (let resample = 0; resample < resamples; resample++) {
    let sum = 0;
    for (let draw = 0; draw < values.length; draw++) sum += values[Math.floor(random() * values.length)];
    means.push(sum / values.length);
  }
  return {
    low: percentile(means, 2.5),
    high: percentile(means, 97.5),
    method: `bootstrap percentile interval (${resamples.toLocaleString('en-US')} resamples of the tasks, seed ${seed})`,
  };
}

function chooseTest(
  nonZero: number[],
  wins: number,
  losses: number,
  options: PairedComparisonOptions,
): { pValue: number; method: PairedTestMethod; methodDescription: string } {
  const sizes = new Set(nonZero.map((value) => Math.abs(value).toFixed(12)));
  if (options.singleAttempt) {
    return {
      pValue: exactSignTestPValue(wins, losses),
      method: 'exact-mcnemar',
      methodDescription: `exact McNemar test (binomial on the ${wins + losses} discordant tasks)`,
    };
  }
  if (sizes.size <= 1) {
    return {
      pValue: exactSignTestPValue(wins, losses),
      method: 'exact-sign',
      methodDescription: `exact sign test (binomial on the ${wins + losses} tasks that differ)`,
    };
  }
  if (nonZero.length <= EXACT_PERMUTATION_LIMIT) {
    return {
      pValue: exactPermutationPValue(nonZero),
      method: 'exact-permutation',
      methodDescription: `exact permutation test (all 2^${nonZero.length} sign flips of the per-task differences)`,
    };
  }
  return {
    pValue: monteCarloPermutationPValue(nonZero),
    method: 'monte-carlo-permutation',
    methodDescription: `Monte Carlo permutation test (${MONTE_CARLO_FLIPS.toLocaleString('en-US')} random sign flips, seed ${STATISTICS_SEED})`,
  };
}

/**
 * Paired comparison of two score vectors over the same items (e.g. per-task resolved rate of two models): exact
 * McNemar / sign / permutation test on the differences, Monte Carlo (seeded) beyond 20 distinct non-zero
 * differences, and a seeded bootstrap interval of the mean difference.
 */
export function pairedComparison(
  a: number[],
  b: number[],
  options: PairedComparisonOptions = {},
): PairedComparison {
  if (a.length !== b.length)
    throw new Error(`paired comparison needs equal lengths, got ${a.length} and ${b.length}`);
  const differences = a.map((value, index) => value - b[index]);
  const summary = meanWithError(differences);
  const wins = differences.filter((value) => value > 0).length;
  const losses = differences.filter((value) => value < 0).length;
  const nonZero = differences.filter((value) => value !== 0);
  const minimumPValue = Math.min(1, 2 / 2 ** nonZero.length);
  const tooFewToTell = minimumPValue > SIGNIFICANCE_LEVEL;
  const test =
    differences.length === 0
      ? { pValue: Number.NaN, method: 'none' as const, methodDescription: 'no tasks in common' }
      : chooseTest(nonZero, wins, losses, options);
  return {
    meanDifference: differences.length === 0 ? Number.NaN : mean(differences),
    standardError: summary.standardError,
    pairs: differences.length,
    wins,
    losses,
    ties: differences.length - wins - losses,
    ...test,
    minimumPValue,
    tooFewToTell,
    interval: differences.length < 2 || tooFewToTell ? null : bootstrapMeanInterval(differences),
  };
}
