import { addDays, diffDays } from './arithmetic.js';
import { formatDate, parseDate } from './date.js';

/** An inclusive range of calendar dates. */
export class DateRange {
  constructor(start, end) {
    this.start = typeof start === 'string' ? parseDate(start) : start;
    this.end = typeof end === 'string' ? parseDate(end) : end;
    if (this.end < this.start) throw new RangeError('end is before start');
  }

  get length() {
    return diffDays(this.start, this.end) + 1;
  }

  contains(date) {
    const day = typeof date === 'string' ? parseDate(date) : date;
    return day >= this.start && day <= this.end;
  }

  overlaps(other) {
    return this.start <= other.end && other.start <= this.end;
  }

  *days() {
    for (let day = this.start; day <= this.end; day = addDays(day, 1)) yield day;
  }

  toString() {
    return `${formatDate(this.start)}..${formatDate(this.end)}`;
  }
}
