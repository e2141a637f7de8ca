/** The attempts table of a run page, with filters by failure class, status, model and task, paged by the server. */

import type { AttemptListItem, AttemptPage } from '../api-types.ts';
import type { AttemptQuery } from './api-client.ts';
import { element, replaceChildren } from './dom.ts';
import { formatMs, formatUsd, shownModelId } from './format.ts';
import { pageOfSlice, pageRangeLabel } from './paging.ts';
import { attemptHref } from './router.ts';

/** Attempts shown per page unless the run page's `pageSize` parameter says otherwise. */
export const DEFAULT_ATTEMPTS_PAGE_SIZE = 100;

const FAILURE_OPTIONS: Array<[string, string]> = [
  ['', 'any outcome'],
  ['none', 'resolved'],
  ['agent', 'agent failure (limit, format errors, no submission)'],
  ['grade', 'grade failure (wrong fix, invalid grade)'],
  ['infrastructure', 'infrastructure error'],
  ['incomplete', 'not finished'],
];
const STATUS_OPTIONS = ['', 'pending', 'running', 'finished', 'infrastructure-error'];

function select(
  name: string,
  value: string | undefined,
  options: Array<[string, string]>,
  onChange: (value: string) => void,
) {
  return element(
    'select',
    { name, onchange: (event: Event) => onChange((event.target as HTMLSelectElement).value) },
    options.map(([optionValue, label]) =>
      element('option', { value: optionValue, selected: optionValue === (value ?? '') }, label),
    ),
  );
}

/** Renders the filter bar; `onChange` receives the new query. */
export function renderAttemptFilters(
  query: AttemptQuery,
  models: string[],
  tasks: string[],
  onChange: (query: AttemptQuery) => void,
  labels: ReadonlyMap<string, string> = new Map(),
): HTMLElement {
  const update = (key: keyof AttemptQuery) => (value: string) =>
    onChange({ ...query, [key]: value || undefined });
  return element(
    'div',
    { class: 'filters' },
    element(
      'label',
      {},
      'Failure class ',
      select('failure', query.failure, FAILURE_OPTIONS, update('failure')),
    ),
    element(
      'label',
      {},
      'Status ',
      select(
        'status',
        query.status,
        STATUS_OPTIONS.map((status) => [status, status || 'any status']),
        update('status'),
      ),
    ),
    element(
      'label',
      {},
      'Model ',
      select(
        'model',
        query.model,
        [['', 'all models'], ...models.map((model): [string, string] => [model, labels.get(model) ?? model])],
        update('model'),
      ),
    ),
    element(
      'label',
      {},
      'Task ',
      select(
        'task',
        query.task,
        [['', 'all tasks'], ...tasks.map((task): [string, string] => [task, task])],
        update('task'),
      ),
    ),
  );
}

/** Renders the attempts as a table linking to each attempt's transcript. */
export function renderAttemptsTable(
  attempts: AttemptListItem[],
  simulatedModels: Set<string>,
  labels: ReadonlyMap<string, string> = new Map(),
): HTMLElement {
  if (attempts.length === 0)
    return element('p', { class: 'attempts-empty' }, 'No attempts match these filters.');
  return element(
    'table',
    { class: 'attempts-table' },
    element(
      'thead',
      {},
      element(
        'tr',
        {},
        [
          'Attempt',
          'Model',
          'Task',
          '#',
          'Outcome',
          'Class',
          'Agent status',
          'Grade',
          'Steps',
          'Wall',
          'Cost',
        ].map((title) => element('th', {}, title)),
      ),
    ),
    element(
      'tbody',
      {},
      attempts.map((attempt) =>
        element(
          'tr',
          { 'data-attempt-id': attempt.id },
          element('td', {}, element('a', { href: attemptHref(attempt.id), class: 'attempt-link' }, 'open')),
          element(
            'td',
            { title: shownModelId(attempt.modelId) },
            labels.get(attempt.modelId) ?? attempt.modelId,
            simulatedModels.has(attempt.modelId) &&
              element('span', { class: 'badge simulated' }, 'SIMULATED'),
          ),
          element('td', {}, attempt.taskId),
          element('td', { class: 'number' }, attempt.attemptIndex),
          element('td', { class: `outcome-${attempt.outcome}`, title: attempt.error ?? '' }, attempt.outcome),
          element('td', {}, attempt.failureClass),
          element('td', {}, attempt.agentStatus ?? '–'),
          element('td', {}, attempt.gradeStatus ?? '–'),
          element('td', { class: 'number' }, attempt.steps ?? '–'),
          element('td', { class: 'number' }, formatMs(attempt.wallMs)),
          element('td', { class: 'number' }, formatUsd(attempt.costUsd)),
        ),
      ),
    ),
  );
}

/** The paged attempts table: `refresh` loads the current page again (live updates), the pager loads others. */
export interface AttemptsView {
  element: HTMLElement;
  refresh(): Promise<void>;
}

/**
 * Creates the attempts table with `pageSize` rows a page and previous / next buttons; `load` fetches one page from
 * the server. The first page is loaded before it returns. Models show by their short `labels`, the full id on hover.
 */
export async function createAttemptsView(
  simulatedModels: Set<string>,
  load: (page: { offset: number; limit: number }) => Promise<AttemptPage>,
  pageSize: number = DEFAULT_ATTEMPTS_PAGE_SIZE,
  labels: ReadonlyMap<string, string> = new Map(),
): Promise<AttemptsView> {
  const root = element('div', { class: 'attempts-view' });
  let offset = 0;
  const show = async () => {
    let answer = await load({ offset, limit: pageSize });
    if (answer.items.length === 0 && answer.total > 0) {
      // The list shrank under the current page: show its last page.
      offset = Math.floor((answer.total - 1) / pageSize) * pageSize;
      answer = await load({ offset, limit: pageSize });
    }
    const page = pageOfSlice(answer);
    const go = (index: number) => () => {
      offset = index * pageSize;
      void show();
    };
    const pager = (position: string) =>
      element(
        'div',
        { class: `pager pager-${position}` },
        element(
          'button',
          {
            type: 'button',
            class: 'pager-previous',
            disabled: page.index === 0,
            onclick: go(page.index - 1),
          },
          '← Previous',
        ),
        element('span', { class: 'pager-count' }, pageRangeLabel(page)),
        element(
          'button',
          {
            type: 'button',
            class: 'pager-next',
            disabled: page.index >= page.pages - 1,
            onclick: go(page.index + 1),
          },
          'Next →',
        ),
      );
    replaceChildren(
      root,
      page.total > 0 && pager('top'),
      renderAttemptsTable(page.items, simulatedModels, labels),
      page.pages > 1 && pager('bottom'),
    );
  };
  await show();
  return { element: root, refresh: show };
}
