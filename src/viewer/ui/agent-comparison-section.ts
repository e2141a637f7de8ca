/**
 * "Agents side by side" of a run with several agents: per model, one row per agent (resolved rate with its interval
 * and method, pass@1 and pass@k, tool-call validity, TTFT and where it was measured, tokens, wall time, cost per
 * resolved task), then the paired per-task comparisons between that model's agents (`GET /api/runs/:id/agents`).
 */
import type { AgentComparisonView, AgentComparisonViewRow } from '../api-types.ts';
import { element, simulatedBadge } from './dom.ts';
import {
  formatCost,
  formatCount,
  formatMs,
  formatNumber,
  formatPercent,
  formatRateWithInterval,
} from './format.ts';
import { formatPointDifference, formatPValue, pairVerdict } from './paired-comparison-text.ts';

const ROW_HEADERS = [
  'Agent',
  'Tasks scored',
  'Resolved (95% CI)',
  'Interval method',
  'pass@1',
  'pass@k',
  'Valid calls',
  'TTFT p50',
  'Tokens / resolved',
  'Attempt wall p50',
  'Steps p50',
  'Cost / resolved',
  'Infra errors',
];

const PAIR_HEADERS = [
  'A vs B',
  'Tasks compared',
  'Mean difference ± SEM',
  'Wins / losses / ties',
  'p-value',
  'Test',
  'Verdict',
];

function headerRow(titles: string[]): HTMLElement {
  return element(
    'thead',
    {},
    element(
      'tr',
      {},
      titles.map((title) => element('th', {}, title)),
    ),
  );
}

function agentRow(row: AgentComparisonViewRow): HTMLElement {
  const top = row.passAtLargestK;
  return element(
    'tr',
    { 'data-row-id': row.rowId, 'data-agent': row.agent },
    element('td', { class: 'agent-name', title: row.label }, row.agent, row.simulated && simulatedBadge()),
    element('td', { class: 'number' }, row.tasksScored),
    element(
      'td',
      { class: 'number' },
      `${formatRateWithInterval(row.resolved)} (${row.resolved.successes} / ${row.resolved.trials})`,
    ),
    element('td', { class: 'interval-method' }, row.intervalMethod ?? '–'),
    element('td', { class: 'number' }, formatPercent(row.passAt1)),
    element('td', { class: 'number' }, top ? `k=${top.k}: ${formatPercent(top.passAtK)}` : '– (k=1 only)'),
    element('td', { class: 'number' }, formatPercent(row.validToolCallShare)),
    element(
      'td',
      { class: 'number ttft' },
      formatMs(row.timeToFirstTokenMsP50),
      row.timeToFirstTokenSource && element('div', { class: 'ttft-source' }, row.timeToFirstTokenSource),
    ),
    element('td', { class: 'number' }, formatCount(row.tokensPerResolvedTask)),
    element('td', { class: 'number' }, formatMs(row.attemptWallMsP50)),
    element('td', { class: 'number' }, formatNumber(row.stepsPerTaskP50)),
    element(
      'td',
      { class: 'number' },
      formatCost(row.costPerResolvedTaskUsd, row.resolved.successes === 0 ? 'none resolved' : 'unpriced'),
    ),
    element('td', { class: 'number' }, row.infrastructureErrors),
  );
}

function pairTable(pairs: AgentComparisonView['pairs']): HTMLElement {
  return element(
    'table',
    { class: 'agent-pairs-table' },
    headerRow(PAIR_HEADERS),
    element(
      'tbody',
      {},
      pairs.map((pair) => {
        const { comparison } = pair;
        // The verdict names the better agent: the pair's "models" are its two agents here.
        const verdict = pairVerdict(
          { modelA: pair.agentA, modelB: pair.agentB, comparison },
          (agent) => agent,
        );
        return element(
          'tr',
          { 'data-agent-a': pair.agentA, 'data-agent-b': pair.agentB },
          element('td', {}, `${pair.agentA} vs ${pair.agentB}`),
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
          element('td', { class: 'verdict' }, verdict),
        );
      }),
    ),
  );
}

/** The section's body: one block per model (its agents' table, then its paired comparisons). */
export function renderAgentComparison(view: AgentComparisonView): HTMLElement {
  const modelIds = [...new Set(view.rows.map((row) => row.modelId))];
  return element(
    'div',
    { class: 'agent-comparison-body' },
    element(
      'p',
      { class: 'event-meta' },
      'The same model inside each agent of this run. Resolved: 95% interval by the method shown. Time to first ' +
        'token: server-reported, measured at the model client (built-in agent) or measured at the recording ' +
        'proxy (external agents: from the request reaching the proxy to the first token sent back), as each cell ' +
        'says. Pairs: per-task resolved rate of A minus B over the tasks both agents scored; exact tests; "too ' +
        'few tasks to tell" when no outcome on these tasks could reach p < 0.05.',
    ),
    modelIds.map((modelId) => {
      const rows = view.rows.filter((row) => row.modelId === modelId);
      const pairs = view.pairs.filter((pair) => pair.modelId === modelId);
      return element(
        'div',
        { class: 'agent-comparison-model', 'data-model-id': modelId },
        element('h3', {}, view.modelLabels[modelId] ?? modelId),
        element(
          'table',
          { class: 'agent-comparison-table' },
          headerRow(ROW_HEADERS),
          element('tbody', {}, rows.map(agentRow)),
        ),
        pairs.length > 0
          ? [element('h4', {}, 'Paired per-task comparison between agents'), pairTable(pairs)]
          : element('p', { class: 'muted' }, 'Only one agent ran this model.'),
      );
    }),
    view.tasksInSomeRunsOnly > 0 &&
      element(
        'p',
        { class: 'event-meta' },
        `Task sets differ: ${view.tasksInEveryRun} tasks in every run, ${view.tasksInSomeRunsOnly} only in some.`,
      ),
  );
}
