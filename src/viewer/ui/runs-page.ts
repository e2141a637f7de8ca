/** The runs list: every run with its status, counts, simulated badge and live indicator. */
import type { RunListItem } from '../api-types.ts';
import { api } from './api-client.ts';
import { element, simulatedBadge, statusBadge } from './dom.ts';
import { formatPercent } from './format.ts';
import { runHref } from './router.ts';

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
    element('td', { class: 'number' }, formatPercent(scored > 0 ? run.attempts.resolved / scored : null)),
    element('td', { class: 'number' }, run.attempts.infrastructureErrors),
  );
}

/** Renders the runs list into `root`. */
export async function renderRunsPage(root: HTMLElement): Promise<void> {
  const runs = await api.runs();
  root.replaceChildren(
    element('h1', {}, 'Runs'),
    runs.length === 0
      ? element(
          'p',
          {},
          'No runs in this store yet: start one with ',
          element('code', {}, 'shakedown run'),
          '.',
        )
      : element(
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
                'Resolved rate',
                'Infra errors',
              ].map((title) => element('th', {}, title)),
            ),
          ),
          element('tbody', {}, runs.map(runRow)),
        ),
  );
}
