/** The leaderboard across runs: each model (model id + agent) with its latest and best resolved rate and its runs. */

import type { LeaderboardEntry, LeaderboardRun } from '../api-types.ts';
import { api } from './api-client.ts';
import { element, simulatedBadge } from './dom.ts';
import { formatRateWithInterval, shownModelId } from './format.ts';
import { runHref } from './router.ts';

/** A run's rate and a link to the run, filtered to the model. */
function runCell(entry: LeaderboardEntry, run: LeaderboardRun | null, kind: string): HTMLElement {
  if (!run) return element('td', { class: `number ${kind}` }, '– (none scored)');
  return element(
    'td',
    { class: `number ${kind}`, title: `${run.resolved.successes} of ${run.resolved.trials} scored` },
    formatRateWithInterval(run.resolved),
    ' ',
    element(
      'a',
      { href: runHref(run.runId, { model: entry.modelId }), class: 'leaderboard-run-link' },
      run.runId,
    ),
  );
}

function entryRow(entry: LeaderboardEntry): HTMLElement {
  return element(
    'tr',
    { 'data-model-id': entry.modelId, 'data-agent': entry.agent },
    element(
      'td',
      { class: 'model-label', title: shownModelId(entry.modelId) },
      entry.label,
      entry.simulated && simulatedBadge(),
    ),
    element('td', {}, element('code', {}, shownModelId(entry.modelId))),
    element('td', { class: 'agent' }, entry.agent),
    runCell(entry, entry.latest.resolved.trials > 0 ? entry.latest : null, 'latest'),
    runCell(entry, entry.best, 'best'),
    element('td', { class: 'number' }, entry.runs.length),
    element(
      'td',
      { class: 'runs' },
      entry.runs.map((run) =>
        element(
          'a',
          { href: runHref(run.runId, { model: entry.modelId }), class: 'run-link', title: run.createdAt },
          run.runId,
        ),
      ),
    ),
  );
}

/** Renders the leaderboard into `root`. */
export async function renderLeaderboardPage(root: HTMLElement): Promise<void> {
  const entries = await api.leaderboard();
  root.replaceChildren(
    element('p', {}, element('a', { href: '#/' }, 'All runs')),
    element('h1', {}, 'Leaderboard across runs'),
    element(
      'p',
      { class: 'note' },
      'Resolved rate of scored attempts (infrastructure errors excluded) with its 95% interval (Wilson; tasks as the unit when they have several attempts), per model and agent. ',
      'Latest: the newest run with a scored attempt; best: the highest rate. Runs on different tasks are not directly comparable.',
    ),
    entries.length === 0
      ? element(
          'p',
          {},
          'No runs in this store yet: start one with ',
          element('code', {}, 'shakedown run'),
          '.',
        )
      : element(
          'table',
          { class: 'leaderboard-table' },
          element(
            'thead',
            {},
            element(
              'tr',
              {},
              [
                'Model',
                'Model id',
                'Agent',
                'Latest resolved (95% CI, tasks as unit)',
                'Best resolved (95% CI, tasks as unit)',
                'Runs',
                'Run links',
              ].map((title) => element('th', {}, title)),
            ),
          ),
          element('tbody', {}, entries.map(entryRow)),
        ),
  );
}
