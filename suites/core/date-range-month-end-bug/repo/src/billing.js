import { addDays, addMonths } from './arithmetic.js';
import { DateRange } from './date-range.js';
import { formatDate, parseDate } from './date.js';

/** The first `count` monthly billing dates of a subscription that starts on `start` (YYYY-MM-DD). */
export function billingDates(start, count) {
  const dates = [];
  let current = parseDate(start);
  for (let index = 0; index < count; index++) {
    dates.push(formatDate(current));
    current = addMonths(current, 1);
  }
  return dates;
}

/** The billing periods (inclusive ranges) matching `billingDates`: each ends the day before the next bill. */
export function billingPeriods(start, count) {
  const dates = billingDates(start, count + 1).map(parseDate);
  return dates.slice(0, -1).map((date, index) => new DateRange(date, addDays(dates[index + 1], -1)));
}
