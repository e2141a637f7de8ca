/** Number formatting for the viewer UI; null shows as an en dash. */

const DASH = '–';

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

/** US dollars; small amounts keep more digits. */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return `$${value < 0.1 ? value.toFixed(4) : value.toFixed(2)}`;
}

/** An integer with thousands separators. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : Math.round(value).toLocaleString('en-US');
}
