import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateRange, formatDate, parseDate } from '../src/index.js';

describe('DateRange', () => {
  it('counts days inclusively across a leap day', () => {
    assert.equal(new DateRange('2024-02-27', '2024-03-01').length, 4);
  });

  it('lists its days', () => {
    assert.deepEqual([...new DateRange('2023-12-30', '2024-01-02').days()].map(formatDate), ['2023-12-30', '2023-12-31', '2024-01-01', '2024-01-02']);
  });

  it('detects overlaps and containment', () => {
    const range = new DateRange('2024-05-01', '2024-05-31');
    assert.equal(range.overlaps(new DateRange('2024-05-31', '2024-06-10')), true);
    assert.equal(range.overlaps(new DateRange('2024-06-01', '2024-06-10')), false);
    assert.equal(range.contains('2024-05-15'), true);
  });

  it('rejects impossible dates', () => {
    assert.throws(() => parseDate('2023-02-29'), RangeError);
  });
});
