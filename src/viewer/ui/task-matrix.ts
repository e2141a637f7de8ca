/** The task × model matrix: one coloured cell per task and model, linking to that cell's attempts. */

import type { MatrixCell, RunMatrix } from '../api-types.ts';
import { element } from './dom.ts';
import { shownModelId } from './format.ts';
import { runHref } from './router.ts';

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
