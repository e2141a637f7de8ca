/**
 * Per-model rows of the runs list: for every model of every run, its short label, resolved rate with its 95% interval
 * (tasks as the unit when they have several attempts, as `computeRunMetrics` does) and attempt counts, from aggregate
 * SQL statements over the attempts (no transcript is read). Scored and
 * resolved follow `computeRunMetrics`: a scored attempt is finished and not an infrastructure error; resolved means a
 * `resolved` grade. So the rates equal the run page's.
 */

import type { RateWithInterval } from '../metrics/run-metrics.ts';
import { shortModelLabels } from '../metrics/short-model-label.ts';
import { type TaskPassCounts, taskClusteredInterval } from '../metrics/task-clustered-interval.ts';
import type { Store } from '../store/store.ts';
import type { RunModelRow } from './api-types.ts';

interface ModelCountRow {
  runId: string;
  modelId: string;
  label: string;
  simulated: number;
  total: number;
  done: number;
  infrastructureErrors: number;
  scored: number;
  resolved: number;
}

const NOT_INFRASTRUCTURE = `a.status = 'finished' AND COALESCE(a.agent_status, '') <> 'infrastructure-error'`;

const MODEL_COUNTS_SELECT = `SELECT m.run_id AS runId, m.model_id AS modelId, m.label, m.simulated,
  COUNT(a.id) AS total,
  COALESCE(SUM(a.status IN ('finished', 'infrastructure-error')), 0) AS done,
  COALESCE(SUM(a.status = 'infrastructure-error' OR a.agent_status = 'infrastructure-error'), 0) AS infrastructureErrors,
  COALESCE(SUM(${NOT_INFRASTRUCTURE}), 0) AS scored,
  COALESCE(SUM(${NOT_INFRASTRUCTURE} AND a.grade_status = 'resolved'), 0) AS resolved
  FROM run_models m LEFT JOIN attempts a ON a.run_id = m.run_id AND a.model_id = m.model_id`;

/** Scored and resolved attempts per run, model and task, for intervals with the task as the unit. */
const TASK_COUNTS_SELECT = `SELECT a.run_id AS runId, a.model_id AS modelId,
  COALESCE(SUM(${NOT_INFRASTRUCTURE}), 0) AS attempts,
  COALESCE(SUM(${NOT_INFRASTRUCTURE} AND a.grade_status = 'resolved'), 0) AS successes
  FROM attempts a`;

interface TaskCountRow extends TaskPassCounts {
  runId: string;
  modelId: string;
}

/** A resolved rate with its 95% interval from per-task counts, as `computeRunMetrics` reports it. */
export function resolvedRate(tasks: TaskPassCounts[]): RateWithInterval {
  const successes = tasks.reduce((sum, task) => sum + task.successes, 0);
  const trials = tasks.reduce((sum, task) => sum + task.attempts, 0);
  const interval = taskClusteredInterval(tasks);
  if (interval === null)
    return { rate: null, successes, trials, low: null, high: null, method: null, effectiveTrials: null };
  const { rate, low, high, method, effectiveTrials } = interval;
  return { rate, successes, trials, low, high, method, effectiveTrials };
}

/**
 * The model rows of every run (or of the runs `runIds` only), by run id, each run's models in the run page's order
 * (model id). `agentOf` gives a run's agent label, appended to the short labels of external agents.
 */
export function runModelRows(
  store: Store,
  agentOf: (runId: string) => string | undefined,
  runIds?: readonly string[],
): Map<string, RunModelRow[]> {
  const within = (column: string) =>
    runIds === undefined ? '' : `WHERE ${column} IN (${runIds.map(() => '?').join(', ') || 'NULL'})`;
  const parameters = runIds ?? [];
  const rows = store.database.$client
    .prepare(`${MODEL_COUNTS_SELECT} ${within('m.run_id')} GROUP BY m.run_id, m.model_id`)
    .all(...parameters) as ModelCountRow[];
  const taskRows = store.database.$client
    .prepare(`${TASK_COUNTS_SELECT} ${within('a.run_id')} GROUP BY a.run_id, a.model_id, a.task_id`)
    .all(...parameters) as TaskCountRow[];
  const tasksOf = new Map<string, TaskPassCounts[]>();
  for (const row of taskRows) {
    const key = JSON.stringify([row.runId, row.modelId]);
    const list = tasksOf.get(key) ?? [];
    list.push({ attempts: row.attempts, successes: row.successes });
    tasksOf.set(key, list);
  }
  const byRun = new Map<string, ModelCountRow[]>();
  for (const row of rows) {
    const list = byRun.get(row.runId);
    if (list) list.push(row);
    else byRun.set(row.runId, [row]);
  }
  const result = new Map<string, RunModelRow[]>();
  for (const [id, models] of byRun) {
    const labels = shortModelLabels(models, agentOf(id));
    result.set(
      id,
      [...models]
        .sort((a, b) => a.modelId.localeCompare(b.modelId))
        .map((row) => ({
          modelId: row.modelId,
          label: labels.get(row.modelId) ?? row.label,
          simulated: row.simulated === 1,
          resolved: resolvedRate(tasksOf.get(JSON.stringify([row.runId, row.modelId])) ?? []),
          done: row.done,
          total: row.total,
          infrastructureErrors: row.infrastructureErrors,
        })),
    );
  }
  return result;
}
