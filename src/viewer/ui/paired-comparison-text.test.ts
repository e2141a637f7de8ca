import { describe, expect, it } from 'vitest';
import type { ModelPairComparison } from '../../metrics/run-metrics.ts';
import { pageOf, pageOfSlice, pageRangeLabel } from './paging.ts';
import { formatPointDifference, formatPValue, pairVerdict } from './paired-comparison-text.ts';

function pair(
  meanDifference: number | null,
  pValue: number | null,
  pairs = 10,
  wins = pairs,
): ModelPairComparison {
  const minimumPValue = Math.min(1, 2 / 2 ** wins);
  return {
    modelA: 'a',
    modelB: 'b',
    comparison: {
      meanDifference,
      standardError: 0.1,
      pValue,
      pairs,
      wins,
      losses: 0,
      ties: pairs - wins,
      method: 'exact-sign',
      methodDescription: 'exact sign test',
      minimumPValue,
      tooFewToTell: minimumPValue > 0.05,
      interval: null,
    },
  };
}
const labelOf = (modelId: string) => modelId.toUpperCase();

describe('paired comparison text', () => {
  it('names the better model only when the difference is significant', () => {
    expect(pairVerdict(pair(0.2, 0.03), labelOf)).toBe('A better (p=0.03)');
    expect(pairVerdict(pair(-0.2, 0.0004), labelOf)).toBe('B better (p<0.001)');
    expect(pairVerdict(pair(0.2, 0.05), labelOf)).toBe('no significant difference (p=0.05)');
    expect(pairVerdict(pair(0, 1), labelOf)).toBe('no significant difference (p=1)');
    expect(pairVerdict(pair(0.5, null, 0), labelOf)).toBe('not enough tasks to compare (0 in common)');
  });

  it('says when there are too few tasks to tell instead of a verdict', () => {
    // Four tasks all won: the exact p is 2/16 whatever happens, so no verdict is possible.
    expect(pairVerdict(pair(1, 0.125, 4), labelOf)).toBe(
      'too few tasks to tell (4 of 4 differ; the smallest possible p is 0.13)',
    );
    expect(pairVerdict(pair(0.2, 0.5, 10, 3), labelOf)).toMatch(/^too few tasks to tell \(3 of 10 differ/);
  });

  it('formats p-values and point differences', () => {
    expect(formatPValue(0.41234)).toBe('0.41');
    expect(formatPValue(null)).toBe('–');
    expect(formatPointDifference(0.1667)).toBe('+16.7 pp');
    expect(formatPointDifference(-0.05)).toBe('−5.0 pp');
    expect(formatPointDifference(0)).toBe('0.0 pp');
  });
});

describe('paging', () => {
  const items = Array.from({ length: 1000 }, (_, index) => index);

  it('slices pages and labels their range', () => {
    const first = pageOf(items, 0, 100);
    expect(first.items).toHaveLength(100);
    expect(first.pages).toBe(10);
    expect(pageRangeLabel(first)).toBe('1–100 of 1,000');
    expect(pageRangeLabel(pageOf(items.slice(0, 250), 2, 100))).toBe('201–250 of 250');
  });

  it('clamps the index and handles an empty list', () => {
    expect(pageOf(items, 99, 100).index).toBe(9);
    expect(pageOf(items, -1, 100).index).toBe(0);
    const empty = pageOf([], 3, 100);
    expect(empty).toMatchObject({ index: 0, pages: 1, first: 0, last: 0, total: 0 });
    expect(pageRangeLabel(empty)).toBe('0 of 0');
  });

  it('describes a page the server sent by its offset, limit and total', () => {
    const third = pageOfSlice({ items: items.slice(200, 250), offset: 200, limit: 100, total: 250 });
    expect(third).toMatchObject({ index: 2, pages: 3, first: 201, last: 250, total: 250 });
    expect(pageRangeLabel(third)).toBe('201–250 of 250');
    expect(pageOfSlice({ items: [], offset: 0, limit: 100, total: 0 })).toMatchObject({
      index: 0,
      pages: 1,
      first: 0,
      last: 0,
    });
  });
});
