/**
 * Per-model rows of the runs list: for every model of every run, its short label, resolved rate with its 95% Wilson
 * interval and attempt counts, from one aggregate SQL statement over the attempts (no transcript is read). Scored and
 * resolved follow `computeRunMetrics`: a scored attempt is finished and not an infrastructure error; resolved means a
 * `resolved` grade. So the rates equal the run page's.
 */

import type { RateWithInterval } from '../metrics/run-metrics.ts';
import { shortModelLabels } from '../metrics/short-model-label.ts';
import { wilsonInterval } from '../metrics/statistics.ts';
import type { Store } from '../run/store/store.ts';
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

/** A resolved rate with its 95% Wilson interval, as `computeRunMetrics` reports it; all null without trials. */
export function resolvedRate(successes: number, trials: number): RateWithInterval {
  if (trials === 0) return { rate: null, successes, trials, low: null, high: null };
  const interval = wilsonInterval(successes, trials);
  return { rate: successes / trials, successes, trials, low: interval.low, high: interval.high };
}

/**
 * The model rows of every run (or of `runId` only), by run id, each run's models in the run page's order
 * (model id). `agentOf` gives a run's agent label, appended to the short labels of external agents.
 */
export function runModelRows(
  store: Store,
  agentOf: (runId: string) => string | undefined,
  runId?: string,
): Map<string, RunModelRow[]> {
  const statement = store.database.$client.prepare(
    `${MODEL_COUNTS_SELECT} ${runId === undefined ? '' : 'WHERE m.run_id = ?'} GROUP BY m.run_id, m.model_id`,
  );
  const rows = (runId === undefined ? statement.all() : statement.all(runId)) as ModelCountRow[];
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
          resolved: resolvedRate(row.resolved, row.scored),
          done: row.done,
          total: row.total,
          infrastructureErrors: row.infrastructureErrors,
        })),
    );
  }
  return result;
}
