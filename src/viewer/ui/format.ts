/** Number formatting for the viewer UI; null shows as an en dash. */

import { redactSecrets } from '../../shared/redact-secrets.ts';

const DASH = '–';

/** A model id as shown to a user (hover titles, id columns): credentials in its URL removed. */
export function shownModelId(modelId: string): string {
  return redactSecrets(modelId, []);
}

/** A share as a percentage. */
export function formatPercent(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? DASH : `${(value * 100).toFixed(digits)}%`;
}

/** Milliseconds as ms or s. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/** A plain number with fixed digits. */
export function formatNumber(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? DASH : value.toFixed(digits);
}

/** US dollars; small amounts keep two significant digits; unknown (unpriced) is a dash, never `$0.0000`. */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  if (value === 0) return '$0';
  return Math.abs(value) >= 1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`;
}

/** A cost that may be unknown: the dollars, or a dash with why (`– (unpriced)`). */
export function formatCost(value: number | null | undefined, why = 'unpriced'): string {
  return value === null || value === undefined ? `${DASH} (${why})` : formatUsd(value);
}

/** An integer with thousands separators. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : Math.round(value).toLocaleString('en-US');
}

/** A resolved rate with its 95% interval, as the run page's summary shows it: `60% [23%, 88%]`; a dash unscored. */
export function formatRateWithInterval(resolved: {
  rate: number | null;
  low: number | null;
  high: number | null;
}): string {
  if (resolved.rate === null) return DASH;
  return `${formatPercent(resolved.rate)} [${formatPercent(resolved.low)}, ${formatPercent(resolved.high)}]`;
}
