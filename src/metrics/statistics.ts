/** Small, dependency-free statistics used by the metrics and reports. */

export interface MeanWithError {
  mean: number;
  /** Standard error of the mean (sample standard deviation / sqrt(n)); 0 for a single value. */
  standardError: number;
  count: number;
}

export function mean(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Sample standard deviation (n - 1 denominator). */
export function standardDeviation(values: number[]): number {
  if (values.length < 2) return 0;
  const average = mean(values);
  const squares = values.reduce((sum, value) => sum + (value - average) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

export function meanWithError(values: number[]): MeanWithError {
  return {
    mean: mean(values),
    standardError: values.length < 2 ? 0 : standardDeviation(values) / Math.sqrt(values.length),
    count: values.length,
  };
}

/** Linear-interpolated percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = ((sorted.length - 1) * Math.min(100, Math.max(0, p))) / 100;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** Wilson score interval for a proportion (95% by default) — well behaved at 0 and 1 and for small n. */
export function wilsonInterval(
  successes: number,
  trials: number,
  z = 1.959964,
): { low: number; high: number } {
  if (trials === 0) return { low: 0, high: 1 };
  const proportion = successes / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = (proportion + (z * z) / (2 * trials)) / denominator;
  const margin =
    (z * Math.sqrt((proportion * (1 - proportion)) / trials + (z * z) / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - margin), high: Math.min(1, centre + margin) };
}

/** Regularized incomplete beta via continued fractions (Numerical Recipes), for the t distribution. */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logGamma = (value: number): number => {
    const coefficients = [
      76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2,
      -0.5395239384953e-5,
    ];
    let y = value;
    const temporary = value + 5.5 - (value + 0.5) * Math.log(value + 5.5);
    let series = 1.000000000190015;
    for (const coefficient of coefficients) series += coefficient / ++y;
    return -temporary + Math.log((2.5066282746310007 * series) / value);
  };
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  const continuedFraction = (xx: number, aa: number, bb: number): number => {
    let c = 1;
    let d = 1 - ((aa + bb) * xx) / (aa + 1);
    if (Math.abs(d) < 1e-30) d = 1e-30;
    d = 1 / d;
    let result = d;
    for (let m = 1; m <= 200; m++) {
      const m2 = 2 * m;
      let numerator = (m * (bb - m) * xx) / ((aa + m2 - 1) * (aa + m2));
      d = 1 + numerator * d;
      if (Math.abs(d) < 1e-30) d = 1e-30;
      c = 1 + numerator / c;
      if (Math.abs(c) < 1e-30) c = 1e-30;
      d = 1 / d;
      result *= d * c;
      numerator = (-(aa + m) * (aa + bb + m) * xx) / ((aa + m2) * (aa + m2 + 1));
      d = 1 + numerator * d;
      if (Math.abs(d) < 1e-30) d = 1e-30;
      c = 1 + numerator / c;
      if (Math.abs(c) < 1e-30) c = 1e-30;
      d = 1 / d;
      const delta = d * c;
      result *= delta;
      if (Math.abs(delta - 1) < 3e-12) break;
    }
    return result;
  };
  return x < (a + 1) / (a + b + 2)
    ? (front * continuedFraction(x, a, b)) / a
    : 1 - (front * continuedFraction(1 - x, b, a)) / b;
}

/** Two-sided p-value of Student's t statistic with the given degrees of freedom. */
export function studentTwoSidedPValue(t: number, degreesOfFreedom: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
}

export interface PairedComparison {
  /** Mean of (a - b) over paired items. */
  meanDifference: number;
  standardError: number;
  /** Items compared (tasks both sides attempted). */
  pairs: number;
  /** Items where a scored higher / lower / equal. */
  wins: number;
  losses: number;
  ties: number;
  /** Two-sided paired t-test p-value (NaN with fewer than 2 pairs; 1 when every difference is 0). */
  pValue: number;
}

/** Paired comparison of two score vectors over the same items (e.g. per-task resolved rate of two models). */
export function pairedComparison(a: number[], b: number[]): PairedComparison {
  if (a.length !== b.length)
    throw new Error(`paired comparison needs equal lengths, got ${a.length} and ${b.length}`);
  const differences = a.map((value, index) => value - b[index]);
  const summary = meanWithError(differences);
  const wins = differences.filter((value) => value > 0).length;
  const losses = differences.filter((value) => value < 0).length;
  let pValue = Number.NaN;
  if (differences.length >= 2) {
    if (summary.standardError === 0) pValue = summary.mean === 0 ? 1 : 0;
    else pValue = studentTwoSidedPValue(summary.mean / summary.standardError, differences.length - 1);
  }
  return {
    meanDifference: summary.mean,
    standardError: summary.standardError,
    pairs: differences.length,
    wins,
    losses,
    ties: differences.length - wins - losses,
    pValue,
  };
}
