/** Number formatting shared by the Markdown and HTML reports; `null` always prints as an em dash. */
import type { MeanWithStandardError, ModelPairComparison, RateWithInterval } from '../metrics/run-metrics.ts';

/** Placeholder for a value that is unknown or undefined. */
export const MISSING = '—';

/** `0.4737` → `47.4%`. */
export function formatPercent(value: number | null, digits = 1): string {
  return value === null ? MISSING : `${(value * 100).toFixed(digits)}%`;
}

/** A 95% interval as `[27.3–68.3%]`. */
export function formatInterval(low: number | null, high: number | null): string {
  if (low === null || high === null) return MISSING;
  return `[${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%]`;
}

/** A resolved-rate interval with its method: `[15.0–85.0%] Wilson, tasks as unit (n_eff 4.0)`. */
export function formatResolvedInterval(resolved: {
  low: number | null;
  high: number | null;
  method: 'wilson' | 'wilson-task-clustered' | null;
  effectiveTrials: number | null;
}): string {
  const interval = formatInterval(resolved.low, resolved.high);
  if (resolved.method === null || resolved.effectiveTrials === null) return interval;
  return resolved.method === 'wilson'
    ? `${interval} Wilson`
    : `${interval} Wilson, tasks as unit (n_eff ${resolved.effectiveTrials.toFixed(1)})`;
}

/** Dollars with enough digits for fractions of a cent: `$0.0094`, `$12.50`. */
export function formatUsd(value: number | null): string {
  if (value === null) return MISSING;
  if (value === 0) return '$0';
  return Math.abs(value) >= 1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`;
}

/** Milliseconds as `850 ms` or `2.4 s`. */
export function formatMilliseconds(value: number | null): string {
  if (value === null) return MISSING;
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/** A plain number with at most `digits` decimals: `40`, `3.05`. */
export function formatNumber(value: number | null, digits = 2): string {
  if (value === null) return MISSING;
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** A p-value: `0.031`, `<0.001`. */
export function formatPValue(value: number | null): string {
  if (value === null) return MISSING;
  return value < 0.001 ? '<0.001' : value.toFixed(3);
}

/** A rate with the counts behind it: `47.4% (9/19)`. */
export function formatRateWithCounts(rate: Pick<RateWithInterval, 'rate' | 'successes' | 'trials'>): string {
  return `${formatPercent(rate.rate)} (${rate.successes}/${rate.trials})`;
}

/** A mean rate ± its standard error: `47.4% ± 3.1%`. */
export function formatMeanWithError(value: Pick<MeanWithStandardError, 'mean' | 'standardError'>): string {
  if (value.mean === null) return MISSING;
  if (value.standardError === null) return `${formatPercent(value.mean)} (one run: no SEM)`;
  return `${formatPercent(value.mean)} ± ${formatPercent(value.standardError)}`;
}

/** A signed difference of rates in points: `+12.5 pts`. */
export function formatPoints(value: number | null): string {
  return value === null ? MISSING : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} pts`;
}

/**
 * The test behind a paired comparison in words: `p = 0.031 (exact sign test ...)`, or, when no outcome on the
 * tasks compared could be significant, `too few tasks to tell: ...` with the smallest attainable p.
 */
export function formatPairedTest(comparison: ModelPairComparison['comparison']): string {
  if (comparison.pValue === null) return `${MISSING} (${comparison.methodDescription})`;
  const p = `p = ${formatPValue(comparison.pValue)} (${comparison.methodDescription})`;
  if (!comparison.tooFewToTell) return p;
  return (
    `too few tasks to tell: ${comparison.wins + comparison.losses} of ${comparison.pairs} tasks differ, ` +
    `so the smallest possible p is ${formatPValue(comparison.minimumPValue)}; ${p}`
  );
}

/** The 95% interval of a paired difference in points with its method, or a dash. */
export function formatPairedInterval(comparison: ModelPairComparison['comparison']): string {
  const { interval } = comparison;
  if (interval === null) return comparison.tooFewToTell ? 'no 95% interval (too few tasks)' : MISSING;
  return `95% interval [${formatPoints(interval.low)}, ${formatPoints(interval.high)}] (${interval.method})`;
}
