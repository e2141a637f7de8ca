/**
 * A run page: model comparison (plots and table), paired comparison of the models, agents side by side (a run with
 * several agents), task × model matrix, filterable
 * and paged attempts, live updates.
 */
import type { AgentComparisonView, AttemptCounts, LiveProgress, RunDetail } from '../api-types.ts';
import { renderAgentComparison } from './agent-comparison-section.ts';
import { type AttemptQuery, api } from './api-client.ts';
import { createAttemptsView, DEFAULT_ATTEMPTS_PAGE_SIZE, renderAttemptFilters } from './attempts-table.ts';
import { element, replaceChildren, simulatedBadge, statusBadge } from './dom.ts';
import { formatPercent } from './format.ts';
import { subscribeToRunProgress } from './live-updates.ts';
import { renderModelComparisonPlots } from './model-comparison-plots.ts';
import { renderModelSummaryTable } from './model-summary-table.ts';
import { renderPairedComparison } from './paired-comparison.ts';
import { runHref } from './router.ts';
import { createTaskMatrixView, DEFAULT_MATRIX_PAGE_SIZE } from './task-matrix.ts';

function progressLine(counts: AttemptCounts): HTMLElement {
  const done = counts.finished + counts.infrastructureErrors;
  return element(
    'span',
    {},
    element('b', { class: 'done-count' }, `${done} / ${counts.total}`),
    ' attempts done · ',
    element('b', { class: 'resolved-count' }, counts.resolved),
    ` resolved (${formatPercent(counts.finished > 0 ? counts.resolved / counts.finished : null)} of scored) · `,
    `${counts.infrastructureErrors} infrastructure errors · ${counts.running} running · ${counts.pending} pending`,
  );
}

/**
 * A page size of the run page: its `name` parameter (`pageSize` for attempts, `taskPageSize` for the matrix) when it
 * is a positive integer, else the default.
 */
function pageSizeOf(
  params: URLSearchParams,
  name = 'pageSize',
  fallback = DEFAULT_ATTEMPTS_PAGE_SIZE,
): number {
  const value = Number(params.get(name));
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Renders a run page into `root`; returns a function that stops its live updates. */
export async function renderRunPage(
  root: HTMLElement,
  runId: string,
  params: URLSearchParams,
): Promise<() => void> {
  const query: AttemptQuery = {
    failure: params.get('failure') ?? undefined,
    status: params.get('status') ?? undefined,
    model: params.get('model') ?? undefined,
    task: params.get('task') ?? undefined,
  };
  const [detail, agents] = await Promise.all([api.run(runId), api.agents(runId)]);
  const labels = new Map(
    detail.models.map((model) => [
      model.modelId,
      model.simulated ? `${model.label} (SIMULATED)` : model.label,
    ]),
  );
  const simulatedModels = new Set(
    detail.summary.filter((model) => model.simulated).map((model) => model.modelId),
  );

  const status = element('span', { class: 'run-status' }, statusBadge(detail.run.status));
  const progress = element('div', { class: 'run-progress' }, progressLine(detail.run.attempts));
  const comparison = element('section', { class: 'comparison' });
  const matrixView = await createTaskMatrixView(
    runId,
    (page) => api.matrix(runId, page),
    labels,
    pageSizeOf(params, 'taskPageSize', DEFAULT_MATRIX_PAGE_SIZE),
  );
  const matrixSection = element('section', { class: 'matrix-section' }, matrixView.element);
  const shortLabels = new Map(detail.models.map((model) => [model.modelId, model.label]));
  const attemptsView = await createAttemptsView(
    simulatedModels,
    (page) => api.attempts(runId, query, page),
    pageSizeOf(params),
    shortLabels,
  );
  const attemptsSection = element('section', { class: 'attempts-section' }, attemptsView.element);
  const labelOf = (modelId: string) => labels.get(modelId) ?? modelId;
  const pairedSection = element('section', { class: 'paired-comparison' });
  const agentSection = element('section', { class: 'agent-comparison', 'data-testid': 'agent-comparison' });
  const renderAgents = (view: AgentComparisonView) => {
    replaceChildren(agentSection, renderAgentComparison(view));
  };
  if (agents.severalAgents) renderAgents(agents);
  const renderComparison = (run: RunDetail) => {
    replaceChildren(
      comparison,
      renderModelComparisonPlots(run.summary),
      element('h3', {}, 'Numbers'),
      renderModelSummaryTable(run.summary, run.run.agent),
    );
    replaceChildren(pairedSection, renderPairedComparison(run.comparisons, labelOf));
  };
  renderComparison(detail);

  const pageSize = params.get('pageSize') ?? undefined;
  const filters = renderAttemptFilters(
    query,
    detail.models.map((model) => model.modelId),
    detail.tasks.map((task) => task.taskId),
    (next) => {
      location.hash = runHref(runId, { ...next, pageSize });
    },
    shortLabels,
  );
  replaceChildren(
    root,
    element('div', { class: 'event-meta' }, element('a', { href: '#/' }, '← all runs')),
    element('h1', {}, `Run ${runId}`, detail.run.simulated && simulatedBadge(), ' ', status),
    detail.run.simulated &&
      element(
        'div',
        { class: 'banner-simulated' },
        'SIMULATED: this run includes simulated models; their numbers say nothing about a real model.',
      ),
    progress,
    element('p', { class: 'run-agent' }, 'Agent: ', element('strong', {}, detail.run.agent)),
    element('h2', {}, 'Model comparison'),
    comparison,
    detail.models.length >= 2 && [element('h2', {}, 'Paired comparison'), pairedSection],
    agents.severalAgents && [element('h2', { id: 'agents' }, 'Agents side by side'), agentSection],
    element('h2', {}, 'Task × model matrix'),
    element(
      'p',
      { class: 'event-meta' },
      'Resolved / scored attempts per cell; (+n) not finished yet. Click a cell for its attempts.',
    ),
    matrixSection,
    element('h2', { id: 'attempts' }, 'Attempts'),
    filters,
    attemptsSection,
  );
  if (query.model || query.task || query.failure || query.status) attemptsSection.scrollIntoView();

  if (detail.run.status !== 'running') return () => undefined;
  let refreshing: Promise<void> | null = null;
  let again = false;
  const refresh = async () => {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = (async () => {
      const [nextDetail, nextAgents] = await Promise.all([
        api.run(runId),
        agents.severalAgents ? api.agents(runId) : null,
        matrixView.refresh(),
        attemptsView.refresh(),
      ]);
      renderComparison(nextDetail);
      if (nextAgents) renderAgents(nextAgents);
    })();
    try {
      await refreshing;
    } finally {
      refreshing = null;
      if (again) {
        again = false;
        void refresh();
      }
    }
  };
  const onProgress = (update: LiveProgress) => {
    replaceChildren(progress, progressLine(update.attempts));
    replaceChildren(status, statusBadge(update.status));
    void refresh();
  };
  return subscribeToRunProgress(runId, onProgress, onProgress);
}
