/** Plain-words text of a paired model comparison (no DOM: unit-tested under Node). */
import type { ModelPairComparison } from '../../metrics/run-metrics.ts';

/** Significance level of the paired-comparison verdict. */
export const SIGNIFICANCE_LEVEL = 0.05;

/** A p-value for display: two significant digits, `<0.001` below that. */
export function formatPValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (value < 0.001) return '<0.001';
  return Number(value.toPrecision(2)).toString();
}

/** A difference of two rates in percentage points, signed. */
export function formatPointDifference(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const points = value * 100;
  return `${points > 0 ? '+' : points < 0 ? '−' : ''}${Math.abs(points).toFixed(1)} pp`;
}

/**
 * The verdict of one pair in plain words: "A better (p=0.03)", "no significant difference (p=0.4)", or "too few
 * tasks to tell" when no outcome on the tasks compared could reach the significance level.
 */
export function pairVerdict(pair: ModelPairComparison, labelOf: (modelId: string) => string): string {
  const { meanDifference, pValue, pairs, wins, losses, tooFewToTell, minimumPValue } = pair.comparison;
  if (pValue === null || meanDifference === null || pairs < 1)
    return `not enough tasks to compare (${pairs} in common)`;
  if (tooFewToTell) {
    return (
      `too few tasks to tell (${wins + losses} of ${pairs} differ; ` +
      `the smallest possible p is ${formatPValue(minimumPValue)})`
    );
  }
  const p = formatPValue(pValue);
  const shown = p.startsWith('<') ? `p${p}` : `p=${p}`;
  if (pValue >= SIGNIFICANCE_LEVEL || meanDifference === 0) return `no significant difference (${shown})`;
  const better = meanDifference > 0 ? pair.modelA : pair.modelB;
  return `${labelOf(better)} better (${shown})`;
}
