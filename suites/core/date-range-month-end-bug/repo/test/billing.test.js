import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addMonths, billingDates, formatDate, parseDate } from '../src/index.js';

describe('billing', () => {
  it('bills on the same day each month', () => {
    assert.deepEqual(billingDates('2024-01-15', 3), ['2024-01-15', '2024-02-15', '2024-03-15']);
  });

  it('adds and subtracts months mid-month', () => {
    assert.equal(formatDate(addMonths(parseDate('2024-11-10'), 3)), '2025-02-10');
    assert.equal(formatDate(addMonths(parseDate('2024-03-10'), -3)), '2023-12-10');
  });
});
