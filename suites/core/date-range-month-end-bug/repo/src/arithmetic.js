const DAY_MS = 86_400_000;

export function addDays(date, days) {
  return new Date(date.getTime() + days * DAY_MS);
}

/** The same day of the month, `months` later (negative: earlier). */
export function addMonths(date, months) {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, date.getUTCDate()));
}

export function diffDays(from, to) {
  return Math.round((to.getTime() - from.getTime()) / DAY_MS);
}
