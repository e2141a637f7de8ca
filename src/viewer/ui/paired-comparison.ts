/**
 * The paired comparison of a run page: one row per model pair (per-task resolved rate of A minus B: mean ± SEM,
 * wins/losses/ties, exact-test p-value and its method, verdict) and a plot of the mean differences with their
 * seeded bootstrap 95% intervals.
 */
import * as Plot from '@observablehq/plot';
import type { ModelPairComparison } from '../../metrics/run-metrics.ts';
import { element } from './dom.ts';
import { formatPointDifference, formatPValue, pairVerdict } from './paired-comparison-text.ts';

function pairLabel(pair: ModelPairComparison, labelOf: (modelId: string) => string): string {
  return `${labelOf(pair.modelA)} vs ${labelOf(pair.modelB)}`;
}

function differencePlot(
  comparisons: ModelPairComparison[],
  labelOf: (modelId: string) => string,
): Element | null {
  const rows = comparisons
    .filter((pair) => pair.comparison.meanDifference !== null)
    .map((pair) => {
      const mean = pair.comparison.meanDifference ?? 0;
      const interval = pair.comparison.interval;
      return {
        pair: pairLabel(pair, labelOf),
        mean,
        low: interval?.low ?? mean,
        high: interval?.high ?? mean,
      };
    });
  if (rows.length === 0) return null;
  const extent = Math.max(0.05, ...rows.flatMap((row) => [Math.abs(row.low), Math.abs(row.high)]));
  return Plot.plot({
    width: 640,
    height: 70 + 36 * rows.length,
    marginLeft: 300,
    marginRight: 30,
    x: {
      domain: [-extent, extent],
      label: 'mean difference of per-task resolved rate (A − B), bootstrap 95% interval',
      tickFormat: '+.0%',
      grid: true,
    },
    y: { label: null, domain: rows.map((row) => row.pair) },
    marks: [
      Plot.ruleX([0], { stroke: '#667085', strokeDasharray: '4 3' }),
      Plot.ruleY(rows, { y: 'pair', x1: 'low', x2: 'high', stroke: '#1d2330', strokeWidth: 2 }),
      Plot.tickX(rows, { y: 'pair', x: 'low', stroke: '#1d2330' }),
      Plot.tickX(rows, { y: 'pair', x: 'high', stroke: '#1d2330' }),
      Plot.dot(rows, { y: 'pair', x: 'mean', fill: '#1f5fbf', r: 5, tip: true }),
    ],
  });
}

/** The table and plot of the paired comparisons; `labelOf` names a model id. */
export function renderPairedComparison(
  comparisons: ModelPairComparison[],
  labelOf: (modelId: string) => string,
): HTMLElement {
  const headers = [
    'A vs B',
    'Tasks compared',
    'Mean difference ± SEM',
    'Wins / losses / ties',
    'p-value',
    'Test',
    'Verdict',
  ];
  const plot = differencePlot(comparisons, labelOf);
  return element(
    'div',
    { class: 'paired-comparison-body' },
    element(
      'p',
      { class: 'event-meta' },
      'Per-task resolved rate of A minus B over the tasks both models have scored attempts on; ' +
        'wins / losses / ties count tasks; exact tests on the per-task differences (McNemar for one attempt ' +
        'per task, else sign or permutation test; seeded Monte Carlo beyond 20 differing tasks), significant at ' +
        'p < 0.05; "too few tasks to tell" when no outcome on these tasks could reach that. Intervals: seeded ' +
        'bootstrap over tasks.',
    ),
    element(
      'table',
      { class: 'paired-comparison-table' },
      element(
        'thead',
        {},
        element(
          'tr',
          {},
          headers.map((title) => element('th', {}, title)),
        ),
      ),
      element(
        'tbody',
        {},
        comparisons.map((pair) => {
          const { comparison } = pair;
          return element(
            'tr',
            { 'data-model-a': pair.modelA, 'data-model-b': pair.modelB },
            element('td', {}, pairLabel(pair, labelOf)),
            element('td', { class: 'number' }, comparison.pairs),
            element(
              'td',
              { class: 'number' },
              `${formatPointDifference(comparison.meanDifference)} ± ${
                comparison.standardError === null ? '–' : `${(comparison.standardError * 100).toFixed(1)} pp`
              }`,
            ),
            element(
              'td',
              { class: 'number' },
              `${comparison.wins} / ${comparison.losses} / ${comparison.ties}`,
            ),
            element('td', { class: 'number' }, formatPValue(comparison.pValue)),
            element('td', { class: 'test-method' }, comparison.methodDescription),
            element('td', { class: 'verdict' }, pairVerdict(pair, labelOf)),
          );
        }),
      ),
    ),
    element(
      'div',
      { class: 'plot-card', 'data-plot': 'Paired difference' },
      element('h3', {}, 'Mean difference per pair (95% interval)'),
      plot ?? element('p', { class: 'muted' }, 'No task scored by both models yet.'),
    ),
  );
}
