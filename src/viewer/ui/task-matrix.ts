/**
 * The task × model matrix: one coloured cell per task and model, linking to that cell's attempts; a page of tasks
 * at a time, fetched from the server.
 */

import type { MatrixCell, RunMatrix } from '../api-types.ts';
import { element, replaceChildren } from './dom.ts';
import { shownModelId } from './format.ts';
import { pageOfSlice, pageRangeLabel } from './paging.ts';
import { runHref } from './router.ts';

/** Tasks per page of the matrix. */
export const DEFAULT_MATRIX_PAGE_SIZE = 100;

/** Background colour of a cell: red (none resolved) to green (all resolved), grey when nothing is scored. */
export function cellColor(cell: MatrixCell | undefined): string {
  if (!cell || cell.finished === 0) return '#eef0f3';
  const share = cell.resolved / cell.finished;
  const hue = Math.round(share * 120);
  return `hsl(${hue}, 65%, 82%)`;
}

/** Renders the matrix; `labels` maps model ids to display names. */
export function renderTaskMatrix(runId: string, matrix: RunMatrix, labels: Map<string, string>): HTMLElement {
  const cells = new Map(matrix.cells.map((cell) => [`${cell.taskId}\u0000${cell.modelId}`, cell]));
  return element(
    'table',
    { class: 'matrix' },
    element(
      'thead',
      {},
      element(
        'tr',
        {},
        element('th', {}, 'Task'),
        matrix.models.map((modelId) =>
          element(
            'th',
            { title: shownModelId(modelId), 'data-model-id': modelId },
            labels.get(modelId) ?? modelId,
          ),
        ),
      ),
    ),
    element(
      'tbody',
      {},
      matrix.tasks.map((taskId) =>
        element(
          'tr',
          {},
          element('th', {}, taskId),
          matrix.models.map((modelId) => {
            const cell = cells.get(`${taskId}\u0000${modelId}`);
            const text = cell ? `${cell.resolved} / ${cell.finished}` : '–';
            const extra = cell && cell.total > cell.finished ? ` (+${cell.total - cell.finished})` : '';
            return element(
              'td',
              {
                class: 'cell',
                style: `background: ${cellColor(cell)}`,
                'data-model-id': modelId,
                'data-task-id': taskId,
                title: cell
                  ? `${cell.resolved} resolved of ${cell.finished} scored; ${cell.infrastructureErrors} infrastructure errors; ${cell.pending + cell.running} not finished`
                  : 'no attempts',
              },
              element('a', { href: runHref(runId, { model: modelId, task: taskId }) }, text, extra),
            );
          }),
        ),
      ),
    ),
  );
}

/** The paged matrix: `refresh` loads the current page again (live updates), the pager loads others. */
export interface TaskMatrixView {
  element: HTMLElement;
  refresh(): Promise<void>;
}

/**
 * Creates the matrix with `pageSize` tasks a page and previous / next buttons (shown when there are several pages);
 * `load` fetches one page from the server. The first page is loaded before it returns.
 */
export async function createTaskMatrixView(
  runId: string,
  load: (page: { offset: number; limit: number }) => Promise<RunMatrix>,
  labels: Map<string, string>,
  pageSize: number = DEFAULT_MATRIX_PAGE_SIZE,
): Promise<TaskMatrixView> {
  const root = element('div', { class: 'matrix-view' });
  let offset = 0;
  const show = async () => {
    const matrix = await load({ offset, limit: pageSize });
    const page = pageOfSlice({ items: matrix.tasks, offset, limit: pageSize, total: matrix.totalTasks });
    const go = (index: number) => () => {
      offset = index * pageSize;
      void show();
    };
    const pager =
      page.pages > 1 &&
      element(
        'div',
        { class: 'pager matrix-pager' },
        element(
          'button',
          {
            type: 'button',
            class: 'pager-previous',
            disabled: page.index === 0,
            onclick: go(page.index - 1),
          },
          '← Previous tasks',
        ),
        element('span', { class: 'pager-count' }, `tasks ${pageRangeLabel(page)}`),
        element(
          'button',
          {
            type: 'button',
            class: 'pager-next',
            disabled: page.index >= page.pages - 1,
            onclick: go(page.index + 1),
          },
          'Next tasks →',
        ),
      );
    replaceChildren(root, pager, renderTaskMatrix(runId, matrix, labels));
  };
  await show();
  return { element: root, refresh: show };
}
