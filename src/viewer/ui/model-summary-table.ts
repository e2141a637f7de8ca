/** The per-model numbers behind the comparison plots, as a table. */
import { describeModelBackend } from '../../metrics/model-backend.ts';
import type { ModelMetrics } from '../../metrics/run-metrics.ts';
import { element, simulatedBadge } from './dom.ts';
import { formatCost, formatMs, formatNumber, formatPercent } from './format.ts';

/** One row per model: resolved rate ± CI, pass@k / pass^k at the largest k, latency, cost, tool-call validity. */
export function renderModelSummaryTable(models: ModelMetrics[]): HTMLElement {
  const headers = [
    'Model',
    'Scored',
    'Resolved (95% CI; Wilson, tasks as unit when several attempts)',
    'pass@k',
    'pass^k',
    'TTFT p50',
    'Decode tok/s p50',
    'Cost / resolved',
    'Valid calls',
    'Recovered calls',
    'Infra errors',
  ];
  return element(
    'table',
    { class: 'model-summary' },
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
      models.map((model) => {
        const top = model.passAtK.at(-1);
        return element(
          'tr',
          { 'data-model-id': model.modelId },
          element(
            'td',
            {},
            model.label,
            model.simulated && simulatedBadge(),
            model.backend &&
              element('div', { class: 'model-backend' }, `backend: ${describeModelBackend(model.backend)}`),
          ),
          element('td', { class: 'number' }, `${model.attempts.scored} / ${model.attempts.total}`),
          element(
            'td',
            { class: 'number' },
            `${formatPercent(model.resolved.rate)} [${formatPercent(model.resolved.low)}, ${formatPercent(model.resolved.high)}]` +
              (model.resolved.method === 'wilson-task-clustered' ? ' tasks as unit' : ''),
          ),
          element('td', { class: 'number' }, top ? `k=${top.k}: ${formatPercent(top.passAtK)}` : '–'),
          element('td', { class: 'number' }, top ? `k=${top.k}: ${formatPercent(top.passHatK)}` : '–'),
          element('td', { class: 'number' }, formatMs(model.latency.timeToFirstTokenMs.p50)),
          element('td', { class: 'number' }, formatNumber(model.latency.decodeTokensPerSecond.p50)),
          element(
            'td',
            { class: 'number', title: model.cost.basis },
            model.cost.kind === 'unpriced'
              ? formatCost(null)
              : formatCost(model.cost.perResolvedTaskUsd, 'none resolved'),
          ),
          element('td', { class: 'number' }, formatPercent(model.toolCalls.validShare)),
          element(
            'td',
            { class: 'number' },
            `${model.toolCalls.recovered} (${formatPercent(model.toolCalls.recoveredShare)})`,
          ),
          element('td', { class: 'number' }, model.attempts.infrastructureErrors),
        );
      }),
    ),
  );
}
