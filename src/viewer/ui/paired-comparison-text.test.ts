import { describe, expect, it } from 'vitest';
import type { ModelPairComparison } from '../../metrics/run-metrics.ts';
import { pageOf, pageRangeLabel } from './paging.ts';
import { formatPointDifference, formatPValue, pairVerdict } from './paired-comparison-text.ts';

function pair(meanDifference: number | null, pValue: number | null, pairs = 10): ModelPairComparison {
  return {
    modelA: 'a',
    modelB: 'b',
    comparison: { meanDifference, standardError: 0.1, pValue, pairs, wins: 0, losses: 0, ties: pairs },
  };
}
const labelOf = (modelId: string) => modelId.toUpperCase();

describe('paired comparison text', () => {
  it('names the better model only when the difference is significant', () => {
    expect(pairVerdict(pair(0.2, 0.03), labelOf)).toBe('A better (p=0.03)');
    expect(pairVerdict(pair(-0.2, 0.0004), labelOf)).toBe('B better (p<0.001)');
    expect(pairVerdict(pair(0.2, 0.05), labelOf)).toBe('no significant difference (p=0.05)');
    expect(pairVerdict(pair(0, 1), labelOf)).toBe('no significant difference (p=1)');
    expect(pairVerdict(pair(0.5, null, 1), labelOf)).toBe('not enough tasks to compare (1 in common)');
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
});
