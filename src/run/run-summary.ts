import { meanPassAtK } from '../metrics/pass-at-k.ts';
import type { Store } from '../store/store.ts';

/** One model's line of the end-of-run summary. */
export interface ModelSummary {
  modelId: string;
  label: string;
  simulated: boolean;
  attempts: number;
  resolved: number;
  unresolved: number;
  /** Graded attempts with no evidence the tests ran: neither pass nor fail. */
  invalid: number;
  /** Kept out of every score. */
  infrastructureErrors: number;
  /** Not run yet (interrupted run). */
  pending: number;
  /** resolved / (resolved + unresolved); null when nothing was graded. */
  resolvedRate: number | null;
  /** Mean over tasks of pass@1, from graded attempts; null when no task has one. */
  passAt1: number | null;
}

/** Per-model counts and scores of a run, infrastructure errors and invalid grades apart. */
export function summarizeRun(store: Store, runId: string): ModelSummary[] {
  const attempts = store.attempts(runId);
  return store.runModels(runId).map((model) => {
    const own = attempts.filter((attempt) => attempt.modelId === model.modelId);
    const count = (predicate: (attempt: (typeof own)[number]) => boolean) => own.filter(predicate).length;
    const resolved = count((attempt) => attempt.status === 'finished' && attempt.gradeStatus === 'resolved');
    const unresolved = count(
      (attempt) => attempt.status === 'finished' && attempt.gradeStatus === 'unresolved',
    );
    const byTask = new Map<string, { taskId: string; attempts: number; successes: number }>();
    for (const attempt of own) {
      if (
        attempt.status !== 'finished' ||
        (attempt.gradeStatus !== 'resolved' && attempt.gradeStatus !== 'unresolved')
      ) {
        continue;
      }
      const entry = byTask.get(attempt.taskId) ?? { taskId: attempt.taskId, attempts: 0, successes: 0 };
      entry.attempts += 1;
      if (attempt.gradeStatus === 'resolved') entry.successes += 1;
      byTask.set(attempt.taskId, entry);
    }
    return {
      modelId: model.modelId,
      label: model.label,
      simulated: model.simulated,
      attempts: own.length,
      resolved,
      unresolved,
      invalid: count((attempt) => attempt.status === 'finished' && attempt.gradeStatus === 'invalid'),
      infrastructureErrors: count((attempt) => attempt.status === 'infrastructure-error'),
      pending: count((attempt) => attempt.status === 'pending' || attempt.status === 'running'),
      resolvedRate: resolved + unresolved === 0 ? null : resolved / (resolved + unresolved),
      passAt1: byTask.size === 0 ? null : meanPassAtK([...byTask.values()], 1),
    };
  });
}

/** The summary as a fixed-width table, one line per model; simulated models are labelled SIMULATED. */
export function formatRunSummary(summaries: readonly ModelSummary[]): string {
  const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);
  const header = ['model', 'resolved', 'rate', 'pass@1', 'unresolved', 'invalid', 'infra errors', 'pending'];
  const rows = summaries.map((summary) => [
    `${summary.label}${summary.simulated ? ' [SIMULATED]' : ''}`,
    `${summary.resolved}/${summary.resolved + summary.unresolved}`,
    percent(summary.resolvedRate),
    percent(summary.passAt1),
    String(summary.unresolved),
    String(summary.invalid),
    String(summary.infrastructureErrors),
    String(summary.pending),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
