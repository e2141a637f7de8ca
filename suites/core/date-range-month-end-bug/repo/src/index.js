export { parseDate, formatDate, daysInMonth } from './date.js';
export { addDays, addMonths, diffDays } from './arithmetic.js';
export { DateRange } from './date-range.js';
export { billingDates, billingPeriods } from './billing.js';
