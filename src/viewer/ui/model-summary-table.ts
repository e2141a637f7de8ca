/** The per-model numbers behind the comparison plots, as a table. */
import { describeModelBackend } from '../../metrics/model-backend.ts';
import type { ModelMetrics } from '../../metrics/run-metrics.ts';
import { isExternalAgentRow, timeToFirstTokenSource } from '../time-to-first-token-source.ts';
import { element, simulatedBadge } from './dom.ts';
import { formatCost, formatMs, formatNumber, formatPercent } from './format.ts';

function timeToFirstTokenCaption(model: ModelMetrics, runAgent: string): HTMLElement | null {
  const source = timeToFirstTokenSource(
    model.latency.timeToFirstTokenMs,
    isExternalAgentRow(model, runAgent),
  );
  return source ? element('div', { class: 'ttft-source' }, source) : null;
}

/**
 * One row per model: resolved rate ± CI, pass@k / pass^k at the largest k, latency (TTFT with where it was
 * measured: server, model client, or the recording proxy of an external agent), cost, tool-call validity.
 * `runAgent` is the run's agent (`built-in`, `external (…)`), for rows that are no model × agent cell.
 */
export function renderModelSummaryTable(models: ModelMetrics[], runAgent = 'built-in'): HTMLElement {
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
          element(
            'td',
            { class: 'number ttft' },
            formatMs(model.latency.timeToFirstTokenMs.p50),
            timeToFirstTokenCaption(model, runAgent),
          ),
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
