/** An attempt page: outcome and totals, grading result, final diff, and the full transcript. */

import type { TranscriptEvent } from '../../transcript/events.ts';
import { api } from './api-client.ts';
import { renderDiff } from './diff-view.ts';
import { element, replaceChildren, simulatedBadge } from './dom.ts';
import { formatCost, formatCount, formatMs, shownModelId } from './format.ts';
import { renderGrading } from './grading-table.ts';
import { runHref } from './router.ts';
import { renderTranscript } from './transcript-view.ts';

function fact(label: string, value: string): HTMLElement {
  return element('div', {}, element('span', {}, label), value);
}

/** The final workspace diff when the grade stored one. */
function finalDiffOf(grade: Record<string, unknown> | null): string | null {
  for (const key of ['workspaceDiff', 'diff', 'patch']) {
    const value = grade?.[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return null;
}

/** Renders an attempt page into `root`. */
export async function renderAttemptPage(root: HTMLElement, attemptId: string): Promise<void> {
  const { attempt, events, toolCalls } = await api.attempt(attemptId);
  const finalDiff = finalDiffOf(attempt.grade);
  const recovered = toolCalls.filter((call) => call.origin === 'recovered').length;
  const invalid = toolCalls.filter((call) => call.validity !== 'valid').length;
  replaceChildren(
    root,
    element(
      'div',
      { class: 'event-meta' },
      element('a', { href: runHref(attempt.runId) }, `← run ${attempt.runId}`),
    ),
    element(
      'h1',
      { title: `${shownModelId(attempt.modelId)} · ${attempt.taskId} · attempt ${attempt.attemptIndex}` },
      `${attempt.modelLabel} · ${attempt.taskId} · attempt ${attempt.attemptIndex}`,
      attempt.simulated && simulatedBadge(),
    ),
    attempt.simulated &&
      element('div', { class: 'banner-simulated' }, 'SIMULATED attempt: produced by a simulated model.'),
    element(
      'div',
      { class: 'summary-grid' },
      fact('Outcome', attempt.outcome),
      fact('Failure class', attempt.failureClass),
      fact('Agent status', attempt.agentStatus ?? '–'),
      fact('Steps', formatCount(attempt.steps)),
      fact('Tool calls', `${toolCalls.length} (${invalid} invalid, ${recovered} recovered)`),
      fact('Wall', formatMs(attempt.wallMs)),
      fact(
        'Model / tool / test',
        `${formatMs(attempt.modelMs)} / ${formatMs(attempt.toolMs)} / ${formatMs(attempt.testMs)}`,
      ),
      fact('Tokens in / out', `${formatCount(attempt.inputTokens)} / ${formatCount(attempt.outputTokens)}`),
      fact('Cost', formatCost(attempt.costUsd, 'no price or local cost for this model')),
    ),
    attempt.error && element('div', { class: 'error-box' }, attempt.error),
    element('h2', {}, 'Grading'),
    renderGrading(attempt.grade),
    element('h2', {}, 'Final workspace diff'),
    finalDiff
      ? renderDiff(finalDiff)
      : element(
          'p',
          { class: 'muted', 'data-testid': 'no-final-diff' },
          attempt.grade?.workspaceDiff === ''
            ? 'The agent changed no file.'
            : 'No final diff recorded (the attempt was not graded, or ran before shakedown kept diffs).',
        ),
    element('h2', {}, `Transcript (${events.length} events)`),
    renderTranscript(events as unknown as TranscriptEvent[], { priced: attempt.costUsd !== null }),
  );
}
