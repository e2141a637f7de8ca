/** Calendar dates are `Date` objects at 00:00 UTC. */
export function parseDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new TypeError(`expected YYYY-MM-DD, got ${text}`);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (formatDate(date) !== text) throw new RangeError(`no such date: ${text}`);
  return date;
}

export function formatDate(date) {
  return date.toISOString().slice(0, 10);
}

export function daysInMonth(year, monthIndex) {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}
