/**
 * The runs list: every run with its status, counts, simulated badge and live indicator, and a row per model; a page
 * of runs at a time, fetched from the server.
 */

import type { RunListItem, RunModelRow, RunPage } from '../api-types.ts';
import { api } from './api-client.ts';
import { element, replaceChildren, simulatedBadge, statusBadge } from './dom.ts';
import { formatPercent, formatRateWithInterval, shownModelId } from './format.ts';
import { pageOfSlice, pageRangeLabel } from './paging.ts';
import { LEADERBOARD_HREF, runHref } from './router.ts';

/** Runs per page of the runs list. */
export const DEFAULT_RUNS_PAGE_SIZE = 100;

/** A model's sub-row under its run: short label, attempts done, resolved count and rate with its 95% Wilson CI. */
function modelRow(run: RunListItem, model: RunModelRow): HTMLElement {
  return element(
    'tr',
    { class: 'run-model-row', 'data-parent-run-id': run.id, 'data-model-id': model.modelId },
    element(
      'td',
      { colspan: 6, class: 'model-label', title: shownModelId(model.modelId) },
      element('a', { href: runHref(run.id, { model: model.modelId }) }, model.label),
      model.simulated && simulatedBadge(),
    ),
    element('td', { class: 'number' }, `${model.done} / ${model.total}`),
    element('td', { class: 'number' }, model.resolved.successes),
    element(
      'td',
      {
        class: 'number resolved-rate',
        title: `${model.resolved.successes} of ${model.resolved.trials} scored`,
      },
      formatRateWithInterval(model.resolved),
    ),
    element('td', { class: 'number' }, model.infrastructureErrors),
  );
}

function runRow(run: RunListItem): HTMLElement {
  const scored = run.attempts.finished;
  return element(
    'tr',
    { 'data-run-id': run.id },
    element(
      'td',
      {},
      element('a', { href: runHref(run.id), class: 'run-link' }, run.id),
      run.simulated && simulatedBadge(),
    ),
    element('td', {}, statusBadge(run.status)),
    element('td', { class: 'agent' }, run.agent),
    element('td', {}, new Date(run.createdAt).toLocaleString()),
    element('td', { class: 'number' }, run.models),
    element('td', { class: 'number' }, run.tasks),
    element(
      'td',
      { class: 'number' },
      `${run.attempts.finished + run.attempts.infrastructureErrors} / ${run.attempts.total}`,
    ),
    element('td', { class: 'number' }, run.attempts.resolved),
    // Rates are per model (the rows below); a rate pooled over models would mix them.
    element(
      'td',
      { class: 'number' },
      run.modelRows.length > 0 ? '' : formatPercent(scored > 0 ? run.attempts.resolved / scored : null),
    ),
    element('td', { class: 'number' }, run.attempts.infrastructureErrors),
  );
}

/** A run's row followed by one row per model. */
function runRows(run: RunListItem): HTMLElement[] {
  return [runRow(run), ...run.modelRows.map((model) => modelRow(run, model))];
}

/** The runs table of one page. */
function runsTable(runs: RunListItem[]): HTMLElement {
  return element(
    'table',
    { class: 'runs-table' },
    element(
      'thead',
      {},
      element(
        'tr',
        {},
        [
          'Run',
          'Status',
          'Agent',
          'Created',
          'Models',
          'Tasks',
          'Done / total',
          'Resolved',
          'Resolved rate (95% CI, tasks as unit)',
          'Infra errors',
        ].map((title) => element('th', {}, title)),
      ),
    ),
    element('tbody', {}, runs.flatMap(runRows)),
  );
}

/** Previous / next buttons and the count of a page of runs; `go` shows the page of that index. */
function runsPager(answer: RunPage, go: (index: number) => void): HTMLElement {
  const page = pageOfSlice(answer);
  return element(
    'div',
    { class: 'pager runs-pager' },
    element(
      'button',
      {
        type: 'button',
        class: 'pager-previous',
        disabled: page.index === 0,
        onclick: () => go(page.index - 1),
      },
      '← Newer runs',
    ),
    element('span', { class: 'pager-count' }, `runs ${pageRangeLabel(page)}`),
    element(
      'button',
      {
        type: 'button',
        class: 'pager-next',
        disabled: page.index >= page.pages - 1,
        onclick: () => go(page.index + 1),
      },
      'Older runs →',
    ),
  );
}

/** Renders the runs list into `root`, `pageSize` runs a page (newest first). */
export async function renderRunsPage(
  root: HTMLElement,
  pageSize: number = DEFAULT_RUNS_PAGE_SIZE,
): Promise<void> {
  const list = element('div', { class: 'runs-list' });
  const show = async (offset: number) => {
    const answer = await api.runs({ offset, limit: pageSize });
    replaceChildren(
      list,
      answer.total > pageSize &&
        runsPager(answer, (index) => {
          void show(index * pageSize);
        }),
      answer.total === 0
        ? element(
            'p',
            {},
            'No runs in this store yet: start one with ',
            element('code', {}, 'shakedown run'),
            '.',
          )
        : runsTable(answer.items),
    );
  };
  await show(0);
  root.replaceChildren(
    element('h1', {}, 'Runs'),
    element(
      'p',
      {},
      element('a', { href: LEADERBOARD_HREF, class: 'leaderboard-link' }, 'Leaderboard across runs'),
    ),
    list,
  );
}
