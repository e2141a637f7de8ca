const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Splits a dotted topic (`orders.eu.created`) into segments, throwing on an invalid topic. */
export function splitTopic(topic) {
  if (typeof topic !== 'string' || topic === '') throw new TypeError('topic must be a non-empty string');
  const segments = topic.split('.');
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) throw new TypeError(`invalid topic segment "${segment}" in "${topic}"`);
  }
  return segments;
}
